/**
 * Reading the sim's order requests the way Kalshi does: the V2 create, amend and decrease bodies
 * and the shard routing of every order-id request. Besides the schema (openapi-3.31.0.yaml) this
 * enforces the rules the spec states only in prose (API.md 3.4a), so the sim refuses what the live
 * exchange refuses; docs/sim.md keeps the table of rules and tests.
 */
import { type Centis, type Micros, displayCount, tryParseCount, tryParseDollars } from "../domain/money.js";
import {
  type BookSide,
  type PlaceOrderInput,
  type SimEngine,
  type SimOrder,
  SimError,
  USER,
} from "./engine.js";
import { SHARDS } from "./fixtures.js";

type Json = Record<string, unknown>;

/** A Kalshi-shaped 400: `{error:{code,message,details}}`. */
export const bad = (details: string, code = "invalid_parameters"): SimError =>
  new SimError(
    400,
    code,
    code === "invalid_parameters" ? "invalid parameters" : code.replace(/_/g, " "),
    details,
  );

/** Spec wording, quoted in the refusals so a client developer sees which rule was broken. */
export const RULES = {
  reduceOnly:
    "Orders with reduce_only set to true will be rejected unless time_in_force is immediate_or_cancel.",
  expiration:
    "The immediate_or_cancel time-in-force value cannot be combined with expiration_time. To place an expiring order, set time_in_force to good_till_canceled and provide this expiration_time.",
  decrease: "Exactly one of reduce_by or reduce_to must be provided.",
  routing: "An order_id alone cannot identify the exchange shard.",
} as const;

const present = (v: unknown): boolean => v !== undefined && v !== null;

function countField(b: Json, name: string, allowZero = false): Centis {
  const v = b[name];
  if (typeof v !== "string") throw bad(`${name} must be a fixed-point count string such as "10.00"`);
  const c = tryParseCount(v);
  if (c === null || c < 0 || (c === 0 && !allowZero)) {
    throw bad(`${name} ${JSON.stringify(v)} is not a positive count`, "invalid_order");
  }
  return c;
}

function priceField(b: Json): Micros {
  if (typeof b.price !== "string") throw bad('price must be a fixed-point dollar string such as "0.5600"');
  const price = tryParseDollars(b.price);
  if (price === null) throw bad(`price ${JSON.stringify(b.price)} is not a dollar amount`, "invalid_price");
  return price;
}

function sideField(b: Json): BookSide {
  if (b.side !== "bid" && b.side !== "ask") throw bad("side must be bid or ask");
  return b.side;
}

/** An integer query parameter (undefined when absent), refused with a 400 outside [min, max]. */
export function intParam(q: URLSearchParams, name: string, min?: number, max?: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw bad(`${name} must be an integer`);
  const n = Number(v);
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    throw bad(`${name} must be between ${min ?? "-∞"} and ${max ?? "∞"}`);
  }
  return n;
}

/** Only the primary subaccount (0) exists in the sim. */
export function subaccountField(v: unknown): void {
  if (!present(v)) return;
  if (v !== 0 && v !== "0") throw bad(`subaccount ${String(v)} does not exist`);
}

/** CreateOrderV2Request → engine input, with the prose rules on reduce_only and expiration_time. */
export function parseCreateOrder(b: Json): PlaceOrderInput & { route: Route } {
  for (const f of ["ticker", "side", "count", "price", "time_in_force", "self_trade_prevention_type"]) {
    if (b[f] === undefined || b[f] === null || b[f] === "") throw bad(`${f} is required`);
  }
  if (typeof b.ticker !== "string") throw bad("ticker must be a string");
  const side = sideField(b);
  const count = countField(b, "count");
  const price = priceField(b);
  const tif = b.time_in_force;
  if (tif !== "good_till_canceled" && tif !== "immediate_or_cancel" && tif !== "fill_or_kill") {
    throw bad("time_in_force must be fill_or_kill, good_till_canceled or immediate_or_cancel");
  }
  const stp = b.self_trade_prevention_type;
  if (stp !== "taker_at_cross" && stp !== "maker")
    throw bad("self_trade_prevention_type must be taker_at_cross or maker");
  if (b.client_order_id !== undefined && typeof b.client_order_id !== "string") {
    throw bad("client_order_id must be a string");
  }
  for (const f of ["post_only", "reduce_only", "cancel_order_on_pause"]) {
    if (b[f] !== undefined && typeof b[f] !== "boolean") throw bad(`${f} must be a boolean`);
  }
  if (b.reduce_only === true && tif !== "immediate_or_cancel") throw bad(RULES.reduceOnly, "invalid_order");
  let expirationTs: number | null = null;
  if (present(b.expiration_time)) {
    if (typeof b.expiration_time !== "number" || !Number.isInteger(b.expiration_time)) {
      throw bad("expiration_time must be a Unix timestamp in seconds");
    }
    if (tif !== "good_till_canceled") throw bad(RULES.expiration, "invalid_order");
    expirationTs = b.expiration_time * 1000;
  }
  subaccountField(b.subaccount);
  return {
    ticker: b.ticker,
    side,
    count,
    price,
    tif,
    stp,
    clientOrderId: (b.client_order_id as string | undefined) || undefined,
    postOnly: b.post_only === true,
    reduceOnly: b.reduce_only === true,
    cancelOnPause: b.cancel_order_on_pause === true,
    expirationTs,
    route: parseRoute(b.exchange_index, b.ticker),
  };
}

