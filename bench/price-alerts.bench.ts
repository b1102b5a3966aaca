/**
 * Price-alert latency: from the sim's `ticker` frame (the control moving a market's price, which sends
 * the frame at once) to the alert sink's send(), p50 and p99 over N crossings, for the WebSocket path
 * and, in the same run, for REST polling every 5 s (what the bot falls back to while the socket is down).
 *
 * The real parts against the real sim: startSim, KalshiClient, KalshiTickerStream, PriceWatch and the
 * fill alerts' exactly-once queue (createFillAlerts) with a recording sink. Crossings are a staircase:
 * alerts `yes >= L` for L = 31¢, 32¢, … on two markets (50 per chat, the cap), and the price steps up one
 * cent at a time, so each step crosses exactly one alert. WebSocket: one step at a time, each waited
 * for. Polling: a step every ~97 ms (not lined up with the poll), then wait for all.
 *
 *   npx tsx bench/price-alerts.bench.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { PriceWatch } from "../src/alerts/price/service.js";
import { createFillAlerts } from "../src/alerts/service.js";
import { createAlertSettingsStore } from "../src/alerts/settings.js";
import type { AlertSink } from "../src/alerts/sink.js";
import type { Micros } from "../src/domain/money.js";
import { KalshiClient } from "../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../src/exchange/kalshi/signer.js";
import { KalshiStream } from "../src/exchange/kalshi/stream.js";
import { KalshiTickerStream } from "../src/exchange/kalshi/tickerStream.js";
import { movePrice } from "../src/sim/control.js";
import { startSim, type SimServer } from "../src/sim/server.js";

export interface PriceAlertsBenchOptions {
  /** Crossings per mode (at most 100: two chats × 50 alerts). */
  crossings?: number;
  /** The polling baseline's interval, ms. */
  pollMs?: number;
}

export interface PriceAlertsBenchResult {
  crossings: number;
  pollMs: number;
  ws: { p50Ms: number; p99Ms: number };
  poll: { p50Ms: number; p99Ms: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50Ms: r(percentile(s, 50)), p99Ms: r(percentile(s, 99)) };
};

async function waitUntil(cond: () => boolean, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Sets the best YES ask to `cents` (the maker quotes one tick either side of fair). */
const setAsk = (sim: SimServer, ticker: string, cents: number) =>
  movePrice(sim.engine, { ticker, fair: ((cents - 1) / 100).toFixed(2) });

async function measure(mode: "websocket" | "polling", crossings: number, pollMs: number): Promise<number[]> {
  const sim = await startSim({ livingMarket: false, rateLimit: false });
  const dataDir = await mkdtemp(join(tmpdir(), "price-bench-"));
  const privateKey = loadPrivateKey(sim.privateKeyPem);
  const client = new KalshiClient({ baseUrl: sim.baseUrl, keyId: sim.keyId, privateKey, rateLimit: false });
  const sent = new Map<string, number>();
  const sink: AlertSink = {
    async send(chatId, html) {
      const level = /YES ≥ \$0\.(\d\d)/.exec(html)?.[1];
      if (level) sent.set(`${chatId}:${Number(level)}`, performance.now());
      return { messageId: sent.size };
    },
    async edit() {},
  };
  const stream = new KalshiStream({ wsUrl: sim.wsUrl, keyId: sim.keyId, privateKey });
  const alerts = createFillAlerts({
    stream,
    exchange: client,
    sink,
    chatIds: [1, 2],
    settings: createAlertSettingsStore(dataDir),
    dataDir,
    envTag: "sim",
    timeZone: "UTC",
    settlementPollMs: 0,
  });
  const wsUrl = mode === "websocket" ? sim.wsUrl : sim.wsUrl.replace("/trade-api/ws/v2", "/no-socket-here");
  const feed = new KalshiTickerStream({
    wsUrl,
    keyId: sim.keyId,
    privateKey,
    backoff: { baseMs: 60_000, maxMs: 60_000 },
  });
  const log = { info() {}, warn() {}, error() {} };
  const pw = new PriceWatch({
    dataDir,
    feed,
    exchange: client,
    notify: (n, c) => alerts.notify(n, c),
    logger: log,
    pollMs,
    statusPollMs: 0,
  });
  try {
    const markets = sim.engine
      .markets()
      .filter((m) => m.status === "active" && m.priceLevelStructure === "linear_cent")
      .map((m) => m.ticker)
      .slice(0, 2);
    const perChat = Math.ceil(crossings / 2);
    for (const t of markets) setAsk(sim, t, 30);
    await alerts.start();
    await pw.start();
    for (const [i, t] of markets.entries())
      for (let L = 31; L < 31 + perChat; L++)
        await pw.addAlert(i + 1, t, { kind: "level", side: "yes", op: ">=", level: (L * 10_000) as Micros });
    const steps: { key: string; ticker: string; cents: number }[] = [];
    for (const [i, t] of markets.entries())
      for (let L = 31; L < 31 + perChat && steps.length < crossings; L++)
        steps.push({ key: `${i + 1}:${L}`, ticker: t, cents: L });
    const started = new Map<string, number>();
    for (const s of steps) {
      started.set(s.key, performance.now());
      setAsk(sim, s.ticker, s.cents);
      if (mode === "websocket") await waitUntil(() => sent.has(s.key), `the alert at ${s.cents}¢`, 10_000);
      else await new Promise((r) => setTimeout(r, 97));
    }
    await waitUntil(() => steps.every((s) => sent.has(s.key)), "every alert", pollMs * 3 + 10_000);
    return steps.map((s) => sent.get(s.key)! - started.get(s.key)!);
  } finally {
    await pw.stop();
    await feed.close();
    await alerts.stop();
    await client.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(opts: PriceAlertsBenchOptions = {}): Promise<PriceAlertsBenchResult> {
  const crossings = Math.min(100, opts.crossings ?? 100);
  const pollMs = opts.pollMs ?? 5_000;
  const ws = stats(await measure("websocket", crossings, pollMs));
  const poll = stats(await measure("polling", crossings, pollMs));
  return { crossings, pollMs, ws, poll };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.argv.includes("--quick");
  console.log(JSON.stringify(await run(quick ? { crossings: 10, pollMs: 200 } : {}), null, 2));
}
