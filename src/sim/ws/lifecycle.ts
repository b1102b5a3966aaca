/**
 * The market_lifecycle_v2 channel: the engine's lifecycle events (pause, resume, early close,
 * determination, settlement) as Kalshi's frames, to every subscription of the channel. Kalshi takes
 * no market filter here (every market's events go to every subscriber) and numbers them with `seq`.
 */
import type { SimEngine, SimLifecycleEvent } from "../engine.js";
import type { Json } from "../http/message.js";
import { type Session, wsSend } from "./session.js";

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The `msg` of a market_lifecycle_v2 frame (asyncapi marketLifecycleV2Payload). */
export function wsLifecycle(e: SimLifecycleEvent): Json {
  const msg: Json = { market_ticker: e.ticker, event_type: e.type };
  if (e.type === "deactivated" || e.type === "activated") msg.is_deactivated = e.type === "deactivated";
  if (e.closeTs !== undefined) msg.close_ts = seconds(e.closeTs);
  if (e.determinationTs !== undefined) msg.determination_ts = seconds(e.determinationTs);
  if (e.settledTs !== undefined) msg.settled_ts = seconds(e.settledTs);
  if (e.result !== undefined) {
    msg.result = e.result;
    msg.settlement_value = e.result === "yes" ? "1.0000" : "0.0000";
  }
  return msg;
}

/** Sends each lifecycle event to every market_lifecycle_v2 subscription of every session. */
export function feedLifecycleEvents(engine: SimEngine, sessions: ReadonlySet<Session>): void {
  engine.on("lifecycle", (e) => {
    for (const s of sessions) {
      for (const sub of s.subs.values()) {
        if (sub.channel !== "market_lifecycle_v2") continue;
        sub.seq += 1;
        wsSend(s, { type: "market_lifecycle_v2", sid: sub.sid, seq: sub.seq, msg: wsLifecycle(e) });
      }
    }
  });
}
