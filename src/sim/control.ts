/**
 * The test and operator controls under /sim/ (loopback only): trade as another account, settle or
 * close a market, move its price, inject faults and latency, drop WebSockets, move the clock, reset. These are not
 * Kalshi's; they let tests make the exchange do what the live one does on its own.
 */
import type { IncomingMessage } from "node:http";
import { micros, tryParseCount, tryParseDollars } from "../domain/money.js";
import type { SimContext } from "./context.js";
import { type BookSide, type SimEngine, SimError, type TimeInForce } from "./engine.js";
import type { FaultInjector, FaultRequest } from "./faults.js";
import type { WallClock } from "./auth.js";
import { type Json, type Reply, ok, parseJson, readBody } from "./http/message.js";
import { bad } from "./orderRequests.js";
import { lifecycleControls } from "./lifecycleControl.js";
import { fillToWire, marketToWire, orderToWire } from "./wire.js";

export interface SimTradeArgs {
  ticker: string;
  side: BookSide;
  /** YES price, dollars string ("0.56") or Micros number. */
  price: string | number;
  /** Contracts, string ("10") or whole number. */
  count: string | number;
  time_in_force?: TimeInForce;
}

export type TradeResult = ReturnType<SimEngine["trade"]>;

/** What the controls act on besides the engine. */
export interface ControlDeps {
  faults: FaultInjector;
  /** Terminates every WebSocket connection; returns how many there were. */
  dropWebSockets: () => number;
  /** Writes the persisted state now. */
  flush: () => void;
  /** The sim's wall clock (signature timestamps, `Date` headers). */
  wallClock?: WallClock;
}

/** Another account trades against the book; checked like a request, with a 400 a tester can read. */
export function tradeAsOther(engine: SimEngine, a: SimTradeArgs): TradeResult {
  if (a.side !== "bid" && a.side !== "ask") throw bad("side must be bid or ask");
  const price =
    typeof a.price === "number"
      ? micros(a.price)
      : typeof a.price === "string"
        ? tryParseDollars(a.price)
        : null;
  const count =
    typeof a.count === "number"
      ? tryParseCount(String(a.count))
      : typeof a.count === "string"
        ? tryParseCount(a.count)
        : null;
  if (price === null) throw bad("price must be a dollar string");
  if (count === null || count <= 0) throw bad("count must be a positive number of contracts");
  return engine.trade({ ticker: a.ticker, side: a.side, price, count, tif: a.time_in_force });
}

/**
 * Moves an open market's price: the market maker requotes around `fair` (a dollar string), so the
 * best YES bid and ask sit one tick either side of it. One `ticker` frame tells the new prices.
 */
export function movePrice(engine: SimEngine, b: Json): ReturnType<SimEngine["market"]> {
  const fair = typeof b.fair === "string" ? tryParseDollars(b.fair) : null;
  if (fair === null || fair <= 0 || fair >= 1_000_000)
    throw bad('fair must be a dollar string between "0.01" and "0.99"');
  const m = engine.market(String(b.ticker ?? ""));
  if (m.status !== "active") throw bad(`market ${m.ticker} is not open`);
  m.fair = fair;
  engine.requote(m);
  return m;
}

const parseTrade = (b: Json): SimTradeArgs => ({
  ticker: String(b.ticker ?? ""),
  side: b.side as BookSide,
  price: b.price as string | number,
  count: b.count as string | number,
  time_in_force: b.time_in_force as TimeInForce | undefined,
});

type ControlHandler = (body: () => Promise<Json>) => Reply | Promise<Reply>;

/** One handler per `METHOD /sim/path`. */
function controlTable(ctx: SimContext, d: ControlDeps): Record<string, ControlHandler> {
  const { engine } = ctx;
  return {
    "GET /sim/state": () => ok(engine.snapshot()),
    "POST /sim/trade": async (body) => {
      const r = tradeAsOther(engine, parseTrade(await body()));
      return ok({ order: orderToWire(engine, r.order), fills: r.fills.map((f) => fillToWire(engine, f)) });
    },
    "POST /sim/price": async (body) => ok({ market: marketToWire(engine, movePrice(engine, await body())) }),
    "POST /sim/settle": async (body) => {
      const b = await body();
      if (b.result !== "yes" && b.result !== "no") throw bad('result must be "yes" or "no"');
      return ok({ market: marketToWire(engine, engine.settle(String(b.ticker ?? ""), b.result)) });
    },
    "POST /sim/close": async (body) => {
      const b = await body();
      return ok({ market: marketToWire(engine, engine.close(String(b.ticker ?? ""))) });
    },
    "POST /sim/faults": async (body) => {
      d.faults.add((await body()) as unknown as FaultRequest);
      return ok({ faults: d.faults.table.faults });
    },
    "GET /sim/faults": () => ok({ faults: d.faults.table.faults }),
    "DELETE /sim/faults": () => {
      d.faults.table.clear();
      return ok({ faults: [] });
    },
    "POST /sim/ws/drop": () => ok({ dropped: d.dropWebSockets() }),
    "POST /sim/latency": async (body) => {
      const b = await body();
      if (typeof b.ms !== "number" || b.ms < 0) throw bad("ms must be a non-negative number");
      d.faults.latencyMs = b.ms;
      return ok({ ms: d.faults.latencyMs });
    },
    "POST /sim/reset": () => {
      engine.reset();
      d.flush();
      return ok({ reset: true });
    },
    "POST /sim/clock": async (body) => {
      const b = await body();
      if (typeof b.advance_ms !== "number" || b.advance_ms < 0)
        throw bad("advance_ms must be a non-negative number");
      engine.advanceClock(b.advance_ms);
      return ok({ now: engine.now() });
    },
    "POST /sim/api_keys/region": async (body) => {
      const ts = (await body()).expiration_ts;
      if (ts !== null && (typeof ts !== "number" || !Number.isInteger(ts))) {
        throw bad("expiration_ts must be a Unix timestamp in seconds, or null for never attested");
      }
      ctx.account.regionExpirationTs = ts;
      return ok({ api_key_region_expiration_ts: ts });
    },
    "POST /sim/wall_clock": async (body) => {
      const b = await body();
      if (typeof b.offset_ms !== "number" || !Number.isFinite(b.offset_ms))
        throw bad("offset_ms must be a number of milliseconds (negative: behind)");
      if (d.wallClock) d.wallClock.offsetMs = b.offset_ms;
      return ok({ offset_ms: d.wallClock?.offsetMs ?? 0 });
    },
    "POST /sim/tick": () => {
      engine.tick();
      return ok({ now: engine.now() });
    },
    ...lifecycleControls(ctx),
  };
}

export type ControlHandlerFn = (method: string, path: string, req: IncomingMessage) => Promise<Reply>;

/** The /sim/ dispatcher: an unknown control is a 404. */
export function createControl(ctx: SimContext, d: ControlDeps): ControlHandlerFn {
  const table = controlTable(ctx, d);
  return async (method, path, req) => {
    const handler = Object.hasOwn(table, `${method} ${path}`) ? table[`${method} ${path}`] : undefined;
    if (!handler) throw new SimError(404, "not_found", "not found");
    return handler(async () => parseJson(await readBody(req)));
  };
}
