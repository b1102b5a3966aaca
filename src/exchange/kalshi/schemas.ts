/**
 * Zod schemas for the Kalshi responses this adapter reads (OpenAPI 3.31.0, AsyncAPI 2.0.0), and
 * converters from wire objects to the domain types of ../port.ts.
 *
 * - Unknown fields are stripped (Kalshi adds fields often); deprecated fields are not read.
 * - Fields we compute with are strict: money strings must parse exactly (FixedPointDollars to
 *   Micros, FixedPointCount to Centis), so a schema drift fails loudly with KalshiSchemaError
 *   ("GET /portfolio/balance: balance_dollars: expected string, received number") instead of
 *   producing a wrong number.
 * - Units: `balance`, `portfolio_value`, settlement `revenue` and `value` are integer CENTS;
 *   settlement `fee_cost` and fill `fee_cost` are DOLLAR strings.
 */
import { z } from "zod";
import {
  centsToMicros,
  complementPrice,
  tryParseCount,
  tryParseDollars,
  type Centis,
  type Micros,
} from "../../domain/money.js";
import type {
  AccountLimits,
  AmendOrderResult,
  ApiKeys,
  Balance,
  BatchCancelItemResult,
  DecreaseOrderResult,
  EndpointCosts,
  CancelOrderResult,
  CreateOrderResult,
  EventInfo,
  ExchangeStatus,
  Fill,
  HistoricalCutoff,
  Market,
  Order,
  Orderbook,
  OrderbookLevel,
  Position,
  SeriesInfo,
  Settlement,
} from "../port.js";
import { KalshiSchemaError } from "../errors.js";

// ---------------------------------------------------------------------------------------------
// Primitive wire types

