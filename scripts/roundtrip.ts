/**
 * A round trip through the project's own Kalshi client against the local sim, printed as a
 * readable transcript: balance, a resting limit buy, a trade against it (sim control), the fill and
 * position, settlement YES, the final balance; then createOrder throughput through the client.
 *
 * Run: npx tsx scripts/roundtrip.ts [N]      (N = orders for the throughput part, default 300)
 *
 * Nothing here touches the network beyond 127.0.0.1; the sim runs in memory and is closed at the end.
 */
import { randomUUID } from "node:crypto";
import { KalshiClient } from "../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../src/exchange/kalshi/signer.js";
import type { Market, Order } from "../src/exchange/port.js";
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  displayCount,
  displayPrice,
  displayUsd,
  formatCount,
  formatDollars,
  micros,
} from "../src/domain/money.js";
import { startSim, type SimServer } from "../src/sim/server.js";

const N = Number(process.argv[2] ?? 300);
const ONE = 1_000_000;

const say = (s = ""): void => console.log(s);
const step = (n: number, s: string): void => say(`\n${n}. ${s}`);

async function control(sim: SimServer, path: string, body: unknown): Promise<unknown> {
  say(`   → sim control: POST /sim${path} ${JSON.stringify(body)}`);
  const res = await fetch(sim.controlUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sim control ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

function orderLine(o: Order): string {
  const what = o.bookSide === "bid" ? "buy YES" : "sell YES";
  return (
    `${o.status.padEnd(8)} ${what} ${displayCount(o.initialCount)} @ ${displayPrice(o.yesPrice)}` +
    ` (filled ${displayCount(o.fillCount)}, resting ${displayCount(o.remainingCount)})  id ${o.orderId.slice(0, 8)}…`
  );
}

async function showBalance(k: KalshiClient, label: string): Promise<Micros> {
  const b = await k.getBalance();
  say(`   ${label}: ${displayUsd(b.balance)} available, portfolio value ${displayUsd(b.portfolioValue)}`);
  return b.balance;
}

async function roundTrip(sim: SimServer, k: KalshiClient): Promise<void> {
  step(1, "Balance");
  const start = await showBalance(k, "balance");

  step(2, "Pick an open market with room inside the spread");
  const open = await k.getMarkets({ seriesTicker: "KXHIGHNY", status: "open" });
  const m: Market | undefined = open
    .filter((x) => x.yesBid !== null && x.yesAsk !== null && x.yesAsk - x.yesBid >= 2 * MICROS_PER_CENT)
    .sort((a, b) => Math.abs(a.yesBid! - ONE / 2) - Math.abs(b.yesBid! - ONE / 2))[0];
  if (!m || m.yesBid === null || m.yesAsk === null) throw new Error("no market with a 2¢ spread");
  say(`   ${m.ticker}: ${m.title} — ${m.yesSubTitle}`);
  say(`   best YES bid ${displayPrice(m.yesBid)}, best YES ask ${displayPrice(m.yesAsk)}`);

  const price = micros(m.yesBid + MICROS_PER_CENT);
  const count = 1000 as Centis; // 10 contracts
  step(
    3,
    `Place a resting limit buy: ${displayCount(count)} YES @ ${displayPrice(price)} (good till canceled)`,
  );
  const created = await k.createOrder({
    ticker: m.ticker,
    side: "bid",
    price,
    count,
    timeInForce: "good_till_canceled",
    clientOrderId: randomUUID(),
  });
  say(
    `   created ${created.orderId.slice(0, 8)}…: filled ${displayCount(created.fillCount)}, resting ${displayCount(created.remainingCount)}`,
  );

  step(4, "It rests on the book");
  for (const o of await k.getOrders({ status: "resting" })) say(`   ${orderLine(o)}`);
  const ob = await k.getOrderbook(m.ticker, 3);
  say(
    `   book YES bids: ${ob.yesBids.map((l) => `${displayCount(l.count)}@${displayPrice(l.price)}`).join(", ")}`,
  );
  await showBalance(k, `balance (${displayUsd(micros((price * count) / 100))} reserved for the order)`);

  step(5, "Another trader sells into it (the sim trades against our order)");
  await control(sim, "/trade", {
    ticker: m.ticker,
    side: "ask",
    price: formatDollars(price),
    count: formatCount(count),
  });

  step(6, "The fill, the order and the position");
  const fills = await k.getFills({ orderId: created.orderId });
  for (const f of fills) {
    say(
      `   fill ${f.fillId.slice(0, 8)}…: ${f.bookSide === "bid" ? "bought" : "sold"} ${displayCount(f.count)} ${f.outcomeSide.toUpperCase()}` +
        ` @ ${displayPrice(f.yesPrice)} as ${f.isTaker ? "taker" : "maker"}, fee ${displayUsd(f.fee, { exact: true })}` +
        `, at ${new Date(f.createdTime).toISOString()}`,
    );
  }
  say(`   ${orderLine(await k.getOrder(created.orderId))}`);
  for (const p of await k.getPositions()) {
    say(
      `   position ${p.ticker}: ${displayCount(p.position)} YES, cost ${displayUsd(p.marketExposure)}, fees paid ${displayUsd(p.feesPaid)}`,
    );
  }
  await showBalance(k, "balance");

  step(7, "The market settles YES");
  await control(sim, "/settle", { ticker: m.ticker, result: "yes" });
  for (const s of await k.getSettlements({ ticker: m.ticker })) {
    say(
      `   settlement ${s.ticker}: result ${s.marketResult.toUpperCase()}, ${displayCount(s.yesCount)} YES / ${displayCount(s.noCount)} NO,` +
        ` cost ${displayUsd(micros(s.yesTotalCost + s.noTotalCost))}, paid out ${displayUsd(s.revenue)}, fees ${displayUsd(s.fee)}`,
    );
  }
  const mkt = await k.getMarket(m.ticker);
  say(`   market status ${mkt.status}, result ${mkt.result}`);
  const positions = await k.getPositions();
  say(`   open positions: ${positions.length}`);

  step(8, "Final balance");
  const end = await showBalance(k, "balance");
  const fees = fills.reduce((s, f) => s + f.fee, 0);
  const expected = start - (price * count) / 100 - fees + (count / 100) * ONE;
  say(
    `   change ${displayUsd(micros(end - start), { sign: true })} = ${displayCount(count)} × ($1.00 − ${displayPrice(price)}) − fees ${displayUsd(micros(fees))}` +
      ` → ${end === expected ? "matches to the micro-dollar" : `MISMATCH, expected ${displayUsd(micros(expected))}`}`,
  );
  say(`   sim money check (all accounts): discrepancy ${sim.engine.moneyDiscrepancy()} micro-dollars`);
}

async function throughput(sim: SimServer, k: KalshiClient, concurrency: number): Promise<void> {
  const ms = sim.engine
    .markets()
    .filter((x) => x.status === "active" && x.priceLevelStructure === "linear_cent");
  let next = 0;
  let filled = 0;
  const one = async (i: number): Promise<void> => {
    const m = ms[i % ms.length]!;
    const top = sim.engine.top(m.ticker);
    const price = micros(Math.min(99 * MICROS_PER_CENT, (top.ask ?? 50 * MICROS_PER_CENT) + MICROS_PER_CENT));
    const r = await k.createOrder({
      ticker: m.ticker,
      side: "bid",
      price,
      count: 100 as Centis,
      timeInForce: "immediate_or_cancel",
      clientOrderId: randomUUID(),
    });
    if (r.fillCount > 0) filled++;
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < N) await one(next++);
    }),
  );
  const s = (performance.now() - t0) / 1000;
  say(
    `   ${N} IOC orders, ${concurrency} in flight: ${s.toFixed(2)} s → ${Math.round(N / s)} orders/s (${filled} filled${filled < N ? ", the rest found no liquidity" : ""})`,
  );
}

