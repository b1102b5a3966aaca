/**
 * The other traders that make the sim feel like a market: a market maker quoting a 5-level ladder
 * around each market's fair price, a noise trader taking small amounts at the best price, and the
 * living market's step that moves fair prices and trades against the paper account's resting
 * orders. All of it goes through the engine's ordinary order path, so it is accounted like any
 * other account's trading.
 */
import { type Micros, MICROS_PER_CENT, centis, micros } from "../../domain/money.js";
import type { SimMarket } from "../fixtures.js";
import type { Rng } from "../rng.js";
import type { SimEngine } from "../engine.js";
import {
  type BookSide,
  type SimOrder,
  type UpdateReason,
  MARKET_MAKER,
  NOISE_TRADER,
  validPrices,
} from "./types.js";

/** What the synthetic traders need of the engine beyond its public API. */
export interface FlowDeps {
  engine: SimEngine;
  rng: Rng;
  /** Cancels a resting order without the per-request events (the engine's internal cancel). */
  cancel: (o: SimOrder, reason: UpdateReason) => void;
}

const LADDER_LEVELS = 5;

function mmOrder(d: FlowDeps, m: SimMarket, side: BookSide, price: Micros): void {
  d.engine.placeOrder(MARKET_MAKER, {
    ticker: m.ticker,
    side,
    price,
    count: centis(d.rng.int(10, 300) * 100),
    tif: "good_till_canceled",
    stp: "maker",
  });
}

/** Cancels the market maker's quotes and quotes a 5-level ladder around the fair price. */
export function requote(d: FlowDeps, m: SimMarket): void {
  if (m.status !== "active") return;
  const b = d.engine.book(m.ticker);
  for (const o of [...b.bids, ...b.asks]) if (o.accountId === MARKET_MAKER) d.cancel(o, "Decrease");
  const ticks = validPrices(m.priceRanges);
  let fi = 0;
  for (let i = 0; i < ticks.length; i++) {
    if (Math.abs((ticks[i] as number) - m.fair) < Math.abs((ticks[fi] as number) - m.fair)) fi = i;
  }
  for (let i = 0; i < LADDER_LEVELS; i++) {
    const bidP = ticks[fi - 1 - i];
    const askP = ticks[fi + 1 + i];
    if (bidP !== undefined) mmOrder(d, m, "bid", bidP);
    if (askP !== undefined) mmOrder(d, m, "ask", askP);
  }
}

/** A small taker order from the noise trader at the best opposite price. */
export function noiseTrade(d: FlowDeps, m: SimMarket, side?: BookSide): void {
  if (m.status !== "active") return;
  const s: BookSide = side ?? (d.rng.next() < 0.5 ? "bid" : "ask");
  const t = d.engine.top(m.ticker);
  const price = s === "bid" ? t.ask : t.bid;
  if (price === null) return;
  d.engine.placeOrder(NOISE_TRADER, {
    ticker: m.ticker,
    side: s,
    price,
    count: centis(d.rng.int(1, 10) * 100),
    tif: "immediate_or_cancel",
  });
}

/** Moves the fair price up to 2¢ either way (kept within 3¢–97¢) and requotes. */
function drift(d: FlowDeps, m: SimMarket): void {
  const step = d.rng.int(-2, 2) * MICROS_PER_CENT;
  m.fair = micros(Math.min(97 * MICROS_PER_CENT, Math.max(3 * MICROS_PER_CENT, m.fair + step)));
  requote(d, m);
}

/**
 * One step of the living market: half the time, when the paper account has resting orders, one of
 * them meets a taker (or its market drifts); otherwise a random open market drifts or trades.
 */
export function livingStep(d: FlowDeps): void {
  const { engine, rng } = d;
  engine.checkSchedule();
  const open = engine.state.markets.filter((m) => m.status === "active");
  if (open.length === 0) return;
  const userResting = Object.values(engine.state.orders).filter(
    (o) => o.status === "resting" && engine.account(o.accountId).history,
  );
  if (userResting.length > 0 && rng.next() < 0.5) {
    const o = rng.pick(userResting);
    const m = engine.market(o.ticker);
    if (rng.next() < 0.7) noiseTrade(d, m, o.side === "bid" ? "ask" : "bid");
    else drift(d, m);
    return;
  }
  const m = rng.pick(open);
  if (rng.next() < 0.5) drift(d, m);
  else noiseTrade(d, m);
}

/** The winner of a mutually exclusive event, drawn in proportion to the markets' fair prices. */
export function pickWinner(siblings: SimMarket[], rng: Rng): SimMarket | undefined {
  const total = siblings.reduce((s, x) => s + x.fair, 0);
  let r = rng.next() * total;
  for (const x of siblings) {
    r -= x.fair;
    if (r < 0) return x;
  }
  return siblings[siblings.length - 1];
}
