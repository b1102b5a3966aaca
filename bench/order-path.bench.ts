/**
 * Order path overhead: from the Confirm tap reaching the bot to the exchange receiving the order POST,
 * through the real wiring (createApp: config → KalshiClient → trading services → bot, grammY
 * conversations included), next to a bare signed POST of the same order body (fetch + signRequest),
 * measured in the same run against the same sim.
 *
 * The clock stops when a small HTTP proxy in front of the sim sees the request line of
 * POST /trade-api/v2/portfolio/events/orders (before the body is read, before the sim works on it), so
 * both paths are measured to the same point and the sim's own work is in neither.
 *
 *   npx tsx bench/order-path.bench.ts [orders]      (bench/run.ts calls run())
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createApp, type App } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { loadPrivateKey, signRequest } from "../src/exchange/kalshi/signer.js";
import { withTimeout } from "../src/shared/async.js";
import { startSim, type SimServer } from "../src/sim/server.js";
import { median, percentile } from "./util.js";

const ORDER_PATH = "/trade-api/v2/portfolio/events/orders";
const USER = 4242;

export interface OrderPathResult {
  orders: number;
  warmup: number;
  /** Confirm tap → POST at the exchange, ms, one per order. */
  botMs: number[];
  /** signRequest + fetch → POST at the exchange, ms, one per order. */
  bareMs: number[];
  botP50Ms: number;
  botP90Ms: number;
  bareP50Ms: number;
  bareP90Ms: number;
  /**
   * Where the bot's time goes, p50 per part, from the outbox's "tapped" checkpoint: tap → "tapped"
   * (grammY, access, button HMAC, conversation replay), "tapped" → POST (executor checks, journal
   * line, signing, HTTP client). The tap's answer, the button removal and the outbox's durable write
   * (tmp file + fsync + rename) run beside the POST; `writeP50Ms` is that write's own time.
   */
  parts: { beforePlaceP50Ms: number; placeP50Ms: number; writeP50Ms: number };
  /** `/buy` → quote card, ms, every order including warm-up (back-to-back: the client's read budget shows). */
  quoteMs: number[];
  /** Exchange requests per `/buy` quote, average. */
  quoteRequests: number;
  /** Orders the sim accepted (HTTP 201) over both paths, warm-up included. */
  accepted: number;
}

interface Arrival {
  at: number;
  body: string;
  status: Promise<number>;
}

