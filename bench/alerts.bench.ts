/**
 * Alert latency: from a fill happening at the exchange to the alert sink's send(), p50 and p99, for
 * the WebSocket path and for polling-only mode, in the same run, against
 *  - the stub WebSocket server + in-memory REST fake (the alert code alone), and
 *  - the REAL sim (startSim): the fill is made with the sim's control `trade` against a resting order
 *    placed with the KalshiClient, and travels the sim's signed WebSocket (or REST for polling).
 *
 *   npx tsx bench/alerts.bench.ts            (or through bench/run.ts, which calls run())
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { KalshiStream } from "../src/exchange/kalshi/stream.js";
import { createFillAlerts } from "../src/alerts/service.js";
import { createAlertSettingsStore } from "../src/alerts/settings.js";
import type { AlertSink } from "../src/alerts/sink.js";
import { waitFor, wireFill, WsKalshiStub } from "../tests/support/wsKalshiStub.js";
import { SimExchange } from "../tests/support/simExchange.js";
import { recordFill } from "../tests/alerts/harness.js";
import { SimAlertsHarness, until } from "../tests/alerts/simHarness.js";

/** One row of the bench runner's table. */
export interface BenchRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

export interface LatencyResult {
  mode: string;
  fills: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface AlertsBenchOptions {
  fills?: number;
  /** Gap between fills, ms. */
  spacingMs?: number;
  /** Poll interval for the polling-only mode, ms. */
  pollIntervalMs?: number;
  /** Fills per mode against the sim. */
  simFills?: number;
  /** Poll interval for the polling-only mode against the sim, ms. */
  simPollIntervalMs?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const KEY_ID = "bench-key";

async function measure(
  mode: "websocket" | "polling",
  o: Required<AlertsBenchOptions>,
): Promise<LatencyResult> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const stub = await WsKalshiStub.start({ publicKey, keyId: KEY_ID, pingIntervalMs: 10_000 });
  const dataDir = await mkdtemp(join(tmpdir(), "alerts-bench-"));
  const exchange = new SimExchange();
  const emitted = new Map<string, number>();
  const latencies: number[] = [];
  const sink: AlertSink = {
    async send(_chatId, html) {
      const t = performance.now();
      const ticker = /KXB-\d+/.exec(html)?.[0];
      const start = ticker ? emitted.get(ticker) : undefined;
      if (start !== undefined) latencies.push(t - start);
      return { messageId: latencies.length };
    },
    async edit() {},
  };
  if (mode === "polling") stub.setRefuseAll(true);
  const stream = new KalshiStream({
    wsUrl: stub.url,
    keyId: KEY_ID,
    privateKey,
    backoff: { baseMs: 1000, maxMs: 5000 },
    ...(mode === "polling"
      ? { pollFallback: { exchange, intervalMs: o.pollIntervalMs, afterFailures: 0 } }
      : {}),
  });
  const svc = createFillAlerts({
    stream,
    exchange,
    sink,
    chatIds: [1],
    settings: createAlertSettingsStore(dataDir),
    dataDir,
    envTag: "sim",
    timeZone: "UTC",
    marketTitle: async (t) => `Bench ${t}`,
    coalesceWindowMs: 0,
    settlementPollMs: 0,
    orderInfoTimeoutMs: 50,
  });
  try {
    await svc.start();
    // let the initial backfill finish before measuring
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < o.fills; i++) {
      const w = wireFill({
        trade_id: `${mode}-${i}`,
        order_id: `${mode}-o-${i}`,
        market_ticker: `KXB-${i}`,
        ts_ms: Date.now(),
      });
      recordFill(exchange, w);
      emitted.set(w.market_ticker, performance.now());
      if (mode === "websocket") stub.sendFill(w);
      await new Promise((r) => setTimeout(r, o.spacingMs));
    }
    await waitFor(() => latencies.length >= o.fills, `${mode} alerts`, 30_000);
  } finally {
    await svc.stop();
    await stream.close();
    await stub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    mode: mode === "polling" ? `polling-only (every ${o.pollIntervalMs} ms)` : "websocket",
    fills: sorted.length,
    p50Ms: r(percentile(sorted, 50)),
    p99Ms: r(percentile(sorted, 99)),
    maxMs: r(sorted.at(-1) ?? NaN),
  };
}

/** Against the real sim: fill via sim control → sink.send(). */
async function measureSim(mode: "websocket" | "polling", fills: number, pollIntervalMs: number) {
  const h = await SimAlertsHarness.create();
  const emitted = new Map<number, number>();
  const latencies: number[] = [];
  try {
    // Resting bids of sizes 1..fills+1 (size 1 warms the title and order lookups and is not counted).
    for (let k = 1; k <= fills + 1; k++) await h.rest(k);
    h.sink.onSend = (html) => {
      const t = performance.now();
      const size = Number(/BUY (\d+) YES/.exec(html)?.[1]);
      const start = emitted.get(size);
      if (start !== undefined && size > 1) latencies.push(t - start);
    };
    const streamExtra =
      mode === "polling"
        ? {
            // nothing listens on the sim's port with this path: the socket never comes up
            wsUrl: h.sim.wsUrl.replace("/trade-api/ws/v2", "/no-socket-here"),
            backoff: { baseMs: 1000, maxMs: 5000 },
            pollFallback: { exchange: h.client, intervalMs: pollIntervalMs, afterFailures: 0 },
          }
        : {};
    const svc = h.service({ orderInfoTimeoutMs: 50 }, streamExtra);
    await svc.start();
    await new Promise((r) => setTimeout(r, 100)); // initial backfill
    for (let k = 1; k <= fills + 1; k++) {
      emitted.set(k, performance.now());
      h.fill(k);
      // spacing that does not line up with the poll interval
      await new Promise((r) => setTimeout(r, 17 + (k % 5) * 7));
    }
    await until(() => latencies.length >= fills, `sim ${mode} alerts`, 30_000);
  } finally {
    await h.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { p50Ms: r(percentile(sorted, 50)), p99Ms: r(percentile(sorted, 99)) };
}

export async function run(opts: AlertsBenchOptions = {}): Promise<BenchRow[]> {
  const o: Required<AlertsBenchOptions> = {
    fills: 200,
    spacingMs: 10,
    pollIntervalMs: 1000,
    simFills: 40,
    simPollIntervalMs: 500,
    ...opts,
  };
  const rows: BenchRow[] = [];
  for (const mode of ["websocket", "polling"] as const) {
    const x = await measure(mode, o);
    rows.push({ name: `alerts: stub ${x.mode}, ${x.fills} fills`, p50Ms: x.p50Ms, p99Ms: x.p99Ms });
  }
  for (const mode of ["websocket", "polling"] as const) {
    const x = await measureSim(mode, o.simFills, o.simPollIntervalMs);
    const name =
      mode === "websocket"
        ? `alerts: sim websocket, ${o.simFills} fills`
        : `alerts: sim polling-only (every ${o.simPollIntervalMs} ms), ${o.simFills} fills`;
    rows.push({ name, ...x });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run()
    .then((rows) => {
      console.log("alert latency, fill happens → sink.send()");
      console.table(rows);
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
}
