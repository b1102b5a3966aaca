/**
 * The resting orders a list screen shows, and "Cancel all" over them.
 *
 * The list is one read of the resting orders and one batched queue read for their markets (the port
 * sends 100 markets to a request), never a request per order. The queue is extra: when its read
 * fails the list still shows, without queue positions.
 *
 * "Cancel all" is Kalshi's cancel-all endpoint (one request for every shard, 2 tokens) between two
 * reads of the resting orders, so the user learns which orders it canceled and which rest after it;
 * each order gone between the reads is read once more, since one may have filled instead.
 * Kalshi warns it "may also" cancel orders placed in the minute after; the bot says so when it asks.
 */
import type { Centis } from "../domain/money.js";
import type { ExchangePort, Order, OrderRef } from "../exchange/port.js";
import type { CancelDeps } from "./cancelOrder.js";
import type { CancelAllResult, RestingOrders } from "./types.js";

export async function restingOrders(exchange: ExchangePort): Promise<RestingOrders> {
  const orders = await exchange.getOrders({ status: "resting" });
  if (orders.length === 0) return { orders, queue: new Map() };
  try {
    return { orders, queue: await exchange.getQueuePositions([...new Set(orders.map((o) => o.ticker))]) };
  } catch {
    return { orders, queue: null };
  }
}

export async function cancelAllResting(d: CancelDeps, listed?: OrderRef[]): Promise<CancelAllResult> {
  const before = await d.exchange.getOrders({ status: "resting" });
  // Nothing rests: no call, so no order placed in the next minute is caught by it.
  if (before.length === 0) return { canceled: [], filled: [], unlisted: [], resting: [] };
  await d.exchange.cancelAllOrders();
  for (const t of new Set(before.map((o) => o.ticker))) d.snapshots.drop(t);
  let after: Order[] | null = null;
  try {
    after = await d.exchange.getOrders({ status: "resting" });
  } catch {
    // The cancel stands (Kalshi answered 204: every resting order canceled); /orders shows the rest.
  }
  const still = new Set((after ?? []).map((o) => o.orderId));
  const { canceled, filled } = await settledBy(
    d.exchange,
    before.filter((o) => !still.has(o.orderId)),
  );
  for (const o of canceled) {
    d.journal.record({
      type: "order_canceled",
      orderId: o.orderId,
      ticker: o.ticker,
      clientOrderId: o.clientOrderId,
      canceledCount: o.remainingCount,
    });
  }
  const shown = new Set((listed ?? []).map((o) => o.orderId));
  const unlisted = listed ? canceled.filter((o) => !shown.has(o.orderId)).map((o) => o.orderId) : [];
  return { canceled, filled, unlisted, resting: after };
}

/** Orders read at once while confirming what the cancel-all did (the client paces them). */
const CONFIRM_AT_ONCE = 4;

/**
 * What became of the orders that rested before the call and not after: each is read once. An order
 * can fill between the first read and the cancel; calling it "canceled" would hide a position the user
 * now holds. Canceled ones carry what the cancel took (what rested, less what filled meanwhile); one
 * whose read fails is counted canceled, as Kalshi's 204 says.
 */
async function settledBy(
  exchange: ExchangePort,
  gone: Order[],
): Promise<{ canceled: Order[]; filled: Order[] }> {
  const now: (Order | null)[] = new Array<Order | null>(gone.length).fill(null);
  for (let i = 0; i < gone.length; i += CONFIRM_AT_ONCE) {
    const batch = gone.slice(i, i + CONFIRM_AT_ONCE);
    const read = await Promise.all(batch.map((o) => exchange.getOrder(o.orderId).catch(() => null)));
    read.forEach((o, j) => (now[i + j] = o));
  }
  const canceled: Order[] = [];
  const filled: Order[] = [];
  gone.forEach((was, i) => {
    const o = now[i];
    if (o?.status === "executed") return void filled.push(o);
    const filledSince = o ? Math.max(0, o.fillCount - was.fillCount) : 0;
    const took = Math.max(0, was.remainingCount - filledSince) as Centis;
    canceled.push({ ...was, ...(o ? { fillCount: o.fillCount } : {}), remainingCount: took });
  });
  return { canceled, filled };
}
