/** Helpers for the trading-core tests against the sim (tests/trading/sim.test.ts). */
import { type Centis, type Micros, ONE_DOLLAR, complementPrice, micros } from "../../src/domain/money.js";
import type { ExchangePort, Orderbook } from "../../src/exchange/port.js";

/** The open market whose ticker starts with `prefix` and ends with `suffix` (fixture tickers carry dates). */
export async function findTicker(ex: ExchangePort, prefix: string, suffix: string): Promise<string> {
  const all = await ex.getMarkets({ status: "open" });
  const m = all.find((x) => x.ticker.startsWith(prefix) && x.ticker.endsWith(suffix));
  if (!m) throw new Error(`no open market ${prefix}…${suffix}`);
  return m.ticker;
}

export interface Level {
  price: Micros;
  count: Centis;
}

/**
 * Offers to sell `outcome`, cheapest first, read from the bids-only book:
 * YES asks are 1 − NO bids, NO asks are 1 − YES bids.
 */
export function asks(book: Orderbook, outcome: "yes" | "no"): Level[] {
  const bids = outcome === "yes" ? book.noBids : book.yesBids;
  return bids
    .map((l) => ({ price: complementPrice(l.price), count: l.count }))
    .sort((a, b) => a.price - b.price);
}

/** Bids for `outcome`, best (highest) first. */
export function bids(book: Orderbook, outcome: "yes" | "no"): Level[] {
  const list = outcome === "yes" ? book.yesBids : book.noBids;
  return [...list].sort((a, b) => b.price - a.price);
}

/** The fills a taker order of `count` at `limit` gets against `levels` (best first), by hand. */
export function walk(
  levels: Level[],
  count: number,
  limit: Micros,
  dir: "buy" | "sell",
): { fills: Level[]; filled: Centis; value: Micros } {
  const fills: Level[] = [];
  let left = count;
  let value = 0;
  for (const l of levels) {
    if (left <= 0) break;
    if (dir === "buy" ? l.price > limit : l.price < limit) break;
    const k = Math.min(left, l.count);
    fills.push({ price: l.price, count: k as Centis });
    value += handValue(l.price, k as Centis);
    left -= k;
  }
  return { fills, filled: (count - left) as Centis, value: micros(value) };
}

/** YES midpoint of the book, by hand: (best YES bid + (1 − best NO bid)) / 2, half up. */
export function yesMid(book: Orderbook): Micros {
  const bid = bids(book, "yes")[0]!.price;
  const ask = ONE_DOLLAR - bids(book, "no")[0]!.price;
  return micros(Math.round((bid + ask) / 2));
}

/**
 * Integer division of non-negative BigInts rounded half up (…5 goes up), written out here so that the
 * expected numbers never come from src/domain/money.ts, which the code under test uses.
 */
function divHalfUp(num: bigint, den: bigint): bigint {
  if (num < 0n || den <= 0n) throw new RangeError("divHalfUp takes num >= 0 and den > 0");
  const q = num / den;
  return (num % den) * 2n >= den ? q + 1n : q;
}

/** price (micro-dollars) × count (centi-contracts) in micro-dollars, half up ("floor" rounds down). */
export function handValue(price: Micros, count: Centis, mode: "half-up" | "floor" = "half-up"): Micros {
  const n = BigInt(price) * BigInt(count);
  return micros(Number(mode === "floor" ? n / 100n : divHalfUp(n, 100n)));
}

/** Average price per contract of `total` micro-dollars over `count` centi-contracts, half up. */
export function handAverage(total: number, count: number): Micros {
  return micros(Number(divHalfUp(BigInt(total) * 100n, BigInt(count))));
}
