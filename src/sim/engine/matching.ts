/**
 * Matching: an incoming (or re-priced) order trades against the opposite book in price-time
 * priority at the resting orders' prices, under its self-trade rule; what is left rests (GTC, with
 * its reservation) or is cancelled. Each trade books both sides' cash, fees and positions
 * (accounting.ts), moves open interest and caps the accounts' resting reduce-only orders.
 */
import { randomUUID } from "node:crypto";
import { type Centis, type Micros, centis, micros, mulPriceCount } from "../../domain/money.js";
import {
  applyToOrder,
  applyToPosition,
  fillCash,
  netFillFee,
  releaseReservation,
  unitCost,
} from "./accounting.js";
import type { EngineInternals } from "./internals.js";
import { crosses } from "./orderBook.js";
import type { SimFill, SimOrder } from "./types.js";

export type MatchingDeps = Pick<
  EngineInternals,
  "engine" | "books" | "credit" | "cancel" | "shrink" | "forget" | "feeFor" | "closable"
>;

/**
 * Trades `order` (already recorded, not in the book) against the opposite book at its limit,
 * then rests the remainder (GTC) or cancels it, and tells the listeners.
 */
export function matchOrder(d: MatchingDeps, order: SimOrder, now: number): SimFill[] {
  const { engine } = d;
  const book = engine.book(order.ticker);
  const opposite = order.side === "bid" ? book.asks : book.bids;
  const fills: SimFill[] = [];
  const touched = new Set<SimOrder>();
  let stoppedBySelfTrade = false;
  while (order.remaining > 0) {
    const r = opposite[0];
    if (!r || !crosses(order.side, order.price, r)) break;
    if (r.accountId === order.accountId) {
      if (order.stp === "maker") {
        d.cancel(r, "SelfTradeCancel");
        continue;
      }
      stoppedBySelfTrade = true;
      break;
    }
    const qty = centis(Math.min(order.remaining, r.remaining));
    const [takerFill] = execute(d, order, r, qty);
    fills.push(takerFill);
    touched.add(r);
  }

  if (order.remaining > 0) {
    if (order.tif === "good_till_canceled" && !stoppedBySelfTrade) {
      rest(d, order);
    } else {
      order.status = "canceled";
      order.remaining = centis(0);
      order.lastUpdateReason = stoppedBySelfTrade ? "SelfTradeCancel" : order.lastUpdateReason;
      order.lastUpdateTs = now;
    }
  } else {
    order.status = "executed";
  }
  for (const r of touched) {
    engine.emit("order", r);
    d.forget(r);
  }
  engine.emit("order", order);
  d.forget(order);
  engine.emit("ticker", engine.market(order.ticker));
  engine.emit("changed");
  return fills;
}

function rest(d: MatchingDeps, order: SimOrder): void {
  const { engine } = d;
  const acct = engine.account(order.accountId);
  const openQty = centis(
    Math.max(0, order.remaining - d.closable(order.accountId, order.ticker, order.side)),
  );
  const reserve = micros(
    mulPriceCount(unitCost(order.side, order.price), openQty, "ceil") +
      d.feeFor(order.ticker, order.price, order.remaining, "maker"),
  );
  order.reserved = reserve;
  d.credit(acct, order.ticker, -reserve);
  acct.updatedTs = engine.now();
  order.status = "resting";
  engine.state.orders[order.orderId] = order;
  d.books.insert(order);
}

