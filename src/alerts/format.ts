/**
 * Alert texts (Telegram HTML) and how a fill is read as BUY/SELL of YES/NO.
 *
 * Kalshi reports a fill on the YES book: `book_side` bid adds YES exposure (position +count),
 * ask removes it (position −count); `post_position_fp` is the signed position after the fill
 * (positive = YES contracts, negative = NO contracts). With pre = post ∓ count:
 *   bid: pre ≥ 0 → BUY YES; pre < 0 → SELL NO for min(count, −pre), BUY YES for the rest;
 *   ask: pre ≤ 0 → BUY NO; pre > 0 → SELL YES for min(count, pre), BUY NO for the rest.
 * A YES leg is priced at the fill's YES price, a NO leg at 1 − YES price.
 * When the position is unknown the fill is told as the user placed the order (the journal's intent, when
 * it fits the book side), else in YES terms (bid = BUY YES, ask = SELL YES), which is always true on
 * Kalshi's single book.
 */
import {
  type Centis,
  type Micros,
  addMicros,
  averagePrice,
  centis,
  displayCount,
  displayAvgPrice,
  displayFee,
  displayPrice,
  displayUsd,
  micros,
  mulPriceCount,
} from "../domain/money.js";
import type { Environment } from "../domain/environment.js";
import { formatShort } from "../domain/time.js";
import type { Fill, Order, OutcomeSide, Settlement } from "../exchange/port.js";
import { runLedger, summarizeLots } from "../trading/ledger.js";
import { intentFits, type OrderIntent } from "./intent.js";
import { reduceOnlyCancelText } from "./reduceOnly.js";

