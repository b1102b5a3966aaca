/**
 * Controls that walk a market through its life the way Kalshi does on its own: pause and resume
 * trading, move the close time (what a "closing soon" notice waits for, without moving the sim clock
 * the bot does not share), determine the result, then settle (POST /sim/settle, /sim/close live in
 * control.ts). Each change is also told on the market_lifecycle_v2 channel.
 */
import type { SimContext } from "./context.js";
import { SimError } from "./engine.js";
import { type Json, type Reply, ok } from "./http/message.js";
import { bad } from "./orderRequests.js";
import { marketToWire } from "./wire.js";

type Handler = (body: () => Promise<Json>) => Promise<Reply>;

const tickerOf = (b: Json) => String(b.ticker ?? "");

/** `METHOD /sim/path` → handler, merged into the control table. */
export function lifecycleControls(ctx: SimContext): Record<string, Handler> {
  const { engine } = ctx;
  const market = (m: Parameters<typeof marketToWire>[1]) => ok({ market: marketToWire(engine, m) });
  return {
    "POST /sim/pause": async (body) => market(engine.pause(tickerOf(await body()), true)),
    "POST /sim/resume": async (body) => market(engine.pause(tickerOf(await body()), false)),
    "POST /sim/determine": async (body) => {
      const b = await body();
      if (b.result !== "yes" && b.result !== "no") throw bad('result must be "yes" or "no"');
      return market(engine.determine(tickerOf(b), b.result));
    },
    "POST /sim/close_time": async (body) => {
      const b = await body();
      const inMs = b.close_in_ms;
      if (typeof inMs !== "number" || !Number.isFinite(inMs) || inMs <= 0)
        throw bad("close_in_ms must be a positive number of milliseconds from now");
      const m = engine.market(tickerOf(b));
      if (m.status !== "active" && m.status !== "inactive")
        throw new SimError(409, "market_closed", "market closed", `market ${m.ticker} is ${m.status}`);
      m.closeTime = engine.now() + Math.round(inMs);
      m.settleTime = Math.max(m.settleTime, m.closeTime);
      m.updatedTime = engine.now();
      engine.emit("lifecycle", { ticker: m.ticker, type: "close_date_updated", closeTs: m.closeTime });
      engine.emit("market", m);
      engine.emit("changed");
      return market(m);
    },
  };
}
