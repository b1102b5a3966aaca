/**
 * What a price alert watches and when it fires, as pure functions (no I/O), so the crossing rules are
 * tested on their own and read in one place.
 *
 * The price of a side is what it costs to buy it now, as Kalshi's app shows it: YES = the best YES
 * ask, NO = 1 − the best YES bid (the best NO ask). A side with an empty book has no price and
 * never fires.
 *
 * - Level alerts (`yes >= 0.40`, `no <= 0.25`) fire when the price reaches the level (touching it
 *   counts), once; then they stay quiet until re-armed: the price must move back past the level by
 *   REARM_BAND (2¢), e.g. below 0.38 for `>= 0.40`. An alert set while its condition already holds
 *   starts disarmed (the user is told), so it fires on the next real crossing.
 * - Move alerts (`moves 5c`) fire when the YES price is at least the step away from the reference
 *   (the price when set); the price at firing becomes the new reference, so each further step fires once.
 */
import type { Micros } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";

/** How far back past the level the price must go before a fired level alert can fire again. */
export const REARM_BAND = 20_000 as Micros;

export interface Quote {
  yesBid: Micros | null;
  yesAsk: Micros | null;
  lastPrice: Micros | null;
}

export type AlertRule =
  | { kind: "level"; side: OutcomeSide; op: ">=" | "<="; level: Micros }
  | { kind: "move"; side: "yes"; step: Micros; reference: Micros };

export interface PriceAlert {
  id: string;
  chatId: number;
  ticker: string;
  rule: AlertRule;
  /** A level alert that fired (or was set already true) waits for the re-arm band before firing again. */
  armed: boolean;
  /** Crossings so far: the next crossing's notice key is `p:<id>:<fired + 1>` (exactly-once across restarts). */
  fired: number;
  createdAt: number;
}

/** The price to buy `side` now, or null when that side of the book is empty. */
export function sidePrice(q: Quote, side: OutcomeSide): Micros | null {
  if (side === "yes") return q.yesAsk;
  return q.yesBid === null ? null : ((1_000_000 - q.yesBid) as Micros);
}

/** True when the rule's condition holds at `price`. */
export function holds(rule: AlertRule, price: Micros): boolean {
  if (rule.kind === "move") return Math.abs(price - rule.reference) >= rule.step;
  return rule.op === ">=" ? price >= rule.level : price <= rule.level;
}

/** True when a fired level alert may fire again: the price went back past the level by the band. */
export function rearms(rule: AlertRule, price: Micros): boolean {
  if (rule.kind === "move") return true;
  return rule.op === ">=" ? price < rule.level - REARM_BAND : price > rule.level + REARM_BAND;
}

export type Step =
  | { kind: "none" }
  | { kind: "rearm" }
  /** Fires at `price`; `next` is the alert after firing (disarmed, or a move's new reference). */
  | { kind: "fire"; price: Micros; next: PriceAlert };

/** What one new quote does to one alert. */
export function step(a: PriceAlert, q: Quote): Step {
  const price = sidePrice(q, a.rule.side);
  if (price === null) return { kind: "none" };
  if (!a.armed) return rearms(a.rule, price) ? { kind: "rearm" } : { kind: "none" };
  if (!holds(a.rule, price)) return { kind: "none" };
  const next: PriceAlert =
    a.rule.kind === "move"
      ? { ...a, rule: { ...a.rule, reference: price }, fired: a.fired + 1 }
      : { ...a, armed: false, fired: a.fired + 1 };
  return { kind: "fire", price, next };
}

/** The alert's condition in words, e.g. "YES ≥ $0.40" or "YES moves 5¢ (from $0.42)". */
export function describeRule(rule: AlertRule): string {
  const usd = (m: Micros) => `$${(m / 1_000_000).toFixed(m % 10_000 === 0 ? 2 : 4)}`;
  if (rule.kind === "move")
    return `YES moves ${Math.round(rule.step / 10_000)}¢ (from ${usd(rule.reference)})`;
  return `${rule.side.toUpperCase()} ${rule.op === ">=" ? "≥" : "≤"} ${usd(rule.level)}`;
}
