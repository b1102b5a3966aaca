/**
 * The REAL wiring under test: createApp() (config → logging → in-process sim → Kalshi client → trading
 * services → bot → fill alerts → health) talking to a LocalBotApi, either over HTTP long polling
 * (`transport: "http"`, the way `npm start` talks to Telegram) or in process (`transport: "inprocess"`:
 * updates go straight into bot.handleUpdate and `say()` returns once the bot has handled them).
 *
 * Always call `stop()` (idempotent) in afterEach/afterAll.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { createApp, type App, type AppOptions } from "../../src/app.js";
import { loadConfig, type AppConfig } from "../../src/config.js";
import { LocalBotApi, parseTelegramHtml, type ChatMessage } from "../../src/devtools/localBotApi.js";
import type { SimOptions } from "../../src/sim/server.js";
import { validPrices } from "../../src/sim/engine.js";
import { until } from "./until.js";

export { until };

export const OWNER = 424242;

export interface AppHarnessOptions {
  transport?: "http" | "inprocess";
  /** Extra environment (strings) for loadConfig. */
  env?: Record<string, string>;
  sim?: Partial<SimOptions>;
  /** Start the health endpoint on an ephemeral port (HEALTH_PORT=0 means "off" in config). */
  health?: boolean;
  /** Call app.start() (long polling, alert stream, health). Default: true for http, false in process. */
  start?: boolean;
  alerts?: AppOptions["alerts"];
  priceAlerts?: AppOptions["priceAlerts"];
  exchange?: AppOptions["exchange"];
  /** Telegram-side bounds (retries, per-chat queue, long poll length). */
  telegram?: AppOptions["telegram"];
  /** Reuse a directory (e.g. for a restart on the same DATA_DIR). */
  dir?: string;
}

/** The text a phone would show for a Bot API call's text/caption parameter. */
export function shownText(params: Record<string, unknown>): string {
  const raw = String(params.text ?? params.caption ?? "");
  if (params.parse_mode !== "HTML") return raw;
  try {
    return parseTelegramHtml(raw);
  } catch {
    return raw;
  }
}

export async function startAppHarness(opts: AppHarnessOptions = {}) {
  const transport = opts.transport ?? "http";
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "app-harness-")));
  const api = new LocalBotApi();
  let app: App | undefined;
  let stopped = false;
  try {
    const apiRoot = transport === "http" ? await api.listen() : undefined;
    const env: NodeJS.ProcessEnv = {
      KALSHI_ENVIRONMENT: "sim",
      TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
      LOG_DIR: join(dir, "logs"),
      DATA_DIR: join(dir, "data"),
      DISPLAY_TIMEZONE: "America/New_York",
      LOG_LEVEL: "info",
      ...opts.env,
    };
    let config: AppConfig = loadConfig(env, { cwd: dir });
    if (opts.health) config = { ...config, healthPort: 0 };
    app = await createApp({
      config,
      token: api.token,
      botConfig: apiRoot
        ? { client: { apiRoot } }
        : { botInfo: api.botInfo, client: { fetch: api.clientFetch } },
      console: false,
      sim: { livingMarket: false, rateLimit: false, ...opts.sim },
      ...(opts.alerts ? { alerts: opts.alerts } : {}),
      ...(opts.priceAlerts ? { priceAlerts: opts.priceAlerts } : {}),
      ...(opts.exchange ? { exchange: opts.exchange } : {}),
      ...(opts.telegram ? { telegram: opts.telegram } : {}),
    });
    const theApp = app;
    if (transport === "inprocess") api.setHandler((u) => theApp.bot.handleUpdate(u));
    if (opts.start ?? transport === "http") await app.start();
  } catch (e) {
    await app?.stop().catch(() => undefined);
    await api.close();
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const theApp = app;
  const sim = theApp.sim!;

  /** Index into api.calls: "what happened after this point". */
  const mark = () => api.calls.length;

  /** Bot output (sendMessage / editMessageText / sendDocument) to `chatId` after `since`, as shown. */
  const outputsSince = (since: number, chatId = OWNER) =>
    api.calls
      .slice(since)
      .filter(
        (c) =>
          c.ok &&
          (c.method === "sendMessage" || c.method === "editMessageText" || c.method === "sendDocument") &&
          Number(c.params.chat_id) === chatId,
      )
      .map((c) => ({ method: c.method, text: shownText(c.params), params: c.params }));

  const matches = (text: string, m: string | RegExp) =>
    typeof m === "string" ? text.includes(m) : m.test(text);

  const h = {
    app: theApp,
    api,
    sim,
    dir,
    config: theApp.config,
    userId: OWNER,
    mark,
    outputsSince,
    /** The owner types `text` in the private chat. In process, resolves after the bot handled it. */
    say: (text: string): Promise<Update> => api.sendText(OWNER, OWNER, text),
    /** The owner taps the newest button whose label matches. */
    tap: (label: string | RegExp): Promise<Update> => api.tapButton(OWNER, OWNER, label),
    /** Waits for bot output after `since` whose shown text matches; returns that text. */
    async waitForText(m: string | RegExp, since = 0, timeoutMs = 5_000): Promise<string> {
      const out = await until(
        `a bot message matching ${String(m)}`,
        () => outputsSince(since).find((o) => matches(o.text, m)),
        timeoutMs,
      );
      return out.text;
    },
    /** Says `text` and waits for a reply matching `m`. */
    async ask(text: string, m: string | RegExp, timeoutMs = 5_000): Promise<string> {
      const since = mark();
      await h.say(text);
      return h.waitForText(m, since, timeoutMs);
    },
    /** Taps `label` and waits for output matching `m`. */
    async tapAndWait(label: string | RegExp, m: string | RegExp, timeoutMs = 5_000): Promise<string> {
      const since = mark();
      await h.tap(label);
      return h.waitForText(m, since, timeoutMs);
    },
    botMessages: (chatId = OWNER): ChatMessage[] => api.botMessages(chatId),
    /** Open markets of the sim with a free price tick between the best bid and ask (the fair price). */
    restingSpots() {
      const out: { ticker: string; title: string; price: number }[] = [];
      for (const m of sim.engine.markets()) {
        if (m.status !== "active") continue;
        const t = sim.engine.top(m.ticker);
        if (t.bid === null || t.ask === null) continue;
        const ticks = validTicksBetween(sim, m.ticker, t.bid, t.ask);
        if (ticks.length === 0) continue;
        out.push({ ticker: m.ticker, title: m.title, price: ticks[0]! });
      }
      return out;
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      try {
        await theApp.stop();
      } finally {
        await api.close();
        if (ownDir) await rm(dir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

function validTicksBetween(
  sim: { engine: { market(t: string): { priceRanges: Parameters<typeof validPrices>[0] } } },
  ticker: string,
  bid: number,
  ask: number,
): number[] {
  return validPrices(sim.engine.market(ticker).priceRanges).filter((p) => p > bid && p < ask);
}

export type AppHarness = Awaited<ReturnType<typeof startAppHarness>>;
