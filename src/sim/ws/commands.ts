/**
 * The WebSocket commands a client sends (subscribe, unsubscribe, list_subscriptions,
 * update_subscription), answered with Kalshi's frames and its numbered error codes (asyncapi).
 */
import type { SimEngine } from "../engine.js";
import type { Json } from "../http/message.js";
import { wsTicker } from "../wire.js";
import {
  type Channel,
  CHANNELS,
  KNOWN_CHANNELS,
  type Session,
  type Subscription,
  marketId,
  sendSnapshot,
  wsError,
  wsSend,
} from "./session.js";

function tickersOf(p: Json): string[] | null {
  if (typeof p.market_ticker === "string") return [p.market_ticker];
  if (Array.isArray(p.market_tickers))
    return p.market_tickers.filter((t): t is string => typeof t === "string");
  return null;
}

/** The first reason to refuse a subscribe, as Kalshi's [code, message], or null. */
function subscribeRefusal(engine: SimEngine, params: Json): [number, string] | null {
  const chans = params.channels;
  if (!Array.isArray(chans) || chans.length === 0) return [3, "Channels required"];
  for (const c of chans) {
    if (typeof c !== "string" || !KNOWN_CHANNELS.has(c)) return [8, "Unknown channel name"];
    if (!(CHANNELS as readonly string[]).includes(c)) return [10, `Channel ${c} is not supported by the sim`];
  }
  const tickers = tickersOf(params);
  for (const t of tickers ?? []) if (!engine.findMarket(t)) return [11, `Unknown market ticker ${t}`];
  if (chans.includes("orderbook_delta") && !tickers?.length) return [14, "Market Ticker required"];
  return null;
}

function subscribe(engine: SimEngine, s: Session, id: unknown, params: Json): void {
  const refusal = subscribeRefusal(engine, params);
  if (refusal) return wsError(s, id, ...refusal);
  const tickers = tickersOf(params);
  for (const c of params.channels as Channel[]) {
    const sid = s.nextSid++;
    const sub: Subscription = {
      sid,
      channel: c,
      tickers: tickers ? new Set(tickers) : null,
      seq: 0,
      books: new Map(),
    };
    s.subs.set(sid, sub);
    wsSend(s, { id, type: "subscribed", msg: { channel: c, sid } });
    if (c === "ticker" && params.send_initial_snapshot === true) {
      for (const t of tickers ?? [])
        wsSend(s, { type: "ticker", sid, msg: wsTicker(engine, engine.market(t), marketId(t)) });
    }
    if (c === "orderbook_delta") for (const t of tickers ?? []) sendSnapshot(engine, s, sub, t);
  }
}

function unsubscribe(s: Session, id: unknown, params: Json): void {
  const sids = params.sids;
  if (!Array.isArray(sids) || sids.length === 0) return wsError(s, id, 4, "Subscription IDs required");
  for (const sid of sids) {
    const sub = s.subs.get(sid as number);
    if (!sub) {
      wsError(s, id, 7, "Unknown subscription ID");
      continue;
    }
    s.subs.delete(sub.sid);
    wsSend(s, { id, type: "unsubscribed", sid: sub.sid, seq: sub.seq + 1 });
  }
}

/** add_markets / delete_markets / get_snapshot on one subscription. */
function updateSubscription(engine: SimEngine, s: Session, id: unknown, params: Json): void {
  const sids = typeof params.sid === "number" ? [params.sid] : Array.isArray(params.sids) ? params.sids : [];
  if (sids.length !== 1) return wsError(s, id, 12, "Exactly one subscription ID is required");
  const sub = s.subs.get(sids[0] as number);
  if (!sub) return wsError(s, id, 7, "Unknown subscription ID");
  const action = params.action;
  if (!action) return wsError(s, id, 15, "Action required");
  if (action !== "add_markets" && action !== "delete_markets" && action !== "get_snapshot")
    return wsError(s, id, 13, "Unsupported action");
  const tickers = tickersOf(params) ?? [];
  if (!tickers.length) return wsError(s, id, 14, "Market Ticker required");
  const isBook = sub.channel === "orderbook_delta";
  for (const t of tickers) {
    if (action === "add_markets") {
      (sub.tickers ??= new Set()).add(t);
      if (isBook) sendSnapshot(engine, s, sub, t);
    } else if (action === "delete_markets") {
      sub.tickers?.delete(t);
      sub.books.delete(t);
    } else if (isBook) {
      sendSnapshot(engine, s, sub, t);
    }
  }
  // seq (minimum 1 in the asyncapi schema) only on a sequenced subscription that has sent one.
  wsSend(s, {
    id,
    type: "ok",
    sid: sub.sid,
    ...(sub.seq > 0 ? { seq: sub.seq } : {}),
    msg: { market_tickers: [...(sub.tickers ?? [])] },
  });
}

/** Answers one text frame from a client. */
export function handleCommand(engine: SimEngine, s: Session, text: string): void {
  let cmd: Json;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    cmd = v as Json;
  } catch {
    wsError(s, 0, 1, "Unable to process message");
    return;
  }
  const id = cmd.id;
  const params = cmd.params as Json | undefined;
  const needsParams = ["subscribe", "unsubscribe", "update_subscription"].includes(cmd.cmd as string);
  if (needsParams && (!params || typeof params !== "object")) return wsError(s, id, 2, "Params required");
  switch (cmd.cmd) {
    case "subscribe":
      return subscribe(engine, s, id, params!);
    case "unsubscribe":
      return unsubscribe(s, id, params!);
    case "list_subscriptions":
      return wsSend(s, {
        id,
        type: "ok",
        msg: [...s.subs.values()].map((x) => ({ channel: x.channel, sid: x.sid })),
      });
    case "update_subscription":
      return updateSubscription(engine, s, id, params!);
    default:
      if (!cmd.cmd) return wsError(s, id, 1, "Unable to process message");
      return wsError(s, id, 5, "Unknown command");
  }
}
