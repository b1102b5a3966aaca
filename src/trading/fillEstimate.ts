/**
 * What an order that takes liquidity would fill at: a walk of the order book, best level first, up to
 * the order's count and not past its worst acceptable price (a market order's slippage cap, or a
 * crossing limit). Pure, so quotes show "fills ≈ 10 at avg $0.634, worst $0.64" and "3 of 10 would
 * not fill at or below $0.68" from one tested function. It is an estimate: the book can move before
 * the order reaches Kalshi, which is why the quote's worst case is shown beside it.
 */
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  ZERO_MICROS,
  averagePrice,
  complementPrice,
  micros,
  mulPriceCount,
  roundMicros,
} from "../domain/money.js";
import { type FeeType, estimateFee, withRoundingFee } from "../domain/fees.js";
import type { Orderbook, OrderbookLevel, OutcomeSide } from "../exchange/port.js";

export interface FillEstimate {
  /** Contracts that would fill within the cap. */
  filled: Centis;
  /** Contracts left over: the book holds too few at or better than the cap. */
  unfilled: Centis;
  /** Σ price × count of the filled part (rounded half-up per level): cost of a buy, proceeds of a sell. */
  value: Micros;
  /** value ÷ filled, half-up to the micro-dollar; null when nothing fills. */
  averagePrice: Micros | null;
  /** The last (worst) level reached; null when nothing fills. */
  worstPrice: Micros | null;
  /** The levels taken, in the price of the order's outcome, best first. */
  fills: OrderbookLevel[];
}

/**
 * The levels an order trades against, in the price of its own outcome, best first. Kalshi's book
 * holds bids only: a buy of YES takes the NO bids (YES ask = 1 − NO bid), a sell of YES hits the YES
 * bids; NO mirrors that.
 */
export function takeLevels(book: Orderbook, outcome: OutcomeSide, action: "buy" | "sell"): OrderbookLevel[] {
  const own = outcome === "yes" ? book.yesBids : book.noBids;
  const other = outcome === "yes" ? book.noBids : book.yesBids;
  if (action === "sell") return [...own].sort((a, b) => b.price - a.price);
  return other
    .map((l) => ({ price: complementPrice(l.price), count: l.count }))
    .sort((a, b) => a.price - b.price);
}

/** Walks `levels` (best first) for `count` contracts, stopping at levels worse than `cap`. */
export function walkBook(
  levels: readonly OrderbookLevel[],
  count: Centis,
  cap: Micros,
  action: "buy" | "sell",
): FillEstimate {
  const withinCap = (p: Micros) => (action === "buy" ? p <= cap : p >= cap);
  let left = count as number;
  let value = 0;
  const fills: OrderbookLevel[] = [];
  for (const l of levels) {
    if (left <= 0 || !withinCap(l.price)) break;
    if (l.count <= 0) continue;
    const take = Math.min(left, l.count) as Centis;
    fills.push({ price: l.price, count: take });
    value += mulPriceCount(l.price, take);
    left -= take;
  }
  const filled = (count - left) as Centis;
  return {
    filled,
    unfilled: left as Centis,
    value: fills.length ? micros(value) : ZERO_MICROS,
    averagePrice: averagePrice(micros(value), filled),
    worstPrice: fills.length ? fills[fills.length - 1]!.price : null,
    fills,
  };
}

/**
 * Kalshi's fee for the walked fills (API.md §7): each level is its own trade, charged the taker fee
 * (to $0.0001) plus the rounding fee that floors that trade's cash change to whole cents; the
 * order's accumulator then refunds a whole cent each time those rounding fees add up to $0.01 (a
 * rebate never takes a fill's fee below zero). Without the refund a walk of several levels showed
 * up to a cent per level more than the exchange charges.
 */
export function feeOfFills(
  fills: readonly OrderbookLevel[],
  outcome: OutcomeSide,
  action: "buy" | "sell",
  schedule: { feeType: FeeType; multiplier: number },
): Micros {
  const floorCent = (m: number) => roundMicros(micros(m), MICROS_PER_CENT, "floor");
  let total = 0;
  let accumulated = 0;
  for (const l of fills) {
    const trade = estimateFee({
      price: outcome === "yes" ? l.price : complementPrice(l.price),
      count: l.count,
      role: "taker",
      feeType: schedule.feeType,
      multiplier: schedule.multiplier,
      roundTo: 100,
    });
    const cash = mulPriceCount(l.price, l.count);
    const withRounding = withRoundingFee(trade, micros(action === "sell" ? cash : -cash));
    accumulated += withRounding - trade;
    const rebate = Math.min(floorCent(accumulated), floorCent(withRounding));
    accumulated -= rebate;
    total += withRounding - rebate;
  }
  return micros(total);
}
