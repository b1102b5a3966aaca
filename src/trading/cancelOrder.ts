/**
 * Cancelling one order, answered as a CancelOutcome (types.ts) the bot renders. Kalshi answers a
 * cancel of an order that is no longer resting (canceled, filled, or never ours) with a 404, so on a
 * 404 the order is read by id to tell the user what happened to it instead of "something went wrong".
 */
import { KalshiApiError } from "../exchange/errors.js";
import type { ExchangePort, Order } from "../exchange/port.js";
import type { TradeJournal } from "./journal.js";
import type { MarketSnapshots } from "./snapshots.js";
import { type CancelOutcome, UserError } from "./types.js";

export interface CancelDeps {
  exchange: ExchangePort;
  journal: Pick<TradeJournal, "record">;
  snapshots: MarketSnapshots;
}

const isNotFound = (e: unknown) => e instanceof KalshiApiError && e.status === 404;

/** Cancels `orderId`, routed by `ticker` (else read from the order). Throws only a UserError. */
export async function cancelOrder(d: CancelDeps, orderId: string, ticker?: string): Promise<CancelOutcome> {
  const id = orderId.trim();
  if (!id) throw new UserError("Which order? Give its order id.", "missing_order_id");
  let market = ticker?.trim();
  if (!market) {
    // Kalshi routes a cancel by the order's market; a read by id needs no routing.
    let o: Order;
    try {
      o = await d.exchange.getOrder(id);
    } catch (e) {
      return isNotFound(e) ? { kind: "notFound", orderId: id } : { kind: "unknown", orderId: id, cause: e };
    }
    if (o.status !== "resting") return gone(o);
    market = o.ticker;
  }
  try {
    const res = await d.exchange.cancelOrder(id, market);
    d.journal.record({
      type: "order_canceled",
      orderId: res.orderId,
      ticker: market,
      clientOrderId: res.clientOrderId,
      canceledCount: res.reducedBy,
    });
    return { kind: "canceled", orderId: res.orderId, canceledCount: res.reducedBy };
  } catch (e) {
    if (!isNotFound(e)) return { kind: "unknown", orderId: id, cause: e };
    return whatBecameOf(d, id, e);
  } finally {
    d.snapshots.drop(market);
  }
}

/** After a 404 on cancel: the order as it is now (gone), none at all, or unknown when it still rests. */
async function whatBecameOf(d: CancelDeps, id: string, cancelError: unknown): Promise<CancelOutcome> {
  let o: Order;
  try {
    o = await d.exchange.getOrder(id);
  } catch (e) {
    return isNotFound(e)
      ? { kind: "notFound", orderId: id }
      : { kind: "unknown", orderId: id, cause: cancelError };
  }
  // Still resting after a 404 (e.g. routed to the wrong shard): the cancel did not happen.
  return o.status === "resting" ? { kind: "unknown", orderId: id, cause: cancelError } : gone(o);
}

function gone(o: Order): CancelOutcome {
  return {
    kind: "alreadyGone",
    orderId: o.orderId,
    status: o.status === "executed" ? "executed" : "canceled",
    at: o.lastUpdateTime,
  };
}
