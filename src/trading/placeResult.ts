/**
 * What the exchange says a placed order did, in the intent's terms (prices of the intent's outcome,
 * fees in total, the part that closed another position, why an IOC filled less). Separate from
 * placeOrder.ts, which decides whether and what to send: this file only reads and translates.
 */
import { type Centis, averagePrice, complementPrice, micros, mulPriceCount } from "../domain/money.js";
import type { CreateOrderResult, ExchangePort, Order } from "../exchange/port.js";
import { outcomePrice } from "./prices.js";
import { heldOf } from "./quote.js";
import type { PlaceResult, Quote } from "./types.js";

type Reads = Pick<ExchangePort, "getOrder" | "getPositions">;

/** A create answer as a result: an IOC never rests; a GTC rests what it did not fill. */
export function resultFromCreate(q: Quote, res: CreateOrderResult, count: Centis): PlaceResult {
  const filled = res.fillCount;
  const ioc = q.wire.timeInForce !== "good_till_canceled";
  const resting = ioc ? (0 as Centis) : res.remainingCount;
  let status: PlaceResult["status"];
  if (ioc) status = filled > 0 && filled >= count ? "executed" : "canceled";
  else if (resting > 0) status = "resting";
  else status = filled > 0 ? "executed" : "canceled";
  return {
    orderId: res.orderId,
    clientOrderId: q.clientOrderId,
    status,
    filledCount: filled,
    averagePrice:
      filled > 0 && res.averageFillPrice !== null
        ? outcomePrice(q.intent.outcome, res.averageFillPrice)
        : null,
    fees: filled > 0 && res.averageFeePaid !== null ? mulPriceCount(res.averageFeePaid, filled) : micros(0),
    restingCount: resting,
  };
}

/** An order read back (a repeat of a quote already sent) as a result. */
export function resultFromOrder(q: Quote, o: Order): PlaceResult {
  const cost = micros(o.takerFillCost + o.makerFillCost);
  // Fill costs are in the price of the order's own outcome (bid → YES, ask → NO); a sell's order is
  // on the other outcome than the intent's.
  const avg = o.fillCount > 0 ? averagePrice(cost, o.fillCount) : null;
  return {
    orderId: o.orderId,
    clientOrderId: q.clientOrderId,
    status: o.status,
    filledCount: o.fillCount,
    averagePrice: avg === null ? null : o.outcomeSide === q.intent.outcome ? avg : complementPrice(avg),
    fees: micros(o.takerFees + o.makerFees),
    restingCount: o.status === "resting" ? o.remainingCount : (0 as Centis),
  };
}

/** What the intent's outcome is held now in its ticker (sells sell the intent's outcome). */
export async function heldNow(exchange: Pick<ExchangePort, "getPositions">, q: Quote): Promise<Centis> {
  const ticker = q.intent.ticker;
  const pos =
    (await exchange.getPositions({ ticker })).find((p) => p.ticker.toUpperCase() === ticker)?.position ?? 0;
  return heldOf(q.intent.outcome, pos);
}

/**
 * The create response only carries an average fee per contract (rounded to its decimals), so
 * average × count can be off by a fraction of a cent (and a create recovered by the client after a
 * dropped connection has no averages at all). Reads the order for the exact total; keeps the
 * estimate when the read fails or the order has filled further since (a resting remainder).
 */
export async function withExactFees(exchange: Reads, q: Quote, r: PlaceResult): Promise<PlaceResult> {
  try {
    const o = await exchange.getOrder(r.orderId);
    if (o.fillCount !== r.filledCount) return r;
    const fromOrder = resultFromOrder(q, o);
    // A create answer recovered after a dropped connection carries no average price.
    return { ...r, fees: fromOrder.fees, averagePrice: r.averagePrice ?? fromOrder.averagePrice };
  } catch {
    return r;
  }
}

/**
 * How many of a buy's `filled` contracts closed the other outcome's position. Read from the
 * position after the fill (before = after − this fill), so a position that changed between the
 * quote and the confirm is described as it was; the quote's figure when the read fails.
 */
export async function closedPart(exchange: Reads, q: Quote, filled: Centis): Promise<PlaceResult["closed"]> {
  if (!q.closes || filled <= 0) return undefined;
  let held: number = q.closes.count;
  try {
    const ticker = q.intent.ticker;
    const after =
      (await exchange.getPositions({ ticker })).find((p) => p.ticker.toUpperCase() === ticker)?.position ?? 0;
    const before = after - (q.wire.side === "bid" ? filled : -filled);
    held = heldOf(q.closes.outcome, before);
  } catch {
    // keep the quote's figure
  }
  const count = Math.min(filled, held) as Centis;
  return count > 0 ? { outcome: q.closes.outcome, count } : undefined;
}

/**
 * Why an immediate-or-cancel order filled less than asked, from the exchange's own state after
 * its answer: a reduce-only sell whose holding (now + what it sold) was below the count was capped
 * at the position (e.g. another user sold it first); otherwise nobody traded at the limit. Left
 * out (the bot then says only what happened) when the position cannot be read.
 */
export async function whyUnfilled(
  exchange: Reads,
  q: Quote,
  count: Centis,
  r: PlaceResult,
): Promise<PlaceResult["unfilled"]> {
  if (q.wire.timeInForce === "good_till_canceled" || r.filledCount >= count) return undefined;
  if (!q.wire.reduceOnly) return { reason: "no_liquidity", held: null };
  try {
    const held = ((await heldNow(exchange, q)) + r.filledCount) as Centis;
    return held < count ? { reason: "no_position", held } : { reason: "no_liquidity", held };
  } catch {
    return undefined;
  }
}

/** A result with the exact fees and, for a buy that closed a position, the closed part. */
export async function withFillDetails(exchange: Reads, q: Quote, r: PlaceResult): Promise<PlaceResult> {
  if (r.filledCount <= 0) return r;
  const [exact, closed] = await Promise.all([
    withExactFees(exchange, q, r),
    closedPart(exchange, q, r.filledCount),
  ]);
  return closed ? { ...exact, closed } : exact;
}
