/**
 * A market's life after trading: pausing and resuming it, closing it (its resting orders cancelled),
 * determining its result, settling it ($1 per winning contract, a settlement record per account that
 * held it) and the schedule that closes, settles and expires whatever falls due at the sim clock.
 * Each step is told as Kalshi's market_lifecycle_v2 events are (a scheduled close has none; an early
 * one moves the close date).
 */
import { MICROS_PER_CENT, MICROS_PER_DOLLAR, centis, micros } from "../../domain/money.js";
import type { SimMarket } from "../fixtures.js";
import { settlementRecord, settlementRevenue } from "./accounting.js";
import type { EngineInternals } from "./internals.js";
import { pickWinner } from "./syntheticFlow.js";
import { type Account, type PositionState, SimError } from "./types.js";

export type LifecycleDeps = Pick<EngineInternals, "engine" | "books" | "rng" | "credit" | "cancel">;

/** Stops trading in a market and cancels its resting orders. */
export function closeMarket(d: LifecycleDeps, ticker: string): SimMarket {
  const { engine } = d;
  const m = engine.market(ticker);
  if (m.status === "active" || m.status === "initialized" || m.status === "inactive") {
    const b = engine.book(ticker);
    for (const o of [...b.bids, ...b.asks]) d.cancel(o, "CloseCancel");
    m.status = "closed";
    const early = engine.now() < m.closeTime;
    m.closeTime = Math.min(m.closeTime, engine.now());
    m.updatedTime = engine.now();
    if (early) engine.emit("lifecycle", { ticker, type: "close_date_updated", closeTs: m.closeTime });
    engine.emit("market", m);
    engine.emit("ticker", m);
    engine.emit("changed");
  }
  return m;
}

/** Settles a market: $1 per winning contract, a settlement record per account that held it. */
export function settleMarket(d: LifecycleDeps, ticker: string, result: "yes" | "no"): SimMarket {
  const { engine } = d;
  const m = engine.market(ticker);
  if (m.status === "finalized") {
    throw new SimError(409, "market_settled", "market already settled", `${ticker} settled ${m.result}`);
  }
  if (m.status !== "determined") determineMarket(d, ticker, result);
  else if (m.result !== result) {
    throw new SimError(409, "market_determined", "market already determined", `${ticker} is ${m.result}`);
  }
  const now = engine.now();
  for (const acct of Object.values(engine.state.accounts)) {
    const pos = acct.positions[ticker];
    if (pos) settlePosition(d, acct, m, pos, result, now);
  }
  m.openInterest = 0;
  m.status = "finalized";
  m.result = result;
  m.settlementTs = now;
  m.lastPrice = result === "yes" ? micros(99 * MICROS_PER_CENT) : micros(MICROS_PER_CENT);
  m.updatedTime = now;
  engine.emit("lifecycle", { ticker, type: "settled", settledTs: now });
  engine.emit("market", m);
  engine.emit("changed");
  return m;
}

/** Pauses (deactivates) or resumes an open market; resting orders stay, new ones are refused. */
export function pauseMarket(d: LifecycleDeps, ticker: string, paused: boolean): SimMarket {
  const { engine } = d;
  const m = engine.market(ticker);
  const from = paused ? "active" : "inactive";
  if (m.status !== from) {
    const what = paused ? "paused" : "resumed";
    throw new SimError(409, "market_not_open", `market cannot be ${what}`, `${ticker} is ${m.status}`);
  }
  m.status = paused ? "inactive" : "active";
  m.updatedTime = engine.now();
  engine.emit("lifecycle", { ticker, type: paused ? "deactivated" : "activated" });
  engine.emit("market", m);
  engine.emit("ticker", m);
  engine.emit("changed");
  return m;
}

/** Closes the market (if open) and fixes its result; the payout waits for settleMarket. */
export function determineMarket(d: LifecycleDeps, ticker: string, result: "yes" | "no"): SimMarket {
  const { engine } = d;
  const m = engine.market(ticker);
  if (m.status === "determined" || m.status === "finalized") {
    throw new SimError(409, "market_determined", "market already determined", `${ticker} is ${m.result}`);
  }
  engine.close(ticker);
  m.status = "determined";
  m.result = result;
  m.updatedTime = engine.now();
  engine.emit("lifecycle", { ticker, type: "determined", determinationTs: engine.now(), result });
  engine.emit("market", m);
  engine.emit("changed");
  return m;
}

/** Pays out one account's position in a settled market and records it (history accounts). */
function settlePosition(
  d: LifecycleDeps,
  acct: Account,
  m: SimMarket,
  pos: PositionState,
  result: "yes" | "no",
  now: number,
): void {
  const { engine } = d;
  const size = Math.abs(pos.position);
  const revenue = settlementRevenue(pos, result);
  if (acct.history && (pos.position !== 0 || pos.volume > 0)) {
    const s = settlementRecord(acct.id, m, pos, result, now);
    engine.state.settlements.push(s);
    engine.emit("settlement", s);
  }
  d.credit(acct, m.ticker, revenue);
  acct.updatedTs = now;
  pos.realizedPnl = micros(pos.realizedPnl + revenue - pos.cost);
  pos.cost = micros(0);
  pos.position = centis(0);
  pos.lastUpdatedTs = now;
  if (size > 0) engine.emit("position", acct.id, pos);
}

/** Closes, settles and expires whatever is due at the sim clock. */
export function runSchedule(d: LifecycleDeps): void {
  const { engine } = d;
  const now = engine.now();
  for (const o of [...d.books.expiring]) {
    if (o.status === "resting" && o.expirationTs !== null && o.expirationTs <= now) {
      d.cancel(o, "ExpiryCancel");
      engine.emit("changed");
    }
  }
  for (const m of engine.state.markets) {
    if ((m.status === "active" || m.status === "inactive") && m.closeTime <= now) engine.close(m.ticker);
    if (m.status === "determined" && m.settleTime <= now && m.result !== "")
      engine.settle(m.ticker, m.result);
  }
  const due = engine.state.markets.filter((m) => m.status === "closed" && m.settleTime <= now);
  const doneEvents = new Set<string>();
  for (const m of due) {
    if (m.status !== "closed") continue;
    const ev = engine.event(m.eventTicker);
    if (ev?.mutuallyExclusive && !doneEvents.has(ev.eventTicker)) {
      doneEvents.add(ev.eventTicker);
      const siblings = engine.state.markets.filter(
        (x) => x.eventTicker === ev.eventTicker && x.status === "closed",
      );
      const winner = pickWinner(siblings, d.rng);
      for (const x of siblings) if (x.settleTime <= now) engine.settle(x.ticker, x === winner ? "yes" : "no");
    } else if (!ev?.mutuallyExclusive) {
      engine.settle(m.ticker, d.rng.next() * MICROS_PER_DOLLAR < m.fair ? "yes" : "no");
    }
  }
}
