/**
 * Kalshi's money rules for one fill and one settlement, as pure functions over integer Micros and
 * Centis: what a fill pays or receives, its net fee with the whole-cent rounding rebate (API.md
 * §7), how much of an order's reservation it releases, how it moves the position, and the
 * settlement record. The engine applies the results; keeping the arithmetic here lets each rule be
 * read on its own.
 */
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  centis,
  complementPrice,
  micros,
  mulPriceCount,
  roundMicros,
  scaleMicros,
} from "../../domain/money.js";
import type { SimMarket } from "../fixtures.js";
import type { BookSide, PositionState, SimOrder, SimSettlement } from "./types.js";

/** What one contract costs the side: the YES price for a bid, its complement for an ask. */
export function unitCost(side: BookSide, price: Micros): Micros {
  return side === "bid" ? price : complementPrice(price);
}

/** A fill split into the part that closes the held opposite side and the part that opens. */
export interface FillCash {
  close: Centis;
  open: Centis;
  unit: Micros;
  /** Paid for the opened contracts (rounded up). */
  cashOut: number;
  /** Received for the closed contracts: the complement of what this side pays (rounded down). */
  cashIn: number;
}

export function fillCash(side: BookSide, price: Micros, qty: Centis, position: Centis): FillCash {
  const held = side === "bid" ? Math.max(0, -position) : Math.max(0, position);
  const close = centis(Math.min(qty, held));
  const open = centis(qty - close);
  const unit = unitCost(side, price);
  // Closing k contracts of the other side pays back the complement of what we pay for this one.
  return {
    close,
    open,
    unit,
    cashOut: mulPriceCount(unit, open, "ceil"),
    cashIn: mulPriceCount(complementPrice(unit), close, "floor"),
  };
}

/**
 * The net fee of one fill (API.md §7, Kalshi's fee rounding): the trade fee (already rounded up to
 * $0.0001), plus a rounding fee that floors the balance change (revenue − trade fee) to whole
 * cents, minus a one-cent rebate whenever the order's accumulated rounding fees reach $0.01. The
 * rebate never makes a fill's net fee negative (it waits for a fill that can absorb it). So the
 * balance moves in whole cents and an order's fills together cost what one fill of the same size
 * would (within the $0.0001 round-ups of the trade fees). Updates the order's accumulator.
 */
export function netFillFee(order: SimOrder, tradeFee: Micros, revenue: number): Micros {
  const change = micros(revenue - tradeFee);
  const roundingFee = change - roundMicros(change, MICROS_PER_CENT, "floor");
  const acc = (order.roundingAcc ?? 0) + roundingFee;
  const rebate = Math.min(
    roundMicros(micros(acc), MICROS_PER_CENT, "floor"),
    roundMicros(micros(tradeFee + roundingFee), MICROS_PER_CENT, "floor"),
  );
  order.roundingAcc = micros(acc - rebate);
  return micros(tradeFee + roundingFee - rebate);
}

/**
 * The part of the order's reservation a fill of `qty` frees: the proportional part, or what this
 * fill costs (`cost`) when that is more (rounding fees come in whole cents), never more than is
 * left. Takes it off the order and returns it.
 */
export function releaseReservation(order: SimOrder, qty: Centis, cost: number): Micros {
  if (order.reserved <= 0) return micros(0);
  const proportional =
    qty >= order.remaining ? order.reserved : scaleMicros(order.reserved, qty, order.remaining, "floor");
  const release = micros(Math.min(order.reserved, Math.max(proportional, cost)));
  order.reserved = micros(order.reserved - release);
  return release;
}

/** Moves the position by one fill: cost basis, realized P&L, size, traded value, fees, volume. */
export function applyToPosition(
  pos: PositionState,
  side: BookSide,
  qty: Centis,
  cash: FillCash,
  fee: Micros,
  now: number,
): void {
  if (cash.close > 0) {
    const absPos = Math.abs(pos.position);
    const released = cash.close === absPos ? pos.cost : scaleMicros(pos.cost, cash.close, absPos, "half-up");
    pos.cost = micros(pos.cost - released);
    pos.realizedPnl = micros(pos.realizedPnl + cash.cashIn - released);
  }
  pos.cost = micros(pos.cost + cash.cashOut);
  pos.position = centis(pos.position + (side === "bid" ? qty : -qty));
  pos.totalTraded = micros(pos.totalTraded + mulPriceCount(cash.unit, qty, "ceil"));
  pos.feesPaid = micros(pos.feesPaid + fee);
  pos.volume = centis(pos.volume + qty);
  pos.lastUpdatedTs = now;
}

/** Books one fill on the order: filled/remaining, fill cost and fees by role. */
export function applyToOrder(
  order: SimOrder,
  qty: Centis,
  cost: Micros,
  fee: Micros,
  isTaker: boolean,
  now: number,
): void {
  order.filled = centis(order.filled + qty);
  order.remaining = centis(order.remaining - qty);
  if (isTaker) {
    order.takerFillCost = micros(order.takerFillCost + cost);
    order.takerFees = micros(order.takerFees + fee);
  } else {
    order.makerFillCost = micros(order.makerFillCost + cost);
    order.makerFees = micros(order.makerFees + fee);
  }
  order.lastUpdateTs = now;
  order.lastUpdateReason = "Trade";
}

/** $1 per winning contract of the position. */
export function settlementRevenue(pos: PositionState, result: "yes" | "no"): Micros {
  const wins = (result === "yes" && pos.position > 0) || (result === "no" && pos.position < 0);
  return micros(wins ? Math.abs(pos.position) * (MICROS_PER_DOLLAR / 100) : 0);
}

/** The settlement record of one account's position in a settled market. */
export function settlementRecord(
  accountId: string,
  m: SimMarket,
  pos: PositionState,
  result: "yes" | "no",
  now: number,
): SimSettlement {
  return {
    accountId,
    ticker: m.ticker,
    eventTicker: m.eventTicker,
    result,
    yesCount: centis(Math.max(0, pos.position)),
    noCount: centis(Math.max(0, -pos.position)),
    yesCost: pos.position > 0 ? pos.cost : micros(0),
    noCost: pos.position < 0 ? pos.cost : micros(0),
    revenue: settlementRevenue(pos, result),
    fee: pos.feesPaid,
    settledTime: now,
  };
}
