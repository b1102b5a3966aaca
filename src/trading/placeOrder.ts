/**
 * Placing a quote exactly once and answering "was the order placed?" as a PlaceOutcome value.
 *
 * Reconciliation of an unclear create (looking the order up by client_order_id, re-sending only
 * when it is not there, a 409 answered with the existing order) belongs to the exchange adapter
 * (KalshiClient.createOrder): only it knows which HTTP answers are ambiguous and can look between
 * its own attempts. An error it still throws is final: this file only classifies it (rejected when
 * it proves nothing was placed, else unknown) and, for unknown, reads the market's resting orders
 * once so the user hears whether it rests. The only lookup here before a send guards a repeat of a
 * quote that was already sent (a second place() call the adapter cannot know is a repeat).
 */
import { type Centis, displayCount } from "../domain/money.js";
import { provesNotPlaced } from "../exchange/errors.js";
import type { ExchangePort, Order, Orderbook } from "../exchange/port.js";
import type { TradeJournal } from "./journal.js";
import { resultFromCreate, resultFromOrder, heldNow, whyUnfilled, withFillDetails } from "./placeResult.js";
import { bestPrices } from "./prices.js";
import { OUTCOME_LABEL, touchPrice } from "./quote.js";
import type { MarketSnapshots } from "./snapshots.js";
import { type PlaceOutcome, type PlaceResult, type Quote, UserError } from "./types.js";

const MAX_REMEMBERED_PLACEMENTS = 1000;

export interface PlaceDeps {
  exchange: ExchangePort;
  journal: Pick<TradeJournal, "record">;
  snapshots: MarketSnapshots;
  /** Prices a fresh quote (on expiry or a moved price); `book` is the one just read. */
  quote: (intent: Quote["intent"], pre?: { book?: Orderbook }) => Promise<Quote>;
  now: () => number;
}

/** What was sent: the count (a resting sell may be capped) and why it differs from the quote's. */
interface Sending {
  count: Centis;
  cappedAtHolding?: Centis;
  alreadySelling?: Centis;
}

/** A failure while sending, and whether the lookup of an earlier attempt was what failed. */
class SendFailed {
  constructor(
    readonly cause: unknown,
    readonly lookupFailed: boolean,
  ) {}
}

/** The placer's dependencies and what it remembers. */
interface Ctx extends PlaceDeps {
  /** Quotes whose create was sent at least once (a repeat looks the order up first). */
  attempted: Set<string>;
}

/** Places quotes; one instance per executor (it remembers which quotes it has sent). */
export function createPlacer(deps: PlaceDeps): (q: Quote) => Promise<PlaceOutcome> {
  const c: Ctx = { ...deps, attempted: new Set<string>() };
  return (q) => place(c, q);
}

/** Expired, or a market order whose price moved past the quote: a fresh quote instead. */
async function recheck(c: Ctx, q: Quote): Promise<PlaceOutcome | null> {
  if (c.now() > q.expiresAt) return { kind: "requote", reason: "expired", quote: await c.quote(q.intent) };
  if (q.intent.kind !== "market") return null;
  // Always a fresh book: this check is what keeps a market order from going out past its price.
  const book = await c.exchange.getOrderbook(q.intent.ticker);
  const current = touchPrice(q.intent, bestPrices(book));
  const sell = q.intent.action === "sell";
  const moved = current === null || (sell ? current < q.price : current > q.price);
  return moved ? { kind: "requote", reason: "price_moved", quote: await c.quote(q.intent, { book }) } : null;
}

/** Contracts of the intent's outcome that resting orders in its market already sell (same book side). */
async function restingToSell(c: Ctx, q: Quote): Promise<Centis> {
  const orders = await c.exchange.getOrders({ ticker: q.intent.ticker, status: "resting" });
  return orders
    .filter((o) => o.ticker.toUpperCase() === q.intent.ticker && o.bookSide === q.wire.side)
    .reduce((n, o) => n + o.remainingCount, 0) as Centis;
}

/**
 * A resting sell carries no reduce_only: cap it at what is held right now, less what already
 * rests to sell it (those orders keep their place; the holding guard would cancel this one).
 */
async function sellCap(c: Ctx, q: Quote): Promise<Sending> {
  const count = q.intent.count;
  if (q.intent.action !== "sell" || q.wire.reduceOnly || c.attempted.has(q.clientOrderId)) return { count };
  const [held, selling] = await Promise.all([heldNow(c.exchange, q), restingToSell(c, q)]);
  const label = OUTCOME_LABEL[q.intent.outcome];
  if (held <= 0) {
    throw new UserError(
      `You no longer hold any ${label} contracts in ${q.intent.ticker}, so nothing was placed.`,
      "nothing_to_sell",
    );
  }
  const free = Math.max(0, held - selling) as Centis;
  if (free <= 0) {
    throw new UserError(
      `Your resting orders in ${q.intent.ticker} already sell all ${displayCount(held)} ${label} you hold, so nothing was placed. Cancel one in /orders to sell at another price.`,
      "nothing_to_sell",
    );
  }
  if (free >= count) return { count };
  return { count: free, cappedAtHolding: free, ...(selling > 0 ? { alreadySelling: selling } : {}) };
}

/** The order under the quote's client_order_id, among its market's orders since shortly before the quote. */
async function lookUp(c: Ctx, q: Quote): Promise<Order | null> {
  const orders = await c.exchange.getOrders({ ticker: q.intent.ticker, minTs: q.createdAt - 60_000 });
  return orders.find((o) => o.clientOrderId === q.clientOrderId) ?? null;
}