async function main(): Promise<void> {
  const sim = await startSim({ livingMarket: false, rateLimit: false });
  const clients: KalshiClient[] = [];
  const sims: SimServer[] = [sim];
  try {
    say(`Sim listening at ${sim.baseUrl} (in memory, living market off)`);
    const k = await KalshiClient.create({
      baseUrl: sim.baseUrl,
      keyId: sim.keyId,
      privateKey: loadPrivateKey(sim.privateKeyPem),
    });
    clients.push(k);
    say(`Client: the project's KalshiClient, every request RSA-PSS signed, Basic-tier rate budget`);
    await roundTrip(sim, k);

    say("\nThroughput of createOrder through the client (a fresh sim; sim and client rate limits off):");
    const bench = await startSim({
      livingMarket: false,
      rateLimit: false,
      startingBalance: micros(10_000 * ONE),
    });
    sims.push(bench);
    const fast = await KalshiClient.create({
      baseUrl: bench.baseUrl,
      keyId: bench.keyId,
      privateKey: loadPrivateKey(bench.privateKeyPem),
      rateLimit: false,
    });
    clients.push(fast);
    await throughput(bench, fast, 1);
    await throughput(bench, fast, 8);
    say(`   sim money check: discrepancy ${bench.engine.moneyDiscrepancy()} micro-dollars`);
    say("   (Real Kalshi's Basic tier allows 10 order writes per second; the client queues beyond that.)");
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(sims.map((x) => x.close()));
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