/** FixedPointDollars ("0.5600") parsed exactly to Micros. */
export const dollars = z.string().transform((s, ctx): Micros => {
  const v = tryParseDollars(s);
  if (v === null) {
    ctx.addIssue({ code: "custom", message: `expected a dollar amount string, got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return v;
});

/** FixedPointCount ("10.00") parsed exactly to Centis. */
export const count = z.string().transform((s, ctx): Centis => {
  const v = tryParseCount(s);
  if (v === null) {
    ctx.addIssue({ code: "custom", message: `expected a contract count string, got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return v;
});

/** Integer cents to Micros. */
export const cents = z
  .number()
  .int()
  .transform((n): Micros => centsToMicros(n));

/** RFC 3339 date-time to epoch ms; null/absent/empty stays null. */
const isoTime = z
  .string()
  .nullish()
  .transform((s, ctx): number | null => {
    if (s === null || s === undefined || s === "") return null;
    const t = Date.parse(s);
    if (Number.isNaN(t)) {
      ctx.addIssue({ code: "custom", message: `expected an RFC 3339 date-time, got ${JSON.stringify(s)}` });
      return z.NEVER;
    }
    return t;
  });

/** Required RFC 3339 date-time to epoch ms. */
const isoTimeRequired = z.string().transform((s, ctx): number => {
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: "custom", message: `expected an RFC 3339 date-time, got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  return t;
});

/** A Unix timestamp documented only as "Unix timestamp": seconds, or ms when it is clearly ms. */
function unixToMs(n: number): number {
  return n < 100_000_000_000 ? n * 1000 : n;
}

const outcomeSide = z.enum(["yes", "no"]);
const bookSide = z.enum(["bid", "ask"]);

// ---------------------------------------------------------------------------------------------
// Response schemas

export const BalanceResponse = z.object({
  balance: z.number().int(),
  balance_dollars: dollars,
  portfolio_value: cents,
  updated_ts: z.number().int().nullish(),
  balance_breakdown: z.array(z.object({ exchange_index: z.number().int(), balance: dollars })).nullish(),
});

export const MarketPositionWire = z.object({
  ticker: z.string(),
  position_fp: count,
  market_exposure_dollars: dollars,
  realized_pnl_dollars: dollars,
  total_traded_dollars: dollars,
  fees_paid_dollars: dollars,
  last_updated_ts: isoTime,
});

export const PositionsResponse = z.object({
  cursor: z.string().nullish(),
  market_positions: z.array(MarketPositionWire).nullish(),
});

const priceRangeWire = z.object({ start: dollars, end: dollars, step: dollars });

export const MarketWire = z.object({
  ticker: z.string(),
  event_ticker: z.string(),
  market_type: z.enum(["binary", "scalar"]),
  title: z.string().nullish(),
  yes_sub_title: z.string().nullish(),
  no_sub_title: z.string().nullish(),
  status: z.enum([
    "initialized",
    "inactive",
    "active",
    "closed",
    "determined",
    "disputed",
    "amended",
    "finalized",
  ]),
  open_time: isoTime,
  close_time: isoTime,
  yes_bid_dollars: dollars,
  yes_ask_dollars: dollars,
  no_bid_dollars: dollars,
  no_ask_dollars: dollars,
  last_price_dollars: dollars,
  volume_fp: count,
  volume_24h_fp: count,
  open_interest_fp: count,
  price_level_structure: z.string(),
  price_ranges: z.array(priceRangeWire),
  result: z.enum(["yes", "no", "scalar", ""]),
  settlement_value_dollars: dollars.nullish(),
  settlement_ts: isoTime,
  floor_strike: z.number().nullish(),
  cap_strike: z.number().nullish(),
  rules_primary: z.string().nullish(),
  rules_secondary: z.string().nullish(),
});

export const MarketsResponse = z.object({
  markets: z.array(MarketWire).nullish(),
  cursor: z.string().nullish(),
});
export const MarketResponse = z.object({ market: MarketWire });

const levelWire = z.tuple([dollars, count]);
export const OrderbookWire = z.object({
  yes_dollars: z.array(levelWire).nullish(),
  no_dollars: z.array(levelWire).nullish(),
});
export const OrderbookResponse = z.object({ orderbook_fp: OrderbookWire });
export const OrderbooksResponse = z.object({
  orderbooks: z.array(z.object({ ticker: z.string(), orderbook_fp: OrderbookWire })).nullish(),
});

export const EventWire = z.object({
  event_ticker: z.string(),
  series_ticker: z.string(),
  title: z.string(),
  sub_title: z.string().nullish(),
  category: z.string().nullish(),
  markets: z.array(MarketWire).nullish(),
  last_updated_ts: z.string().nullish(),
});
export const EventsResponse = z.object({
  events: z.array(EventWire).nullish(),
  cursor: z.string().nullish(),
});
export const EventResponse = z.object({ event: EventWire });

export const SeriesResponse = z.object({
  series: z.object({
    ticker: z.string(),
    title: z.string(),
    category: z.string().nullish(),
    fee_type: z.enum(["quadratic", "quadratic_with_maker_fees", "quadratic_with_combo_maker_fees", "flat"]),
    fee_multiplier: z.number(),
    tags: z.array(z.string()).nullish(),
  }),
});

export const CreateOrderResponse = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  fill_count: count,
  remaining_count: count,
  average_fill_price: dollars.nullish(),
  average_fee_paid: dollars.nullish(),
  ts_ms: z.number().int(),
});

export const CancelOrderResponse = z.object({
  order_id: z.string(),
  client_order_id: z.string().nullish(),
  reduced_by: count,
  ts_ms: z.number().int(),
});

/**
 * GetOrderQueuePositionsResponse. The spec requires the array; live clients have seen it null or
 * absent when no order matches, so both read as an empty list.
 */
export const QueuePositionsResponse = z.object({
  queue_positions: z
    .array(z.object({ order_id: z.string().min(1), market_ticker: z.string(), queue_position_fp: count }))
    .nullish(),
});

export const AmendOrderResponse = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  remaining_count: count.nullish(),
  fill_count: count.nullish(),
  average_fill_price: dollars.nullish(),
  average_fee_paid: dollars.nullish(),
  ts_ms: z.number().int(),
});

export const DecreaseOrderResponse = z.object({
  order_id: z.string().min(1),
  client_order_id: z.string().nullish(),
  remaining_count: count,
  ts_ms: z.number().int(),
});

const errorWire = z.object({
  code: z.string().nullish(),
  message: z.string().nullish(),
  details: z.string().nullish(),
});

export const BatchCancelOrdersResponse = z.object({
  orders: z.array(
    z.object({
      order_id: z.string(),
      client_order_id: z.string().nullish(),
      reduced_by: count,
      ts_ms: z.number().int().nullish(),
      error: errorWire.nullish(),
    }),
  ),
});

export const EndpointCostsResponse = z.object({
  default_cost: z.number().int().positive(),
  endpoint_costs: z.array(
    z.object({ method: z.string(), path: z.string(), cost: z.number().int().nonnegative() }),
  ),
});

export const ApiKeysResponse = z.object({
  api_keys: z.array(
    z.object({
      api_key_id: z.string(),
      name: z.string(),
      scopes: z.array(z.string()),
      subaccount: z.number().int().nullish(),
    }),
  ),
  api_key_region_expiration_ts: z.number().int().nullish(),
});

export const OrderWire = z.object({
  order_id: z.string(),
  client_order_id: z.string().nullish(),
  ticker: z.string(),
  outcome_side: outcomeSide,
  book_side: bookSide,
  status: z.enum(["resting", "canceled", "executed"]),
  yes_price_dollars: dollars,
  no_price_dollars: dollars,
  fill_count_fp: count,
  remaining_count_fp: count,
  initial_count_fp: count,
  taker_fill_cost_dollars: dollars,
  maker_fill_cost_dollars: dollars,
  taker_fees_dollars: dollars,
  maker_fees_dollars: dollars,
  created_time: isoTime,
  last_update_time: isoTime,
  expiration_time: isoTime,
});
export const OrdersResponse = z.object({
  orders: z.array(OrderWire).nullish(),
  cursor: z.string().nullish(),
});
export const OrderResponse = z.object({ order: OrderWire });

export const FillWire = z
  .object({
    fill_id: z.string(),
    trade_id: z.string().nullish(),
    order_id: z.string(),
    ticker: z.string(),
    outcome_side: outcomeSide,
    book_side: bookSide,
    count_fp: count,
    yes_price_dollars: dollars,
    no_price_dollars: dollars.nullish(),
    is_taker: z.boolean(),
    fee_cost: dollars,
    created_time: isoTime,
    ts: z.number().int().nullish(),
  })
  .superRefine((f, ctx) => {
    if (f.created_time === null && (f.ts === null || f.ts === undefined)) {
      ctx.addIssue({ code: "custom", path: ["created_time"], message: "missing (and no ts either)" });
    }
  });
export const FillsResponse = z.object({ fills: z.array(FillWire).nullish(), cursor: z.string().nullish() });

export const SettlementWire = z.object({
  ticker: z.string(),
  event_ticker: z.string(),
  market_result: z.enum(["yes", "no", "scalar", "void"]),
  yes_count_fp: count,
  no_count_fp: count,
  yes_total_cost_dollars: dollars,
  no_total_cost_dollars: dollars,
  revenue: cents,
  fee_cost: dollars,
  settled_time: isoTimeRequired,
  value: cents.nullish(),
});
export const SettlementsResponse = z.object({
  settlements: z.array(SettlementWire).nullish(),
  cursor: z.string().nullish(),
});

export const HistoricalCutoffResponse = z.object({
  market_settled_ts: isoTimeRequired,
  trades_created_ts: isoTimeRequired,
  orders_updated_ts: isoTimeRequired,
});

export const ExchangeStatusResponse = z.object({
  exchange_active: z.boolean(),
  trading_active: z.boolean(),
});

const bucketWire = z.object({ refill_rate: z.number().positive(), bucket_capacity: z.number().positive() });
export const AccountLimitsResponse = z.object({
  usage_tier: z.string(),
  read: bucketWire,
  write: bucketWire,
});

// WebSocket payloads (asyncapi-2.0.0.yaml fillPayload.msg, userOrderPayload.msg)

export const WsFillWire = z.object({
  trade_id: z.string(),
  order_id: z.string(),
  client_order_id: z.string().nullish(),
  market_ticker: z.string(),
  is_taker: z.boolean(),
  yes_price_dollars: dollars,
  count_fp: count,
  fee_cost: dollars,
  post_position_fp: count.nullish(),
  outcome_side: outcomeSide,
  book_side: bookSide,
  // Required by the schema; the deprecated `ts` (seconds) is not read.
  ts_ms: z.number().int(),
});

export const WsUserOrderWire = z.object({
  order_id: z.string(),
  ticker: z.string(),
  status: z.enum(["resting", "canceled", "executed", "unknown"]),
  outcome_side: outcomeSide,
  book_side: bookSide,
  yes_price_dollars: dollars,
  fill_count_fp: count,
  remaining_count_fp: count,
  initial_count_fp: count,
  taker_fill_cost_dollars: dollars,
  maker_fill_cost_dollars: dollars,
  taker_fees_dollars: dollars,
  maker_fees_dollars: dollars,
  client_order_id: z.string().nullish(),
  // Required by the schema; the deprecated RFC 3339 `created_time` is not read.
  created_ts_ms: z.number().int(),
  last_updated_ts_ms: z.number().int().nullish(),
  expiration_ts_ms: z.number().int().nullish(),
  last_update_reason: z.string().nullish(),
});

// ---------------------------------------------------------------------------------------------
// Parsing

function describeIssue(issue: z.core.$ZodIssue): string {
  const msg = issue.message.replace(/^Invalid input: /, "");
  if (issue.code === "invalid_type" && /received undefined$/.test(msg)) {
    return `missing (expected ${String(issue.expected)})`;
  }
  return msg;
}

/** Validates `data` against `schema`; throws KalshiSchemaError naming the endpoint and field path. */
export function parseWire<S extends z.ZodType>(schema: S, data: unknown, endpoint: string): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue) throw new KalshiSchemaError(endpoint, "", "invalid response");
  throw new KalshiSchemaError(endpoint, issue.path.map(String).join("."), describeIssue(issue));
}

// ---------------------------------------------------------------------------------------------
// Converters (wire, already parsed by the schemas above, to domain)

type Out<S extends z.ZodType> = z.output<S>;

export function balanceFromWire(w: Out<typeof BalanceResponse>): Balance {
  return {
    balance: w.balance_dollars,
    portfolioValue: w.portfolio_value,
    updatedTs: w.updated_ts === null || w.updated_ts === undefined ? null : unixToMs(w.updated_ts),
    byShard: (w.balance_breakdown ?? [])
      .map((b) => ({ exchangeIndex: b.exchange_index, balance: b.balance }))
      .sort((a, b) => a.exchangeIndex - b.exchangeIndex),
  };
}

export function amendOrderResultFromWire(w: Out<typeof AmendOrderResponse>): AmendOrderResult {
  return {
    orderId: w.order_id,
    clientOrderId: w.client_order_id || null,
    remainingCount: w.remaining_count ?? null,
    fillCount: w.fill_count ?? null,
    averageFillPrice: w.average_fill_price ?? null,
    averageFeePaid: w.average_fee_paid ?? null,
    tsMs: w.ts_ms,
  };
}

export function decreaseOrderResultFromWire(w: Out<typeof DecreaseOrderResponse>): DecreaseOrderResult {
  return {
    orderId: w.order_id,
    clientOrderId: w.client_order_id || null,
    remainingCount: w.remaining_count,
    tsMs: w.ts_ms,
  };
}

/** Items in Kalshi's order; an item with an `error` (or without ts_ms) was not canceled. */
export function batchCancelFromWire(
  w: Out<typeof BatchCancelOrdersResponse>,
  fallbackTsMs: number,
): BatchCancelItemResult[] {
  return w.orders.map((o): BatchCancelItemResult => {
    if (o.error) {
      return {
        ok: false,
        orderId: o.order_id,
        error: {
          code: o.error.code ?? "error",
          message: o.error.message ?? "refused",
          details: o.error.details ?? null,
        },
      };
    }
    return {
      ok: true,
      orderId: o.order_id,
      clientOrderId: o.client_order_id || null,
      reducedBy: o.reduced_by,
      tsMs: o.ts_ms ?? fallbackTsMs,
    };
  });
}

export function endpointCostsFromWire(w: Out<typeof EndpointCostsResponse>): EndpointCosts {
  return {
    defaultCost: w.default_cost,
    endpoints: w.endpoint_costs.map((e) => ({ method: e.method.toUpperCase(), path: e.path, cost: e.cost })),
  };
}

export function apiKeysFromWire(w: Out<typeof ApiKeysResponse>): ApiKeys {
  const ts = w.api_key_region_expiration_ts;
  return {
    keys: w.api_keys.map((k) => ({
      apiKeyId: k.api_key_id,
      name: k.name,
      scopes: k.scopes,
      subaccount: k.subaccount ?? null,
    })),
    // Documented as Unix seconds.
    regionExpiration: ts === null || ts === undefined ? null : ts * 1000,
  };
}

export function positionFromWire(w: Out<typeof MarketPositionWire>): Position {
  return {
    ticker: w.ticker,
    position: w.position_fp,
    marketExposure: w.market_exposure_dollars,
    realizedPnl: w.realized_pnl_dollars,
    totalTraded: w.total_traded_dollars,
    feesPaid: w.fees_paid_dollars,
    lastUpdatedTs: w.last_updated_ts,
  };
}

const NO_PRICE = (p: Micros): boolean => p <= 0;
const NO_ASK = (p: Micros): boolean => p <= 0 || p >= 1_000_000;

/**
 * Kalshi reports an empty side as "0.0000" (bid) or "1.0000" (ask), and no trades as a last price
 * of "0.0000"; those become null.
 */
export function marketFromWire(w: Out<typeof MarketWire>): Market {
  const yesSub = w.yes_sub_title ?? "";
  const noSub = w.no_sub_title ?? "";
  return {
    ticker: w.ticker,
    eventTicker: w.event_ticker,
    marketType: w.market_type,
    title: w.title && w.title.trim() ? w.title : yesSub || w.ticker,
    yesSubTitle: yesSub,
    noSubTitle: noSub,
    status: w.status,
    openTime: w.open_time,
    closeTime: w.close_time,
    yesBid: NO_PRICE(w.yes_bid_dollars) ? null : w.yes_bid_dollars,
    yesAsk: NO_ASK(w.yes_ask_dollars) ? null : w.yes_ask_dollars,
    noBid: NO_PRICE(w.no_bid_dollars) ? null : w.no_bid_dollars,
    noAsk: NO_ASK(w.no_ask_dollars) ? null : w.no_ask_dollars,
    lastPrice: NO_PRICE(w.last_price_dollars) ? null : w.last_price_dollars,
    volume: w.volume_fp,
    volume24h: w.volume_24h_fp,
    openInterest: w.open_interest_fp,
    priceLevelStructure: w.price_level_structure,
    priceRanges: w.price_ranges.map((r) => ({ start: r.start, end: r.end, step: r.step })),
    result: w.result,
    settlementValue: w.settlement_value_dollars ?? null,
    settlementTime: w.settlement_ts,
    floorStrike: w.floor_strike ?? null,
    capStrike: w.cap_strike ?? null,
    rulesPrimary: w.rules_primary ?? "",
    rulesSecondary: w.rules_secondary ?? "",
  };
}

function levels(arr: Array<[Micros, Centis]> | null | undefined): OrderbookLevel[] {
  return (arr ?? []).map(([price, c]) => ({ price, count: c })).sort((a, b) => b.price - a.price);
}

/** Each side sorted best (highest bid) first, whatever order Kalshi used. */
export function orderbookFromWire(ticker: string, w: Out<typeof OrderbookWire>): Orderbook {
  return { ticker, yesBids: levels(w.yes_dollars), noBids: levels(w.no_dollars) };
}

/**
 * The markets come from the event's own `markets` (with_nested_markets=true); the response's
 * top-level `markets` is deprecated "in favour of the markets field inside the event" and not read.
 */
export function eventFromWire(w: Out<typeof EventWire>): EventInfo {
  const ms = w.markets ?? undefined;
  const e: EventInfo = {
    eventTicker: w.event_ticker,
    seriesTicker: w.series_ticker,
    title: w.title,
    subTitle: w.sub_title ?? "",
    category: w.category ?? "",
  };
  // Nested markets read the question from the event (current), not the deprecated Market.title.
  if (ms)
    e.markets = ms.map((m) => {
      const market = marketFromWire(m);
      if (w.title) market.title = w.title;
      return market;
    });
  if (w.last_updated_ts) {
    const ts = Date.parse(w.last_updated_ts);
    if (Number.isFinite(ts)) e.lastUpdatedTs = ts;
  }
  return e;
}

export function seriesFromWire(w: Out<typeof SeriesResponse>["series"]): SeriesInfo {
  return {
    ticker: w.ticker,
    title: w.title,
    category: w.category ?? "",
    feeType: w.fee_type,
    feeMultiplier: w.fee_multiplier,
    ...(w.tags ? { tags: w.tags } : {}),
  };
}

export const SeriesListResponse = z.object({ series: z.array(SeriesResponse.shape.series).nullish() });
export const TagsByCategoriesResponse = z.object({
  tags_by_categories: z.record(z.string(), z.array(z.string()).nullish()),
});

export function createOrderResultFromWire(w: Out<typeof CreateOrderResponse>): CreateOrderResult {
  return {
    orderId: w.order_id,
    clientOrderId: w.client_order_id || null,
    fillCount: w.fill_count,
    remainingCount: w.remaining_count,
    averageFillPrice: w.average_fill_price ?? null,
    averageFeePaid: w.average_fee_paid ?? null,
    tsMs: w.ts_ms,
  };
}

export function cancelOrderResultFromWire(w: Out<typeof CancelOrderResponse>): CancelOrderResult {
  return {
    orderId: w.order_id,
    clientOrderId: w.client_order_id || null,
    reducedBy: w.reduced_by,
    tsMs: w.ts_ms,
  };
}

export function orderFromWire(w: Out<typeof OrderWire>): Order {
  return {
    orderId: w.order_id,
    clientOrderId: w.client_order_id || null,
    ticker: w.ticker,
    outcomeSide: w.outcome_side,
    bookSide: w.book_side,
    status: w.status,
    yesPrice: w.yes_price_dollars,
    noPrice: w.no_price_dollars,
    fillCount: w.fill_count_fp,
    remainingCount: w.remaining_count_fp,
    initialCount: w.initial_count_fp,
    takerFillCost: w.taker_fill_cost_dollars,
    makerFillCost: w.maker_fill_cost_dollars,
    takerFees: w.taker_fees_dollars,
    makerFees: w.maker_fees_dollars,
    createdTime: w.created_time,
    lastUpdateTime: w.last_update_time,
    expirationTime: w.expiration_time,
  };
}

export function fillFromWire(w: Out<typeof FillWire>): Fill {
  return {
    fillId: w.fill_id,
    tradeId: w.trade_id || w.fill_id,
    orderId: w.order_id,
    ticker: w.ticker,
    outcomeSide: w.outcome_side,
    bookSide: w.book_side,
    count: w.count_fp,
    yesPrice: w.yes_price_dollars,
    noPrice: w.no_price_dollars ?? complementPrice(w.yes_price_dollars),
    isTaker: w.is_taker,
    fee: w.fee_cost,
    createdTime: w.created_time ?? unixToMs(w.ts ?? 0),
  };
}

export function settlementFromWire(w: Out<typeof SettlementWire>): Settlement {
  return {
    ticker: w.ticker,
    eventTicker: w.event_ticker,
    marketResult: w.market_result,
    yesCount: w.yes_count_fp,
    noCount: w.no_count_fp,
    yesTotalCost: w.yes_total_cost_dollars,
    noTotalCost: w.no_total_cost_dollars,
    revenue: w.revenue,
    fee: w.fee_cost,
    settledTime: w.settled_time,
    value: w.value ?? null,
  };
}

export function historicalCutoffFromWire(w: Out<typeof HistoricalCutoffResponse>): HistoricalCutoff {
  return {
    marketSettledTs: w.market_settled_ts,
    tradesCreatedTs: w.trades_created_ts,
    ordersUpdatedTs: w.orders_updated_ts,
  };
}

export function exchangeStatusFromWire(w: Out<typeof ExchangeStatusResponse>): ExchangeStatus {
  return { exchangeActive: w.exchange_active, tradingActive: w.trading_active };
}

export function accountLimitsFromWire(w: Out<typeof AccountLimitsResponse>): AccountLimits {
  return {
    usageTier: w.usage_tier,
    read: { refillRate: w.read.refill_rate, bucketCapacity: w.read.bucket_capacity },
    write: { refillRate: w.write.refill_rate, bucketCapacity: w.write.bucket_capacity },
  };
}

// ---------------------------------------------------------------------------------------------
// WebSocket converters, for the stream

/** Accepts the whole frame (`{type, sid, msg}`) or just its `msg`. */
function unwrap(m: unknown): unknown {
  if (m && typeof m === "object" && "msg" in m && "type" in m) return (m as { msg: unknown }).msg;
  return m;
}

/**
 * A WebSocket `fill` message to a domain Fill (fillId = trade_id; the WS carries no NO price,
 * so noPrice = 1 − yesPrice). Throws KalshiSchemaError ("WS fill: …").
 */
export function wsFillToDomain(msg: unknown): {
  fill: Fill;
  postPosition: Centis | null;
  clientOrderId: string | null;
} {
  const w = parseWire(WsFillWire, unwrap(msg), "WS fill");
  const createdTime = w.ts_ms;
  return {
    fill: {
      fillId: w.trade_id,
      tradeId: w.trade_id,
      orderId: w.order_id,
      ticker: w.market_ticker,
      outcomeSide: w.outcome_side,
      bookSide: w.book_side,
      count: w.count_fp,
      yesPrice: w.yes_price_dollars,
      noPrice: complementPrice(w.yes_price_dollars),
      isTaker: w.is_taker,
      fee: w.fee_cost,
      createdTime,
    },
    postPosition: w.post_position_fp ?? null,
    clientOrderId: w.client_order_id || null,
  };
}

/**
 * A WebSocket `user_order` message to a domain Order plus its `last_update_reason`.
 * Returns null when Kalshi reports status "unknown" (the stream should then reconcile through
 * REST getOrder). Throws KalshiSchemaError ("WS user_order: …") on malformed messages.
 */
export function wsUserOrderToDomain(msg: unknown): { order: Order; reason: string | null } | null {
  const w = parseWire(WsUserOrderWire, unwrap(msg), "WS user_order");
  if (w.status === "unknown") return null;
  return {
    order: {
      orderId: w.order_id,
      clientOrderId: w.client_order_id || null,
      ticker: w.ticker,
      outcomeSide: w.outcome_side,
      bookSide: w.book_side,
      status: w.status,
      yesPrice: w.yes_price_dollars,
      noPrice: complementPrice(w.yes_price_dollars),
      fillCount: w.fill_count_fp,
      remainingCount: w.remaining_count_fp,
      initialCount: w.initial_count_fp,
      takerFillCost: w.taker_fill_cost_dollars,
      makerFillCost: w.maker_fill_cost_dollars,
      takerFees: w.taker_fees_dollars,
      makerFees: w.maker_fees_dollars,
      createdTime: w.created_ts_ms,
      lastUpdateTime: w.last_updated_ts_ms ?? null,
      expirationTime: w.expiration_ts_ms ?? null,
    },
    reason: w.last_update_reason ?? null,
  };
}
