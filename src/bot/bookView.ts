/**
 * The /book card: the best levels of each side, for YES and for NO, with sizes and the spread.
 * Kalshi's book holds bids only, so each outcome's asks are the other outcome's bids seen from the
 * other side (YES ask = $1 − NO bid), the same levels a buy walks (trading/fillEstimate.ts
 * takeLevels). Pure: the market and book in, HTML out.
 */
import { type Micros, micros } from "../domain/money.js";
import type { Market, Orderbook, OrderbookLevel, OutcomeSide } from "../exchange/port.js";
import { takeLevels } from "../trading/fillEstimate.js";
import { count, escapeHtml, price } from "./format.js";
import { marketLine } from "./views.js";

/** Levels shown per side. */
export const BOOK_LEVELS = 5;

interface Side {
  bids: OrderbookLevel[];
  asks: OrderbookLevel[];
}

function side(book: Orderbook, outcome: OutcomeSide, levels: number): Side {
  return {
    bids: takeLevels(book, outcome, "sell").slice(0, levels),
    asks: takeLevels(book, outcome, "buy").slice(0, levels),
  };
}

const cell = (l: OrderbookLevel | undefined, w: { p: number; n: number }): string =>
  l ? `${price(l.price).padStart(w.p)} ${count(l.count).padStart(w.n)}` : " ".repeat(w.p + w.n + 1);

/**
 * One outcome as a fixed-width table, bids (sell at) on the left, asks (buy at) on the right, best
 * first in each column, so it lines up in Telegram's monospace block on a phone.
 */
function table(outcome: OutcomeSide, s: Side): string {
  const all = [...s.bids, ...s.asks];
  const w = {
    p: Math.max(5, ...all.map((l) => price(l.price).length)),
    n: Math.max(4, ...all.map((l) => count(l.count).length)),
  };
  const head = (label: string) => label.padStart(w.p) + " " + "size".padStart(w.n);
  const rows = [`${outcome.toUpperCase()}`, `${head("bid")} │ ${head("ask")}`];
  const n = Math.max(s.bids.length, s.asks.length);
  if (n === 0) rows.push("(no orders on either side)");
  for (let i = 0; i < n; i++) rows.push(`${cell(s.bids[i], w)} │ ${cell(s.asks[i], w)}`.trimEnd());
  return `<pre>${rows.join("\n")}</pre>`;
}

/** Ask − bid of YES (the same for NO); null when either side is empty. */
export function bookSpread(book: Orderbook): Micros | null {
  const bid = takeLevels(book, "yes", "sell")[0];
  const ask = takeLevels(book, "yes", "buy")[0];
  return bid && ask ? micros(ask.price - bid.price) : null;
}

/** "14:02:05 EST": to the second, so each ↻ Refresh visibly reads the book again. */
function readAt(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(ms);
}

export function bookCard(
  market: Market,
  book: Orderbook,
  at: { now: number; timeZone: string },
  levels = BOOK_LEVELS,
): string {
  const yes = side(book, "yes", levels);
  const spread = bookSpread(book);
  const missing = !yes.bids.length ? "no YES bids" : !yes.asks.length ? "no NO bids, so no YES asks" : "";
  const lines = [
    marketLine(market.title, market.ticker),
    market.yesSubTitle ? `YES means: ${escapeHtml(market.yesSubTitle)}` : "",
    `Order book at ${escapeHtml(readAt(at.now, at.timeZone))}, best ${levels} levels a side`,
    "(bid: you sell at; ask: you buy at; size in contracts)",
    table("yes", yes),
    table("no", side(book, "no", levels)),
    spread === null ? `Spread: – (${missing})` : `Spread: ${price(spread)} (YES and NO alike)`,
    market.status === "active" ? "" : `Status: ${escapeHtml(market.status)}: nothing trades now.`,
  ];
  return lines.filter(Boolean).join("\n");
}