/** One trade of `qty` at the resting order's price. Returns [takerFill, makerFill]. */
function execute(d: MatchingDeps, taker: SimOrder, maker: SimOrder, qty: Centis): [SimFill, SimFill] {
  const { engine } = d;
  const m = engine.market(taker.ticker);
  const price = maker.price;
  const tradeId = randomUUID();
  const oiBefore = openYes(d, taker.accountId, m.ticker) + openYes(d, maker.accountId, m.ticker);
  const tf = applyFill(d, taker, price, qty, true, tradeId);
  const mf = applyFill(d, maker, price, qty, false, tradeId);
  const oiAfter = openYes(d, taker.accountId, m.ticker) + openYes(d, maker.accountId, m.ticker);
  if (maker.remaining === 0) {
    maker.status = "executed";
    d.books.remove(maker);
  }
  m.openInterest += oiAfter - oiBefore;
  m.volume += qty;
  m.lastPrice = price;
  m.updatedTime = tf.ts;
  engine.emit("fill", tf);
  engine.emit("fill", mf);
  engine.emit("position", taker.accountId, engine.position(taker.accountId, m.ticker));
  engine.emit("position", maker.accountId, engine.position(maker.accountId, m.ticker));
  enforceReduceOnly(d, taker.accountId, m.ticker);
  enforceReduceOnly(d, maker.accountId, m.ticker);
  return [tf, mf];
}

function openYes(d: MatchingDeps, accountId: string, ticker: string): number {
  return Math.max(0, d.engine.position(accountId, ticker).position);
}

function applyFill(
  d: MatchingDeps,
  order: SimOrder,
  price: Micros,
  qty: Centis,
  isTaker: boolean,
  tradeId: string,
): SimFill {
  const { engine } = d;
  const acct = engine.account(order.accountId);
  const pos = engine.position(order.accountId, order.ticker);
  const now = engine.now();
  const cash = fillCash(order.side, price, qty, pos.position);
  const fee = fillFee(d, order, price, qty, isTaker, cash.cashIn - cash.cashOut);
  if (order.reserved > 0) {
    d.credit(acct, order.ticker, releaseReservation(order, qty, cash.cashOut + fee - cash.cashIn));
  }
  d.credit(acct, order.ticker, cash.cashIn - cash.cashOut - fee);
  acct.updatedTs = now;
  engine.state.feesCollected = micros(engine.state.feesCollected + fee);
  applyToPosition(pos, order.side, qty, cash, fee, now);
  applyToOrder(order, qty, mulPriceCount(cash.unit, qty, "ceil"), fee, isTaker, now);

  const fill: SimFill = {
    tradeId,
    orderId: order.orderId,
    accountId: order.accountId,
    clientOrderId: order.clientOrderId,
    ticker: order.ticker,
    side: order.side,
    price,
    count: qty,
    isTaker,
    fee,
    ts: now,
    postPosition: pos.position,
  };
  if (acct.history) engine.state.fills.push(fill);
  return fill;
}

/** The net fee of one fill: the trade fee to $0.0001, then Kalshi's whole-cent rounding (netFillFee). */
function fillFee(
  d: MatchingDeps,
  order: SimOrder,
  price: Micros,
  qty: Centis,
  isTaker: boolean,
  revenue: number,
): Micros {
  const tradeFee = d.feeFor(order.ticker, price, qty, isTaker ? "taker" : "maker", 100);
  return netFillFee(order, tradeFee, revenue);
}

/**
 * Reduce-only orders cap at the position: after a fill changed the account's position in
 * `ticker`, each of its resting reduce-only orders is shrunk to what can still be closed in its
 * direction, or cancelled when nothing can (reason ReduceOnlyCancel either way), so a resting
 * reduce-only order never opens or grows a position.
 */
function enforceReduceOnly(d: MatchingDeps, accountId: string, ticker: string): void {
  const book = d.books.get(ticker);
  if (!book) return;
  for (const side of ["bid", "ask"] as const) {
    const can = d.closable(accountId, ticker, side);
    const mine = (side === "bid" ? book.bids : book.asks).filter(
      (o) => o.accountId === accountId && o.reduceOnly && o.remaining > can,
    );
    for (const o of mine) {
      if (can === 0) d.cancel(o, "ReduceOnlyCancel");
      else d.shrink(o, can, "ReduceOnlyCancel");
    }
  }
}
