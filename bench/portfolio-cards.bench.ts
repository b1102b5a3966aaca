/**
 * /portfolio with 200 positions and their sell buttons, through the bot: the real bot (grammY, access,
 * signed buttons, paging) on the in-process Bot API (src/devtools/localBotApi.ts) over the real trading
 * services and the exchange double with a per-request latency (the same positions as
 * bench/portfolio.bench.ts). Measured: exchange requests and time from the command to the first
 * page with its buttons; a page turn (◀ ▶ re-show the same reading: no request); a sell tap to its
 * quote card (the stale-button check reads the portfolio, the sell step reads it again, then the
 * quote). Baseline: the portfolio service alone in the same run (today's /portfolio row).
 * Run: npx tsx bench/portfolio-cards.bench.ts [positions] [latencyMs]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import winston from "winston";
import { OrderOutbox } from "../src/alerts/outbox.js";
import { createBot } from "../src/bot/createBot.js";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { ONE_DOLLAR, micros } from "../src/domain/money.js";
import { createTradingServices } from "../src/trading/index.js";
import { createPortfolioService } from "../src/trading/portfolio.js";
import { MemoryAlertSettings } from "../tests/support/memoryAlertSettings.js";
import { world } from "./portfolio.bench.js";

const USER = 4242;
const TZ = "America/New_York";

export interface PortfolioCardsBenchResult {
  positions: number;
  latencyMs: number;
  /** /portfolio → first page with its buttons. */
  first: { requests: number; ms: number; pages: number; buttons: number; longestPage: number };
  /** Page 2 ▶. */
  turn: { requests: number; ms: number };
  /** "1 · All" → the quote card. */
  sell: { requests: number; ms: number };
  /** The portfolio service alone. */
  service: { requests: number; ms: number };
}

const silent = () =>
  winston.createLogger({
    transports: [new winston.transports.Stream({ stream: new Writable({ write: (_c, _e, cb) => cb() }) })],
  });

export async function run(positions = 200, latencyMs = 2): Promise<PortfolioCardsBenchResult> {
  // Each side measured on its second reading of the same exchange (the first warms code and caches).
  const alone = world(positions, latencyMs);
  const svc = createPortfolioService({ exchange: alone, timeZone: TZ });
  await svc.view();
  const r0 = alone.requests;
  const t = performance.now();
  await svc.view();
  const service = { requests: alone.requests - r0, ms: performance.now() - t };

  const fx = world(positions, latencyMs);
  const dir = await mkdtemp(join(tmpdir(), "bench-cards-"));
  const api = new LocalBotApi();
  const outbox = new OrderOutbox({ timeZone: TZ });
  const services = createTradingServices({
    exchange: fx,
    config: {
      maxOrderContracts: 1000,
      maxOrderCost: micros(1000 * ONE_DOLLAR),
      confirmTimeoutMs: 60_000,
      marketOrderSlippage: micros(20_000),
    },
    environment: "sim",
    timeZone: TZ,
    logDir: join(dir, "logs"),
    dataDir: dir,
    journalLogger: silent(),
  });
  const bot = createBot({
    token: api.token,
    services,
    alertSettings: new MemoryAlertSettings(),
    config: { allowedUserIds: [USER], envTag: "SIM", confirmTimeoutMs: 60_000, timeZone: TZ },
    logger: silent(),
    botConfig: { botInfo: api.botInfo, client: { fetch: api.clientFetch } },
    orderOutbox: outbox,
  });
  api.setHandler((u) => bot.handleUpdate(u));
  try {
    const measure = async (act: () => Promise<unknown>) => {
      const r0 = fx.requests;
      const t0 = performance.now();
      await act();
      return { requests: fx.requests - r0, ms: performance.now() - t0 };
    };
    await api.sendText(USER, USER, "/portfolio"); // warm-up: the bot's first update
    const shown = await measure(() => api.sendText(USER, USER, "/portfolio"));
    const page = api.lastBotMessage(USER)!;
    const pages = Number(/page 1 of (\d+)/.exec(page.text)?.[1] ?? 1);
    const buttons = (page.replyMarkup?.inline_keyboard ?? []).flat().length;
    let longestPage = 0;
    const turn =
      pages > 1 ? await measure(() => api.tapButton(USER, USER, "Page 2 ▶")) : { requests: 0, ms: 0 }; // one page: nothing to turn
    for (let p = 2; p <= pages; p++) {
      const text = api.calls.filter((c) => c.method === "editMessageText").at(-1)?.params.text;
      longestPage = Math.max(longestPage, String(text ?? "").length);
      if (p < pages) await api.tapButton(USER, USER, `Page ${p + 1} ▶`);
    }
    const first = api.calls.find(
      (c) => c.method === "sendMessage" && /Portfolio/.test(String(c.params.text)),
    );
    longestPage = Math.max(longestPage, String(first?.params.text ?? "").length);
    const sell = await measure(() => api.tapButton(USER, USER, / · All$/));
    if (!/Please confirm/.test(api.lastBotMessage(USER)?.text ?? ""))
      throw new Error("portfolio-cards bench: no quote card");
    const result = {
      positions,
      latencyMs,
      first: { ...shown, pages, buttons, longestPage },
      turn,
      sell,
      service,
    };
    console.log(
      `/portfolio through the bot: ${positions} positions, ${latencyMs} ms per request (exchange double)`,
    );
    console.log(
      `  first page : ${shown.requests} requests, ${shown.ms.toFixed(1)} ms (${pages} pages, ${buttons} buttons on page 1, longest page ${longestPage} chars)`,
    );
    console.log(`  page turn  : ${turn.requests} requests, ${turn.ms.toFixed(1)} ms`);
    console.log(`  sell tap   : ${sell.requests} requests, ${sell.ms.toFixed(1)} ms to the quote card`);
    console.log(
      `  service    : ${service.requests} requests, ${service.ms.toFixed(1)} ms (portfolio service alone)`,
    );
    return result;
  } finally {
    await outbox.stop();
    await services.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, l] = process.argv.slice(2).map(Number);
  await run(n || 200, l || 2);
}
