/**
 * One WebSocket connection's subscriptions and the messages every channel shares: sending, Kalshi's
 * error frame, a market's id, and order book snapshots (kept per subscription so later changes go
 * out as deltas). The command and feed modules build on these.
 */
import { createHash } from "node:crypto";
import type { WebSocket } from "ws";
import type { SimEngine } from "../engine.js";
import type { Json } from "../http/message.js";
import { orderbookToWire } from "../wire.js";

/** The channels the sim serves. */
export const CHANNELS = [
  "fill",
  "user_orders",
  "market_positions",
  "ticker",
  "orderbook_delta",
  "market_lifecycle_v2",
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Every channel Kalshi knows: one of these the sim does not serve is refused differently. */
export const KNOWN_CHANNELS = new Set<string>([
  ...CHANNELS,
  "trade",
  "multivariate_market_lifecycle",
  "communications",
  "order_group_updates",
  "cfbenchmarks_value",
  "cfbenchmarks_value_5hz",
  "pyth_value",
]);

export interface Subscription {
  sid: number;
  channel: Channel;
  tickers: Set<string> | null;
  seq: number;
  /** orderbook_delta: last levels sent per ticker, keyed "yes|price" → count. */
  books: Map<string, Map<string, number>>;
}

export interface Session {
  ws: WebSocket;
  subs: Map<number, Subscription>;
  nextSid: number;
}

/** A stable UUID-shaped id per ticker (Kalshi sends `market_id` beside the ticker). */
export function marketId(ticker: string): string {
  const h = createHash("sha256").update(ticker).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function wsSend(s: Session, msg: Json): void {
  if (s.ws.readyState === s.ws.OPEN) s.ws.send(JSON.stringify(msg));
}

export function wsError(s: Session, id: unknown, code: number, msg: string): void {
  wsSend(s, { id: typeof id === "number" ? id : 0, type: "error", msg: { code, msg } });
}

type WireBook = { yes_dollars: string[][]; no_dollars: string[][] };

/** A market's book as "side|price" → centi-contracts; empty unless the market is open. */
export function bookLevels(engine: SimEngine, ticker: string): Map<string, number> {
  const out = new Map<string, number>();
  const m = engine.findMarket(ticker);
  if (!m || m.status !== "active") return out;
  const ob = orderbookToWire(engine, ticker) as WireBook;
  for (const [p, c] of ob.yes_dollars) out.set(`yes|${p}`, Math.round(Number(c) * 100));
  for (const [p, c] of ob.no_dollars) out.set(`no|${p}`, Math.round(Number(c) * 100));
  return out;
}

/** Sends the whole book and remembers it, so the next change is sent as a delta against it. */
export function sendSnapshot(engine: SimEngine, s: Session, sub: Subscription, ticker: string): void {
  const levels = bookLevels(engine, ticker);
  sub.books.set(ticker, levels);
  const ob = orderbookToWire(engine, ticker) as WireBook;
  const msg: Json = { market_ticker: ticker, market_id: marketId(ticker) };
  if (ob.yes_dollars.length) msg.yes_dollars_fp = ob.yes_dollars;
  if (ob.no_dollars.length) msg.no_dollars_fp = ob.no_dollars;
  sub.seq += 1;
  wsSend(s, { type: "orderbook_snapshot", sid: sub.sid, seq: sub.seq, msg });
}
