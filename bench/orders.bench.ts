/**
 * /orders with 100 resting orders and their queue positions, against the exchange double
 * (tests/support/simExchange.ts) with a per-request latency: the list as the bot reads it (one page of
 * resting orders, one queue read batched 100 markets to a request) and renders it (every page of
 * order cards), next to a naive baseline that asks for each order's queue position on its own.
 * Run: npx tsx bench/orders.bench.ts [orders] [latencyMs]
 */
import { pathToFileURL } from "node:url";
import { contracts, parseDollars } from "../src/domain/money.js";
import type { Order } from "../src/exchange/port.js";
import { orderCard, pageCards } from "../src/bot/orderCards.js";
import { restingOrders } from "../src/trading/orderList.js";
import type { RestingOrders } from "../src/trading/types.js";
import { SimExchange } from "../tests/support/simExchange.js";

export interface OrdersBenchResult {
  orders: number;
  latencyMs: number;
  pages: number;
  batched: { requests: number; ms: number };
  naive: { requests: number; ms: number };
}

/** `orders` resting bids, one market each, each behind a level of 10 contracts (a queue to report). */
async function world(orders: number, latencyMs: number): Promise<SimExchange> {
  const now = Date.now();
  const fx = new SimExchange({ now: () => now, balance: "100000" });
  for (let i = 0; i < orders; i++) {
    const t = `KXBENCH${i}-26DEC31-T${i}`;
    fx.addMarket({ ticker: t, title: `Bench market ${i}` });
    fx.setBook(t, { yes: [["0.40", 10]], no: [["0.55", 10]] });
    await fx.createOrder({
      ticker: t,
      side: "bid",
      count: contracts(3),
      price: parseDollars("0.40"),
      timeInForce: "good_till_canceled",
      clientOrderId: `bench-${i}`,
    });
  }
  fx.resetCalls();
  fx.latencyMs = latencyMs;
  return fx;
}

/** Every page of order cards, as the bot renders them; returns the page count. */
function render(r: RestingOrders): number {
  const c = { timeZone: "America/New_York", now: Date.now(), queue: r.queue };
  return pageCards(r.orders.map((o, i) => orderCard(o, i + 1, null, c))).length;
}

/** What a first implementation would do: one queue read per order. */
async function naiveList(fx: SimExchange): Promise<RestingOrders> {
  const orders: Order[] = await fx.getOrders({ status: "resting" });
  const queue = new Map<string, number>();
  for (const o of orders) {
    const one = await fx.getQueuePositions([o.ticker]);
    const ahead = one.get(o.orderId);
    if (ahead !== undefined) queue.set(o.orderId, ahead);
  }
  return { orders, queue: queue as RestingOrders["queue"] };
}

export async function run(orders = 100, latencyMs = 2): Promise<OrdersBenchResult> {
  // Warm-up (JIT, first parses) on a small world, so neither side pays it.
  const w = await world(5, 0);
  render(await restingOrders(w));
  render(await naiveList(w));

  const a = await world(orders, latencyMs);
  let t = performance.now();
  const list = await restingOrders(a);
  const pages = render(list);
  const batched = { requests: a.requests, ms: performance.now() - t };
  if (list.orders.length !== orders || list.queue?.size !== orders)
    throw new Error("orders bench: wrong list");
  if ([...list.queue.values()].some((q) => q !== 1000))
    throw new Error("orders bench: wrong queue positions");

  const b = await world(orders, latencyMs);
  t = performance.now();
  render(await naiveList(b));
  const naive = { requests: b.requests, ms: performance.now() - t };

  const result = { orders, latencyMs, pages, batched, naive };
  console.log(
    `orders: ${orders} resting orders in ${orders} markets, ${latencyMs} ms per request (exchange double)`,
  );
  console.log(
    `  batched : ${batched.requests} requests, ${batched.ms.toFixed(1)} ms (${pages} pages rendered)`,
  );
  console.log(
    `  naive   : ${naive.requests} requests, ${naive.ms.toFixed(1)} ms (one queue request per order)`,
  );
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, l] = process.argv.slice(2).map(Number);
  await run(n || 100, l || 2);
}
