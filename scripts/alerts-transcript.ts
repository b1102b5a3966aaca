/**
 * A transcript of fill alerts across a restart, against the real sim:
 *
 *   npx tsx scripts/alerts-transcript.ts
 *
 * Starts the sim (in-process, port 0, living market off), rests two bids with the KalshiClient,
 * starts the alert service, fills the first bid (alerted live over the WebSocket), STOPS the service,
 * fills the second bid in two parts while it is stopped, starts a new instance on the same DATA_DIR,
 * and prints every message the sink received (HTML stripped). Nothing leaves 127.0.0.1.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSim } from "../src/sim/server.js";
import { KalshiClient } from "../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../src/exchange/kalshi/signer.js";
import { KalshiStream } from "../src/exchange/kalshi/stream.js";
import { createFillAlerts, createAlertSettingsStore, type AlertSink } from "../src/alerts/index.js";
import { centis, micros, MICROS_PER_CENT, displayPrice } from "../src/domain/money.js";

const strip = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const sim = await startSim({ livingMarket: false, rateLimit: false });
  const dataDir = await mkdtemp(join(tmpdir(), "alerts-transcript-"));
  const privateKey = loadPrivateKey(sim.privateKeyPem);
  const client = new KalshiClient({ baseUrl: sim.baseUrl, keyId: sim.keyId, privateKey, rateLimit: false });
  const received: string[] = [];
  let label = "";
  const sink: AlertSink = {
    async send(_chatId, html) {
      received.push(`[${label}] send: ${strip(html)}`);
      return { messageId: received.length };
    },
    async edit(_chatId, messageId, html) {
      received.push(`[${label}] edit of message ${messageId}: ${strip(html)}`);
    },
  };
  const newInstance = () =>
    createFillAlerts({
      stream: new KalshiStream({ wsUrl: sim.wsUrl, keyId: sim.keyId, privateKey }),
      exchange: client,
      sink,
      chatIds: [1],
      settings: createAlertSettingsStore(dataDir),
      dataDir,
      envTag: "sim",
      timeZone: "America/New_York",
      settlementPollMs: 0,
    });
  const log = (s: string) => console.log(`- ${s}`);

  try {
    // an open NYC-temperature bracket with room inside the spread, priced nearest 50¢
    const market = sim.engine
      .markets()
      .filter((m) => m.status === "active" && m.ticker.startsWith("KXHIGHNY-") && isWide(m.ticker))
      .sort((x, y) => distanceFromHalf(x.ticker) - distanceFromHalf(y.ticker))[0];
    if (!market) throw new Error("no open market with room inside the spread");
    const top = sim.engine.top(market.ticker);
    const price = micros(top.bid! + MICROS_PER_CENT);
    const rest = async (n: number) =>
      client.createOrder({
        ticker: market.ticker,
        side: "bid",
        count: centis(n * 100),
        price,
        timeInForce: "good_till_canceled",
        clientOrderId: randomUUID(),
      });
    const fill = (n: number) =>
      sim.trade({ ticker: market.ticker, side: "ask", price, count: n }).order.filled / 100;

    const a = await rest(5);
    const b = await rest(10);
    log(
      `rested two bids on ${market.ticker} at ${displayPrice(price)}: 5 (${a.orderId.slice(0, 8)}) and 10 (${b.orderId.slice(0, 8)})`,
    );

    label = "instance 1";
    const first = newInstance();
    await first.start();
    log("instance 1 started");
    log(`fill: another account sells ${fill(5)} into the first bid`);
    await until(() => received.length >= 1, "the live alert");
    await first.stop();
    log("instance 1 stopped");

    log(`fill while stopped: ${fill(4)} of the second bid`);
    await sleep(20);
    log(`fill while stopped: ${fill(6)} more of the second bid`);

    label = "instance 2";
    const second = newInstance();
    await second.start();
    log("instance 2 started on the same DATA_DIR");
    await until(() => received.some((r) => r.startsWith("[instance 2]")), "the backfilled alert");
    await sleep(500); // anything repeated would show up now
    await second.stop();
    log("instance 2 stopped");

    console.log("\nMessages the sink received:");
    for (const r of received) console.log(r);
  } finally {
    await client.close();
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  function distanceFromHalf(ticker: string): number {
    return Math.abs((sim.engine.top(ticker).bid ?? 0) - 500_000);
  }

  function isWide(ticker: string): boolean {
    const t = sim.engine.top(ticker);
    return t.bid !== null && t.ask !== null && t.ask - t.bid >= 2 * MICROS_PER_CENT;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