/**
 * Sends the create once. A quote sent before is looked up first (a failed lookup sends nothing
 * and leaves the outcome open). Throws SendFailed.
 */
async function send(c: Ctx, q: Quote, count: Centis): Promise<PlaceResult> {
  if (c.attempted.has(q.clientOrderId)) {
    const earlier = await lookUp(c, q).catch((e: unknown) => {
      throw new SendFailed(e, true);
    });
    if (earlier) return resultFromOrder(q, earlier);
  }
  c.attempted.add(q.clientOrderId);
  if (c.attempted.size > MAX_REMEMBERED_PLACEMENTS) c.attempted.delete(c.attempted.values().next().value!);
  try {
    const res = await c.exchange.createOrder({
      ticker: q.intent.ticker,
      side: q.wire.side,
      count,
      price: q.wire.yesPrice,
      timeInForce: q.wire.timeInForce,
      clientOrderId: q.clientOrderId,
      ...(q.wire.reduceOnly ? { reduceOnly: true } : {}),
    });
    return await withFillDetails(c.exchange, q, resultFromCreate(q, res, count));
  } catch (e) {
    throw new SendFailed(e, false);
  }
}

/** The order with this client_order_id if it rests in its market now; undefined when not; null when unreadable. */
async function restingNow(c: Ctx, q: Quote): Promise<Order | undefined | null> {
  try {
    const orders = await c.exchange.getOrders({ ticker: q.intent.ticker, status: "resting" });
    return orders.find((o) => o.clientOrderId === q.clientOrderId && o.status === "resting");
  } catch {
    return null;
  }
}

/** A failed send as rejected (proven not placed) or unknown; journaled either way. */
async function failed(c: Ctx, q: Quote, f: SendFailed): Promise<PlaceOutcome> {
  const known = !f.lookupFailed && provesNotPlaced(f.cause);
  const e = f.cause as { message?: unknown; code?: unknown };
  c.journal.record({
    type: known ? "order_rejected" : "order_unknown",
    ticker: q.intent.ticker,
    clientOrderId: q.clientOrderId,
    reason: typeof e?.message === "string" ? e.message : String(f.cause),
    ...(typeof e?.code === "string" ? { code: e.code } : {}),
  });
  if (known)
    return { kind: "rejected", code: typeof e?.code === "string" ? e.code : "refused", cause: f.cause };
  const resting = await restingNow(c, q);
  return { kind: "unknown", cause: f.cause, checked: resting !== null, ...(resting ? { resting } : {}) };
}

/** Journaled before the send; its line is written while the POST is on the wire (`soon`). */
function submitted(c: Ctx, q: Quote, count: Centis): void {
  c.journal.record(
    {
      type: "order_submitted",
      ticker: q.intent.ticker,
      clientOrderId: q.clientOrderId,
      outcome: q.intent.outcome,
      action: q.intent.action,
      kind: q.intent.kind,
      count,
      price: q.price,
      side: q.wire.side,
      yesPrice: q.wire.yesPrice,
      timeInForce: q.wire.timeInForce,
      reduceOnly: q.wire.reduceOnly,
    },
    { soon: true },
  );
}

async function placedOutcome(c: Ctx, q: Quote, s: Sending, sent: PlaceResult): Promise<PlaceOutcome> {
  let result = sent;
  if (s.cappedAtHolding !== undefined) result = { ...result, cappedAtHolding: s.cappedAtHolding };
  if (s.alreadySelling !== undefined) result = { ...result, alreadySelling: s.alreadySelling };
  const unfilled = await whyUnfilled(c.exchange, q, s.count, result);
  if (unfilled) result = { ...result, unfilled };
  c.journal.record({
    type: "order_placed",
    ticker: q.intent.ticker,
    clientOrderId: q.clientOrderId,
    orderId: result.orderId,
    status: result.status,
    filledCount: result.filledCount,
    restingCount: result.restingCount,
    averagePrice: result.averagePrice,
    fees: result.fees,
  });
  return { kind: "placed", result };
}

/**
 * Before anything is sent every failure is a rejection: nothing can have been placed. Unless this
 * quote was sent before: then an earlier attempt may have got in, and the outcome stays open.
 */
async function beforeSend(c: Ctx, q: Quote): Promise<PlaceOutcome | Sending> {
  try {
    return (await recheck(c, q)) ?? (await sellCap(c, q));
  } catch (e) {
    if (c.attempted.has(q.clientOrderId)) return { kind: "unknown", cause: e, checked: false };
    return { kind: "rejected", code: e instanceof UserError ? e.code : "not_sent", cause: e };
  }
}

async function place(c: Ctx, q: Quote): Promise<PlaceOutcome> {
  const ready = await beforeSend(c, q);
  if ("kind" in ready) return ready;
  submitted(c, q, ready.count);
  // Our own order changes the book and the market's best prices.
  c.snapshots.drop(q.intent.ticker);
  let sent: PlaceResult;
  try {
    sent = await send(c, q, ready.count);
  } catch (e) {
    if (!(e instanceof SendFailed)) throw e;
    return await failed(c, q, e);
  } finally {
    c.snapshots.drop(q.intent.ticker);
  }
  return placedOutcome(c, q, ready, sent);
}