export function envTagFor(env: Environment | string): string {
  switch (env) {
    case "sim":
      return "🧪 SIM";
    case "demo":
      return "🧪 DEMO";
    case "production":
    case "live":
      return "🔴 LIVE";
    default:
      return env;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface Leg {
  action: "buy" | "sell";
  outcome: OutcomeSide;
  count: Centis;
  /** Sum of price-of-outcome × count. */
  cost: Micros;
  fills: number;
}

/** The signed position change a fill causes: +count for a bid, −count for an ask. */
export function fillDelta(fill: Fill): number {
  return fill.bookSide === "bid" ? fill.count : -fill.count;
}

/**
 * Legs of one fill (two when it crosses through zero). See the module comment. `intent` (what the user
 * asked for) is used only when the position is unknown.
 */
export function interpretFill(
  fill: Fill,
  postPosition: Centis | null,
  intent: OrderIntent | null = null,
): Leg[] {
  const leg = (action: "buy" | "sell", outcome: OutcomeSide, count: number): Leg => ({
    action,
    outcome,
    count: centis(count),
    cost: mulPriceCount(outcome === "yes" ? fill.yesPrice : fill.noPrice, centis(count)),
    fills: 1,
  });
  if (postPosition === null) {
    if (intentFits(fill.bookSide, intent)) return [leg(intent.action, intent.outcome, fill.count)];
    return [leg(fill.bookSide === "bid" ? "buy" : "sell", "yes", fill.count)];
  }
  const pre = postPosition - fillDelta(fill);
  const legs: Leg[] = [];
  if (fill.bookSide === "bid") {
    const closing = pre < 0 ? Math.min(fill.count, -pre) : 0;
    if (closing > 0) legs.push(leg("sell", "no", closing));
    if (fill.count - closing > 0) legs.push(leg("buy", "yes", fill.count - closing));
  } else {
    const closing = pre > 0 ? Math.min(fill.count, pre) : 0;
    if (closing > 0) legs.push(leg("sell", "yes", closing));
    if (fill.count - closing > 0) legs.push(leg("buy", "no", fill.count - closing));
  }
  return legs;
}

export interface FillForMessage {
  fill: Fill;
  postPosition: Centis | null;
  /** The user's intent for the order, used when the position is unknown. */
  intent?: OrderIntent | null;
}

export interface MessageContext {
  envTag: string;
  timeZone: string;
}

function header(ctx: MessageContext, ms: number): string {
  return `${escapeHtml(ctx.envTag)} · ${escapeHtml(formatShort(ms, ctx.timeZone))}`;
}

function describePosition(p: Centis): string {
  if (p === 0) return "position closed";
  return `position now ${displayCount(centis(Math.abs(p)))} ${p > 0 ? "YES" : "NO"}`;
}

function legText(l: Leg, withPrice: boolean): string {
  const base = `${l.action.toUpperCase()} ${displayCount(l.count)} ${l.outcome.toUpperCase()}`;
  if (!withPrice) return base;
  return `${base} @ ${priceText(l)}`;
}

function priceText(l: Leg): string {
  const avg = averagePrice(l.cost, l.count) ?? micros(0);
  if (l.fills > 1) return `avg ${displayAvgPrice(avg)}`;
  return displayPrice(avg);
}

/** Legs of several fills merged by (action, outcome), in order of first appearance. */
function mergeLegs(items: FillForMessage[]): Leg[] {
  const out: Leg[] = [];
  for (const it of items) {
    for (const l of interpretFill(it.fill, it.postPosition, it.intent ?? null)) {
      const same = out.find((o) => o.action === l.action && o.outcome === l.outcome);
      if (same) {
        same.count = centis(same.count + l.count);
        same.cost = addMicros(same.cost, l.cost);
        same.fills += 1;
      } else out.push({ ...l });
    }
  }
  return out;
}

/**
 * "Filled: BUY 10 YES · title · @ $0.55 · fee $0.17 · position now 25 YES · order 10/10".
 * Several fills of one order (a coalesced burst): "… @ avg $0.5533 · 12 fills · …" (average and fee in
 * the one precision every message uses: displayAvgPrice, displayFee).
 */
export function formatFillMessage(
  ctx: MessageContext,
  title: string,
  items: FillForMessage[],
  order: { fillCount: Centis; initialCount: Centis } | null,
): string {
  const sorted = [...items].sort((a, b) => a.fill.createdTime - b.fill.createdTime);
  const last = sorted[sorted.length - 1];
  if (!last) throw new Error("formatFillMessage needs at least one fill");
  const legs = mergeLegs(sorted);
  const parts: string[] = [];
  if (legs.length === 1) {
    const l = legs[0]!;
    parts.push(legText(l, false), escapeHtml(title), `@ ${priceText(l)}`);
  } else {
    parts.push(legs.map((l) => legText(l, true)).join(" + "), escapeHtml(title));
  }
  if (sorted.length > 1) parts.push(`${sorted.length} fills`);
  parts.push(`fee ${displayFee(addMicros(...sorted.map((s) => s.fill.fee)))}`);
  const post = [...sorted].reverse().find((s) => s.postPosition !== null)?.postPosition ?? null;
  if (post !== null) parts.push(describePosition(post));
  if (order && order.initialCount > 0) {
    parts.push(`order ${displayCount(order.fillCount)}/${displayCount(order.initialCount)}`);
  }
  return `${header(ctx, last.fill.createdTime)}\n<b>Filled</b>: ${parts.join(" · ")}`;
}

/** Kalshi's `last_update_reason` values for cancels the exchange made on its own. */
const EXCHANGE_CANCEL_REASONS: Readonly<Record<string, string>> = {
  ExpiryCancel: "the order expired",
  CloseCancel: "the market closed",
  HaltCancel: "trading was halted",
  MarginCancel: "the balance was not enough",
  SelfTradeCancel: "it would have traded with your own order",
  PostOnlyCrossCancel: "a post-only order would have taken liquidity",
  ReduceOnlyCancel: "a reduce-only order would have grown the position",
};

/** The reason given to a cancel notice for an order canceled by another user of the same account. */
export const OTHER_USER_CANCEL = "OtherUserCancel";

export function isExchangeCancel(order: Order, reason: string | null): boolean {
  return order.status === "canceled" && reason !== null && reason in EXCHANGE_CANCEL_REASONS;
}

/**
 * An order as the user placed it:
 * - the journal's intent for the order, when known and it fits the book side;
 * - a reduce-only cancel: the order could only have closed a position, so an ask is SELL YES and a bid
 *   is SELL NO (the position is typically gone by the time of the cancel, so it cannot tell);
 * - else the current position tells an ask "sell YES" (holding YES) from "buy NO"; without it, YES terms.
 */
export function describeOrder(
  order: Order,
  position: Centis | null,
  reason: string | null = null,
  intent: OrderIntent | null = null,
): string {
  const count = displayCount(order.initialCount);
  const price = (outcome: OutcomeSide) => displayPrice(outcome === "yes" ? order.yesPrice : order.noPrice);
  if (intentFits(order.bookSide, intent)) {
    return `${intent.action.toUpperCase()} ${count} ${intent.outcome.toUpperCase()} @ ${price(intent.outcome)}`;
  }
  if (reason === "ReduceOnlyCancel") {
    return order.bookSide === "ask"
      ? `SELL ${count} YES @ ${price("yes")}`
      : `SELL ${count} NO @ ${price("no")}`;
  }
  if (order.bookSide === "bid") {
    if (position !== null && position < 0) return `SELL ${count} NO @ ${displayPrice(order.noPrice)}`;
    return `BUY ${count} YES @ ${displayPrice(order.yesPrice)}`;
  }
  if (position !== null && position <= 0) return `BUY ${count} NO @ ${displayPrice(order.noPrice)}`;
  return `SELL ${count} YES @ ${displayPrice(order.yesPrice)}`;
}

export function formatCancelMessage(
  ctx: MessageContext,
  title: string,
  order: Order,
  reason: string,
  position: Centis | null,
  atMs: number,
  intent: OrderIntent | null = null,
): string {
  if (reason === "ReduceOnlyCancel") {
    return `${header(ctx, atMs)}\n${reduceOnlyCancelText(order, intent)}\n${escapeHtml(title)}`;
  }
  const parts = [describeOrder(order, position, reason, intent), escapeHtml(title)];
  parts.push(`filled ${displayCount(order.fillCount)}/${displayCount(order.initialCount)}`);
  if (reason === OTHER_USER_CANCEL) {
    return `${header(ctx, atMs)}\n<b>Your order was canceled by another user of this Kalshi account</b>: ${parts.join(" · ")}`;
  }
  const why = EXCHANGE_CANCEL_REASONS[reason] ?? reason;
  return `${header(ctx, atMs)}\n<b>Order canceled by the exchange</b> (${escapeHtml(why)}): ${parts.join(" · ")}`;
}

/**
 * Kalshi's own figures: revenue − cost of the YES and NO contracts held − `fee_cost`. `fee_cost` is the
 * total of the fees paid in that market, including those of contracts sold before settlement, so this
 * is only an approximation of what settling realized; used when the fills are not available.
 */
export function settlementPnl(s: Settlement): Micros {
  return micros(s.revenue - s.yesTotalCost - s.noTotalCost - s.fee);
}

/** Realized P&L of a settlement as /portfolio computes it (docs/trading.md "How P&L is calculated"). */
export interface SettlementPnl {
  /** What settling realized on the contracts held: revenue − their FIFO cost and entry fees. */
  held: Micros;
  /** All realized in this market: the sells before settlement plus `held` (the /portfolio per-market figure). */
  market: Micros;
  /** False when the fills do not explain the position held: `held` is then Kalshi's approximation. */
  exact: boolean;
}

/**
 * Runs the trading ledger (runLedger) over the market's fills and the settlement. Exact when the open
 * lots before settlement match the counts the settlement reports; otherwise falls back to settlementPnl().
 */
export function settlementPnlFromFills(s: Settlement, fills: Fill[]): SettlementPnl {
  const mine = fills.filter((f) => f.ticker === s.ticker && f.createdTime <= s.settledTime);
  const lots = summarizeLots(runLedger(mine).lots.get(s.ticker));
  const lotsSigned = lots === null ? 0 : lots.side === "yes" ? lots.count : -lots.count;
  const exact = lots !== null && lotsSigned === s.yesCount - s.noCount;
  const events = runLedger(mine, [s]).realized.filter((e) => e.ticker === s.ticker);
  const sells = events.filter((e) => e.kind === "sell").reduce((a, e) => a + e.pnl, 0);
  const settled = events.find((e) => e.kind === "settlement");
  const held = exact && settled ? settled.pnl : settlementPnl(s);
  return { held, market: micros(sells + held), exact: exact && settled !== undefined };
}

export function wasHeld(s: Settlement): boolean {
  return s.yesCount > 0 || s.noCount > 0;
}

/**
 * "Settled: title · result YES · you held 10 YES · payout $10.00 credited to your cash · P&L +$4.33". When contracts of this
 * market were sold before, "· market total +$5.10" follows (matches /portfolio). Without `pnl` (fills
 * unavailable) Kalshi's approximation is shown and labelled "(approx.)".
 */
export function formatSettlementMessage(
  ctx: MessageContext,
  title: string,
  s: Settlement,
  pnl: SettlementPnl | null = null,
): string {
  const held: string[] = [];
  if (s.yesCount > 0) held.push(`${displayCount(s.yesCount)} YES`);
  if (s.noCount > 0) held.push(`${displayCount(s.noCount)} NO`);
  const result =
    s.marketResult === "scalar"
      ? `scalar${s.value !== null ? ` (YES pays ${displayPrice(s.value)})` : ""}`
      : s.marketResult.toUpperCase();
  const parts = [
    escapeHtml(title),
    `result ${result}`,
    `you held ${held.join(" and ")}`,
    `payout ${displayUsd(s.revenue)} credited to your cash`,
  ];
  if (pnl?.exact) {
    parts.push(`P&amp;L ${displayUsd(pnl.held, { sign: true })}`);
    if (pnl.market !== pnl.held) parts.push(`market total ${displayUsd(pnl.market, { sign: true })}`);
  } else {
    parts.push(`P&amp;L ${displayUsd(pnl?.held ?? settlementPnl(s), { sign: true })} (approx.)`);
  }
  return `${header(ctx, s.settledTime)}\n<b>Settled</b>: ${parts.join(" · ")}`;
}

/** Appended to an alert whose earlier delivery may have reached the chat. */
export const RESENT_AFTER_RESTART_NOTE = "(sent again after a restart — you may have seen this already)";
export const RESENT_AFTER_ERROR_NOTE =
  "(sent again after a connection problem — you may have seen this already)";

export function withNote(html: string, note: string): string {
  return `${html}\n<i>${escapeHtml(note)}</i>`;
}
