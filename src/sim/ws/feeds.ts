/**
 * The engine's events as WebSocket messages: the paper account's fills, orders and positions, and
 * every market's ticker and order book deltas, each to the subscriptions that asked for it.
 */
import { type Centis, formatCount } from "../../domain/money.js";
import { type SimEngine, USER } from "../engine.js";
import type { SimMarket } from "../fixtures.js";
import { wsFill, wsMarketPosition, wsTicker, wsUserOrder } from "../wire.js";
import { type Channel, type Session, type Subscription, bookLevels, marketId, wsSend } from "./session.js";

type ForSubs = (channel: Channel, ticker: string | null, fn: (s: Session, sub: Subscription) => void) => void;

/** Sends what changed in `m`'s book since this subscription's last snapshot or delta. */
function sendBookDeltas(engine: SimEngine, s: Session, sub: Subscription, m: SimMarket): void {
  if (!sub.tickers?.has(m.ticker)) return;
  const before = sub.books.get(m.ticker) ?? new Map<string, number>();
  const after = bookLevels(engine, m.ticker);
  const keysAll = new Set([...before.keys(), ...after.keys()]);
  for (const k of [...keysAll].sort()) {
    const delta = (after.get(k) ?? 0) - (before.get(k) ?? 0);
    if (delta === 0) continue;
    const [side, price] = k.split("|") as [string, string];
    sub.seq += 1;
    wsSend(s, {
      type: "orderbook_delta",
      sid: sub.sid,
      seq: sub.seq,
      msg: {
        market_ticker: m.ticker,
        market_id: marketId(m.ticker),
        price_dollars: price,
        delta_fp: formatCount(delta as Centis),
        side,
        ts_ms: engine.now(),
      },
    });
  }
  sub.books.set(m.ticker, after);
}

/** Subscribes the sessions' feeds to the engine's events. */
export function feedEngineEvents(engine: SimEngine, sessions: ReadonlySet<Session>): void {
  const forSubs: ForSubs = (channel, ticker, fn) => {
    for (const s of sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel !== channel) continue;
        if (ticker && sub.tickers && !sub.tickers.has(ticker)) continue;
        fn(s, sub);
      }
    }
  };
  engine.on("fill", (f) => {
    if (f.accountId !== USER) return;
    forSubs("fill", f.ticker, (s, sub) => wsSend(s, { type: "fill", sid: sub.sid, msg: wsFill(engine, f) }));
  });
  engine.on("order", (o) => {
    if (o.accountId !== USER) return;
    forSubs("user_orders", o.ticker, (s, sub) =>
      wsSend(s, { type: "user_order", sid: sub.sid, msg: wsUserOrder(engine, o) }),
    );
  });
  engine.on("position", (accountId, p) => {
    if (accountId !== USER) return;
    forSubs("market_positions", p.ticker, (s, sub) =>
      wsSend(s, { type: "market_position", sid: sub.sid, msg: wsMarketPosition(engine, accountId, p) }),
    );
  });
  // One ticker frame per market per turn of the event loop: a requote (cancel all, place ten) would
  // otherwise stream its half-built books, prices that never really stood (false price alerts).
  const tickerDue = new Set<SimMarket>();
  engine.on("ticker", (m) => {
    if (sessions.size === 0) return;
    if (!tickerDue.has(m)) {
      tickerDue.add(m);
      queueMicrotask(() => {
        tickerDue.delete(m);
        forSubs("ticker", m.ticker, (s, sub) =>
          wsSend(s, { type: "ticker", sid: sub.sid, msg: wsTicker(engine, m, marketId(m.ticker)) }),
        );
      });
    }
    forSubs("orderbook_delta", m.ticker, (s, sub) => sendBookDeltas(engine, s, sub, m));
  });
}
