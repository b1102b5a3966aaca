/**
 * AmendOrderV2 on a resting order: its refusals (an open market, tick, a total above what is
 * filled, a future expiry, a free new client id, a post-only order that would cross), the cash
 * check when it loses its queue place, and the amend itself: in place (smaller size, expiry, id) or
 * re-priced to the back of the queue and matched again.
 */
import { type Centis, type Micros, centis, formatCount, micros } from "../../domain/money.js";
import type { SimEngine } from "../engine.js";
import { cashNeeded, crossable, requireCash } from "./cash.js";
import type { EngineInternals } from "./internals.js";
import { crosses } from "./orderBook.js";
import { duplicateClientOrderId, requireOpenMarket, requireValidPrice } from "./orders.js";
import { type Account, type AmendInput, type AmendResult, type SimOrder, SimError } from "./types.js";

export type AmendDeps = Pick<
  EngineInternals,
  "engine" | "books" | "clientIds" | "credit" | "shrink" | "nextSeq" | "match" | "orderByClientId"
>;

/**
 * AmendOrderV2: `count` is the new total (filled + resting). Lowering the size or changing only
 * the expiry keeps the order's place in the queue; a new price or a larger size sends it to the
 * back (a new time priority) and may trade right away at the new price.
 */
export function amend(d: AmendDeps, accountId: string, orderId: string, input: AmendInput): AmendResult {
  const { engine } = d;
  engine.checkSchedule();
  const o = engine.state.orders[orderId];
  if (!o || o.accountId !== accountId || o.status !== "resting") {
    throw new SimError(404, "not_found", "order not found", `no open order ${orderId}`);
  }
  const acct = engine.account(accountId);
  const m = engine.market(o.ticker);
  const now = engine.now();
  checkAmend(d, o, input, now);
  const remaining = centis(input.count - o.filled);
  const losesPriority = input.price !== o.price || remaining > o.remaining;
  if (losesPriority && !acct.unlimited) requireAmendCash(engine, acct, o, input.price, remaining);
  amendExpiryAndId(d, o, input);
  if (!losesPriority) {
    const sizeChanged = remaining !== o.remaining;
    if (sizeChanged) d.shrink(o, remaining, "Amend");
    else {
      o.lastUpdateReason = "Amend";
      o.lastUpdateTs = now;
      engine.emit("order", o);
    }
    engine.emit("ticker", m);
    engine.emit("changed");
    return { order: o, fills: [], sizeChanged, tsMs: now };
  }
  const before = o.remaining;
  d.books.remove(o);
  d.credit(acct, o.ticker, o.reserved);
  o.reserved = micros(0);
  o.price = input.price;
  o.remaining = remaining;
  o.initial = centis(o.filled + remaining);
  o.seq = d.nextSeq();
  o.lastUpdateReason = "Amend";
  o.lastUpdateTs = now;
  const fills = d.match(o, now);
  return { order: o, fills, sizeChanged: fills.length > 0 || o.remaining !== before, tsMs: now };
}

/**
 * An amend's refusals: an open market, price tick, a total above what is filled, a future expiry,
 * a free new id, and a post-only order's price that would take liquidity.
 */
function checkAmend(d: AmendDeps, o: SimOrder, input: AmendInput, now: number): void {
  const { engine } = d;
  const m = engine.market(o.ticker);
  // A new price or size is matched again, which a paused or closed market cannot do.
  requireOpenMarket(m);
  requireValidPrice(m, input.price);
  if (input.count <= o.filled) {
    throw new SimError(
      400,
      "invalid_order",
      "invalid order",
      `count is the new total (filled + resting) and must be more than the ${formatCount(o.filled)} already filled`,
    );
  }
  if (input.expirationTs !== undefined && input.expirationTs !== null && input.expirationTs <= now) {
    throw new SimError(400, "invalid_order", "invalid order", "expiration_time is in the past");
  }
  if (o.postOnly && input.price !== o.price) requireNoPostOnlyCross(engine, o, input.price);
  const newId = input.updatedClientOrderId;
  if (newId && newId !== o.clientOrderId) {
    const other = d.orderByClientId(o.accountId, newId);
    if (engine.clientOrderIds === "lenient" ? other : other?.status === "resting") {
      throw duplicateClientOrderId(newId);
    }
  }
}

/**
 * A post-only order may only add liquidity: re-priced through the best opposite order it is refused
 * and keeps resting as it was (a create in that case is cancelled instead; for an amend Kalshi's
 * answer is unconfirmed, and refusing is the reading that never trades against the flag).
 */
function requireNoPostOnlyCross(engine: SimEngine, o: SimOrder, price: Micros): void {
  const book = engine.book(o.ticker);
  const best = (o.side === "bid" ? book.asks : book.bids)[0];
  if (best && crosses(o.side, price, best)) {
    throw new SimError(
      400,
      "invalid_order",
      "invalid order",
      "a post_only order cannot be amended to a price that would cross the book",
    );
  }
}

/** Refuses an amend that loses priority unless the cash (after its own reservation) covers it. */
function requireAmendCash(
  engine: SimEngine,
  acct: Account,
  o: SimOrder,
  price: Micros,
  remaining: Centis,
): void {
  const book = engine.book(o.ticker);
  const probe: SimOrder = { ...o, price, remaining };
  const opposite = o.side === "bid" ? book.asks : book.bids;
  const best = opposite[0];
  const crossQty = best && crosses(o.side, price, best) ? crossable(engine, probe, opposite) : centis(0);
  // The order's own reservation is released before the new size is paid for.
  requireCash(engine, acct, o.ticker, cashNeeded(engine, probe, crossQty), o.reserved);
}

/** Applies an amend's new expiry and updated_client_order_id (already checked). */
function amendExpiryAndId(d: AmendDeps, o: SimOrder, input: AmendInput): void {
  if (input.expirationTs !== undefined) {
    if (o.expirationTs !== null && input.expirationTs === null) d.books.expiring.delete(o);
    o.expirationTs = input.expirationTs;
    if (o.expirationTs !== null) d.books.expiring.add(o);
  }
  const newId = input.updatedClientOrderId;
  if (newId) {
    o.clientOrderId = newId;
    d.clientIds.set(`${o.accountId}\u0000${newId}`, o.orderId);
  }
}
