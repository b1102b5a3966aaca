/**
 * Price-grid and order-book helpers. All prices are Micros; "YES price" means the price of the YES
 * leg, which is what the exchange's grid (price_ranges) and the V2 wire use.
 */
import { type Micros, MICROS_PER_DOLLAR, complementPrice, displayPrice, micros } from "../domain/money.js";
import type { Market, Orderbook, OutcomeSide, PriceRange } from "../exchange/port.js";

/** Kalshi's classic grid, used when a market reports no price ranges. */
export const DEFAULT_PRICE_RANGES: PriceRange[] = [
  { start: micros(0), end: micros(MICROS_PER_DOLLAR), step: micros(10_000) },
];

function rangesOf(market: Pick<Market, "priceRanges">): PriceRange[] {
  const rs = market.priceRanges.filter((r) => r.step > 0 && r.end >= r.start);
  return rs.length ? rs : DEFAULT_PRICE_RANGES;
}

/** A tradable price is strictly between $0 and $1, inside a range and on that range's step. */
export function isValidPrice(market: Pick<Market, "priceRanges">, yesPrice: Micros): boolean {
  if (!Number.isSafeInteger(yesPrice) || yesPrice <= 0 || yesPrice >= MICROS_PER_DOLLAR) return false;
  return rangesOf(market).some(
    (r) => yesPrice >= r.start && yesPrice <= r.end && (yesPrice - r.start) % r.step === 0,
  );
}

/** Every valid price of a range, lowest first (bounded: a range has at most 1,000,000 steps). */
function firstValid(r: PriceRange): number {
  let p: number = r.start;
  if (p <= 0) p += r.step * Math.ceil((1 - p) / r.step);
  return p;
}

function lastValid(r: PriceRange): number {
  const top = Math.min(r.end, MICROS_PER_DOLLAR - 1);
  return r.start + Math.floor((top - r.start) / r.step) * r.step;
}

export function minValidPrice(market: Pick<Market, "priceRanges">): Micros {
  let best = Infinity;
  for (const r of rangesOf(market)) {
    const p = firstValid(r);
    if (p <= lastValid(r)) best = Math.min(best, p);
  }
  return micros(Number.isFinite(best) ? best : 10_000);
}

export function maxValidPrice(market: Pick<Market, "priceRanges">): Micros {
  let best = -Infinity;
  for (const r of rangesOf(market)) {
    const p = lastValid(r);
    if (p >= firstValid(r)) best = Math.max(best, p);
  }
  return micros(Number.isFinite(best) ? best : MICROS_PER_DOLLAR - 10_000);
}

/** The highest valid YES price ≤ p (null when none). */
export function snapDown(market: Pick<Market, "priceRanges">, p: number): Micros | null {
  let best: number | null = null;
  for (const r of rangesOf(market)) {
    const lo = firstValid(r);
    const hi = lastValid(r);
    if (lo > hi || p < lo) continue;
    const q = p >= hi ? hi : r.start + Math.floor((p - r.start) / r.step) * r.step;
    if (best === null || q > best) best = q;
  }
  return best === null ? null : micros(best);
}

/** The lowest valid YES price ≥ p (null when none). */
export function snapUp(market: Pick<Market, "priceRanges">, p: number): Micros | null {
  let best: number | null = null;
  for (const r of rangesOf(market)) {
    const lo = firstValid(r);
    const hi = lastValid(r);
    if (lo > hi || p > hi) continue;
    const q = p <= lo ? lo : r.start + Math.ceil((p - r.start) / r.step) * r.step;
    if (best === null || q < best) best = q;
  }
  return best === null ? null : micros(best);
}

/** "prices go in steps of $0.01 between $0.01 and $0.99" */
export function describeGrid(market: Pick<Market, "priceRanges">): string {
  const parts = rangesOf(market)
    .map((r) => ({ r, lo: firstValid(r), hi: lastValid(r) }))
    .filter((x) => x.lo <= x.hi)
    .sort((a, b) => a.lo - b.lo)
    .map(
      (x) =>
        `${displayPrice(x.r.step)} between ${displayPrice(micros(x.lo))} and ${displayPrice(micros(x.hi))}`,
    );
  if (parts.length <= 1) return `prices go in steps of ${parts[0] ?? "$0.01 between $0.01 and $0.99"}`;
  return `prices go in steps of ${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

export interface BestPrices {
  yesBid: Micros | null;
  yesAsk: Micros | null;
  noBid: Micros | null;
  noAsk: Micros | null;
}

function bestLevel(levels: { price: Micros; count: number }[]): Micros | null {
  let best: Micros | null = null;
  for (const l of levels) if (l.count > 0 && (best === null || l.price > best)) best = l.price;
  return best;
}

/** Best prices from a bids-only book (sorted defensively: we take the max). */
export function bestPrices(book: Orderbook): BestPrices {
  const yesBid = bestLevel(book.yesBids);
  const noBid = bestLevel(book.noBids);
  return {
    yesBid,
    noBid,
    yesAsk: noBid === null ? null : complementPrice(noBid),
    noAsk: yesBid === null ? null : complementPrice(yesBid),
  };
}

/** Best prices from the market snapshot (used when no book is available). */
export function marketBestPrices(m: Market): BestPrices {
  return { yesBid: m.yesBid, yesAsk: m.yesAsk, noBid: m.noBid, noAsk: m.noAsk };
}

/** Price of `outcome` given a YES price. */
export function outcomePrice(outcome: OutcomeSide, yesPrice: Micros): Micros {
  return outcome === "yes" ? yesPrice : complementPrice(yesPrice);
}

export function isSettled(m: Market): boolean {
  return (
    (m.status === "determined" || m.status === "finalized" || m.status === "amended") &&
    (m.result === "yes" || m.result === "no" || (m.result === "scalar" && m.settlementValue !== null))
  );
}

/** Payout of one YES contract in a settled market. */
export function settledYesValue(m: Market): Micros | null {
  if (m.result === "yes") return micros(MICROS_PER_DOLLAR);
  if (m.result === "no") return micros(0);
  if (m.result === "scalar") return m.settlementValue;
  return null;
}

/** Midpoint of two prices, rounded half-up to the micro-dollar. */
export function midpoint(a: Micros, b: Micros): Micros {
  return micros(Math.round((a + b) / 2));
}