/** A pass-through HTTP proxy that timestamps every order-create request line. */
async function startProxy(target: URL): Promise<{
  url: string;
  nextOrder(): Promise<Arrival>;
  /** Requests seen so far. */
  readonly requests: number;
  close(): Promise<void>;
}> {
  let requests = 0;
  const agent = new http.Agent({ keepAlive: true });
  const waiting: ((a: Arrival) => void)[] = [];
  const early: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const at = performance.now();
    requests++;
    const isOrder = req.method === "POST" && req.url === ORDER_PATH;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    let settle: (n: number) => void = () => undefined;
    const status = new Promise<number>((r) => (settle = r));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host, "content-length": String(body.length) },
          agent,
        },
        (upRes) => {
          settle(upRes.statusCode ?? 0);
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on("error", () => {
        settle(502);
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      up.end(body);
      if (isOrder) {
        const a: Arrival = { at, body: body.toString("utf8"), status };
        const w = waiting.shift();
        if (w) w(a);
        else early.push(a);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    nextOrder: () => {
      const a = early.shift();
      return a ? Promise.resolve(a) : new Promise<Arrival>((r) => waiting.push(r));
    },
    get requests() {
      return requests;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}

export async function run(opts: { orders?: number; warmup?: number } = {}): Promise<OrderPathResult> {
  const orders = opts.orders ?? 50;
  const warmup = opts.warmup ?? 5;
  const dir = await mkdtemp(join(tmpdir(), "order-path-bench-"));
  let sim: SimServer | undefined;
  let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
  let app: App | undefined;
  try {
    sim = await startSim({ livingMarket: false, rateLimit: false });
    proxy = await startProxy(new URL(sim.baseUrl));
    const baseUrl = `${proxy.url}/trade-api/v2`;
    const privateKey = loadPrivateKey(sim.privateKeyPem);
    const loaded = loadConfig(
      {
        KALSHI_ENVIRONMENT: "sim",
        TELEGRAM_ALLOWED_USER_IDS: String(USER),
        LOG_DIR: join(dir, "logs"),
        DATA_DIR: join(dir, "data"),
        DISPLAY_TIMEZONE: "UTC",
      },
      { cwd: dir },
    );
    const config = { ...loaded, kalshi: { ...loaded.kalshi, baseUrl, keyId: sim.keyId, privateKey } };
    const api = new LocalBotApi();
    // The outbox's checkpoints stamp the tap reaching it and its "confirmed" write (beside the POST).
    const stamps = new Map<string, number>();
    app = await createApp({
      config,
      token: api.token,
      botConfig: { client: { fetch: api.clientFetch } },
      console: false,
      outbox: {
        checkpoint: (step) => {
          if (step === "tapped" || step === "confirmed") stamps.set(step, performance.now());
        },
      },
    });
    await app.bot.init();
    const bot = app.bot;
    api.setHandler((u) => bot.handleUpdate(u));

    const market = sim.engine
      .markets()
      .find((m) => m.status === "active" && m.priceLevelStructure === "linear_cent");
    if (!market) throw new Error("order path bench: the sim has no open linear_cent market");

    // Alternating, so that both paths see the same conditions: (1) through the bot — /buy (quote card)
    // untimed, then the timed Confirm tap; (2) bare — the same body with a fresh client_order_id,
    // signed and sent with plain fetch.
    const url = `${baseUrl}/portfolio/events/orders`;
    const botMs: number[] = [];
    const bareMs: number[] = [];
    const quoteMs: number[] = [];
    const beforePlaceMs: number[] = [];
    const placeMs: number[] = [];
    const writeMs: number[] = [];
    let quoteRequests = 0;
    let sample: Record<string, unknown> | undefined;
    let accepted = 0;
    for (let i = 0; i < warmup + orders; i++) {
      const q0 = performance.now();
      const r0 = proxy.requests;
      await api.sendText(USER, USER, `/buy ${market.ticker} yes 1 @0.03`);
      quoteMs.push(performance.now() - q0);
      quoteRequests += proxy.requests - r0;
      const confirm = api.findButton(USER, "Confirm");
      if (!confirm) {
        throw new Error(
          `order path bench: no Confirm button; the bot said: ${api.lastBotMessage(USER)?.text}`,
        );
      }
      let arrival = proxy.nextOrder();
      stamps.clear();
      let t0 = performance.now();
      const handled = api.tap(USER, USER, confirm.messageId, confirm.data);
      let a = await withTimeout(arrival, 10_000, "order path bench: the bot's order POST");
      await handled;
      if ((await a.status) === 201) accepted++;
      if (i >= warmup) {
        botMs.push(a.at - t0);
        const tapped = stamps.get("tapped") ?? NaN;
        const confirmed = stamps.get("confirmed") ?? NaN;
        beforePlaceMs.push(tapped - t0);
        placeMs.push(a.at - tapped);
        writeMs.push(confirmed - tapped);
      }
      sample ??= JSON.parse(a.body) as Record<string, unknown>;

      const body = JSON.stringify({ ...sample, client_order_id: crypto.randomUUID() });
      arrival = proxy.nextOrder();
      t0 = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { ...signRequest(privateKey, sim.keyId, "POST", url), "content-type": "application/json" },
        body,
      });
      a = await withTimeout(arrival, 10_000, "order path bench: the bare order POST");
      await res.arrayBuffer();
      if (res.status === 201) accepted++;
      if (i >= warmup) bareMs.push(a.at - t0);
    }

    if (accepted !== 2 * (warmup + orders)) {
      throw new Error(`order path bench: the sim accepted ${accepted} of ${2 * (warmup + orders)} orders`);
    }
    const result: OrderPathResult = {
      orders,
      warmup,
      botMs,
      bareMs,
      botP50Ms: median(botMs),
      botP90Ms: percentile(botMs, 90),
      bareP50Ms: median(bareMs),
      bareP90Ms: percentile(bareMs, 90),
      parts: {
        beforePlaceP50Ms: median(beforePlaceMs),
        placeP50Ms: median(placeMs),
        writeP50Ms: median(writeMs),
      },
      quoteMs,
      quoteRequests: quoteRequests / quoteMs.length,
      accepted,
    };
    console.log(
      `order path: Confirm tap → POST p50 ${result.botP50Ms.toFixed(2)} ms (p90 ${result.botP90Ms.toFixed(2)}); ` +
        `bare signed fetch p50 ${result.bareP50Ms.toFixed(2)} ms (p90 ${result.bareP90Ms.toFixed(2)})\n` +
        `  bot parts p50: tap → outbox ${result.parts.beforePlaceP50Ms.toFixed(2)} ms, ` +
        `outbox → POST ${result.parts.placeP50Ms.toFixed(2)} ms ` +
        `(durable outbox write beside the POST: ${result.parts.writeP50Ms.toFixed(2)} ms)`,
    );
    return result;
  } finally {
    await app?.stop();
    await proxy?.close();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run({ orders: Number(process.argv[2]) || 50 });
}