export interface AmendRequest {
  route: Route;
  side: BookSide;
  price: Micros;
  count: Centis;
  clientOrderId?: string;
  updatedClientOrderId?: string;
  /** undefined keeps the expiry, null removes it (0 on the wire), else epoch ms. */
  expirationTs?: number | null;
}

/** AmendOrderV2Request: ticker, side, price, count (the new total) required. */
export function parseAmend(b: Json): AmendRequest {
  for (const f of ["ticker", "side", "price", "count"]) {
    if (b[f] === undefined || b[f] === null || b[f] === "") throw bad(`${f} is required`);
  }
  if (typeof b.ticker !== "string") throw bad("ticker must be a string");
  for (const f of ["client_order_id", "updated_client_order_id"]) {
    if (present(b[f]) && typeof b[f] !== "string") throw bad(`${f} must be a string`);
  }
  let expirationTs: number | null | undefined;
  if (present(b.expiration_time)) {
    const e = b.expiration_time;
    if (typeof e !== "number" || !Number.isInteger(e) || e < 0) {
      throw bad("expiration_time must be a Unix timestamp in seconds (0 removes the expiry)");
    }
    expirationTs = e === 0 ? null : e * 1000;
  }
  return {
    route: parseRoute(b.exchange_index, b.ticker),
    side: sideField(b),
    price: priceField(b),
    count: countField(b, "count"),
    clientOrderId: (b.client_order_id as string | undefined) || undefined,
    updatedClientOrderId: (b.updated_client_order_id as string | undefined) || undefined,
    expirationTs,
  };
}

/** DecreaseOrderV2Request: exactly one of reduce_by / reduce_to; the remaining count it asks for. */
export function parseDecrease(b: Json, order: SimOrder): Centis {
  const hasBy = present(b.reduce_by);
  const hasTo = present(b.reduce_to);
  if (hasBy === hasTo) throw bad(RULES.decrease);
  if (hasTo) {
    const to = countField(b, "reduce_to", true);
    if (to > order.remaining) {
      throw bad(
        `reduce_to cannot raise the order above its ${displayCount(order.remaining)} resting contracts`,
      );
    }
    return to;
  }
  const by = countField(b, "reduce_by");
  return Math.max(0, order.remaining - by) as Centis;
}

/** Where an order-id request goes: an explicit shard, or auto-routing by market ticker. */
export interface Route {
  exchangeIndex?: number;
  marketTicker?: string;
}

/**
 * `exchange_index` (query string or body number) and `market_ticker`: "If omitted, auto-routes when
 * market_ticker is provided; otherwise defaults to 0. Use -1 to require auto-routing."
 */
export function parseRoute(exchangeIndex: unknown, marketTicker: unknown): Route {
  const route: Route = {};
  if (present(marketTicker) && marketTicker !== "") {
    if (typeof marketTicker !== "string") throw bad("market_ticker must be a string");
    route.marketTicker = marketTicker;
  }
  if (present(exchangeIndex) && exchangeIndex !== "") {
    const n = typeof exchangeIndex === "string" ? Number(exchangeIndex) : exchangeIndex;
    if (typeof n !== "number" || !Number.isInteger(n) || n < -1) {
      throw bad("exchange_index must be an integer (-1 requires auto-routing by market ticker)");
    }
    if (n >= 0 && !(SHARDS as readonly number[]).includes(n)) throw bad(`exchange_index ${n} does not exist`);
    if (n === -1 && !route.marketTicker) {
      throw bad(
        `exchange_index -1 requires auto-routing, and auto-routing requires market_ticker. ${RULES.routing}`,
      );
    }
    if (n >= 0) route.exchangeIndex = n;
  }
  return route;
}

/** The shard a request reaches: explicit index, else the named market's shard, else 0. */
export function shardOf(engine: SimEngine, route: Route): number {
  if (route.exchangeIndex !== undefined) return route.exchangeIndex;
  if (route.marketTicker !== undefined) return engine.exchangeIndex(engine.market(route.marketTicker).ticker);
  return 0;
}

/**
 * The user's order `orderId` as the routed shard sees it: 404 `not_found` when it lives on another
 * shard (an unrouted request defaults to shard 0) or in another market than the one named.
 */
export function findRoutedOrder(engine: SimEngine, orderId: string, route: Route): SimOrder {
  const shard = shardOf(engine, route);
  const o = engine.order(orderId);
  if (
    !o ||
    o.accountId !== USER ||
    engine.exchangeIndex(o.ticker) !== shard ||
    (route.marketTicker !== undefined && route.marketTicker !== o.ticker)
  ) {
    throw new SimError(404, "not_found", "order not found", `no order ${orderId} on exchange shard ${shard}`);
  }
  return o;
}
