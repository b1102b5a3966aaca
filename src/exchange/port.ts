/**
 * The exchange port: everything the application needs from an exchange, in domain types.
 * The Kalshi adapter (src/exchange/kalshi) implements it against Kalshi's REST API, which the
 * sim (src/sim) also speaks; tests may implement it in memory.
 *
 * Conventions:
 * - money is Micros (micro-dollars), counts are Centis (centi-contracts), both integers;
 * - times are Unix epoch milliseconds (numbers), or null when the exchange gives none;
 * - list methods return every page (the adapter follows `cursor`);
 * - every write that names an existing order (cancel, amend, decrease, batch cancel) also names its
 *   market ticker: Kalshi routes it to the exchange shard of that market ("An order_id alone cannot
 *   identify the exchange shard"); without it the request goes to shard 0 and 404s for orders on
 *   other shards. Reads by order id (getOrder) need no routing;
 * - reads by a list of tickers are batched by the adapter (100 tickers to a request), so a caller
 *   passes the whole list at once: one call per screen, never one per item.
 */
import type { Centis, Micros } from "../domain/money.js";
import type { FeeType } from "../domain/fees.js";

export type OutcomeSide = "yes" | "no";
export type BookSide = "bid" | "ask";
export type TimeInForce = "good_till_canceled" | "immediate_or_cancel" | "fill_or_kill";
export type OrderStatus = "resting" | "canceled" | "executed";
/** Kalshi's market `status` field vocabulary. */
export type MarketStatus =
  "initialized" | "inactive" | "active" | "closed" | "determined" | "disputed" | "amended" | "finalized";
/** Kalshi's `status` query filter vocabulary (differs from the field's). */
export type MarketStatusFilter = "unopened" | "open" | "paused" | "closed" | "settled";

export interface PriceRange {
  start: Micros;
  end: Micros;
  step: Micros;
}

export interface Market {
  ticker: string;
  eventTicker: string;
  marketType: "binary" | "scalar";
  /**
   * The question people read: the event's title (Kalshi marks Market.title deprecated; the current
   * source is Event.title). The Kalshi adapter uses the title of every event it has read (nested
   * markets, the search index's pages); only a market whose event it has not read yet falls back to
   * the deprecated field, then to `yes_sub_title`, then the ticker.
   */
  title: string;
  yesSubTitle: string;
  noSubTitle: string;
  status: MarketStatus;
  openTime: number | null;
  closeTime: number | null;
  yesBid: Micros | null;
  yesAsk: Micros | null;
  noBid: Micros | null;
  noAsk: Micros | null;
  lastPrice: Micros | null;
  volume: Centis;
  volume24h: Centis;
  openInterest: Centis;
  priceLevelStructure: string;
  priceRanges: PriceRange[];
  result: "yes" | "no" | "scalar" | "";
  settlementValue: Micros | null;
  /** When the market settled (Kalshi's `settlement_ts`, only on settled markets); absent = unknown. */
  settlementTime?: number | null;
  /** Kalshi's `floor_strike` / `cap_strike`: the numbers the strikes of one event sort by. */
  floorStrike?: number | null;
  capStrike?: number | null;
  rulesPrimary: string;
  rulesSecondary: string;
}

export interface OrderbookLevel {
  price: Micros;
  count: Centis;
}

/** Bids only, as Kalshi returns them; each side sorted best (highest) first. */
export interface Orderbook {
  ticker: string;
  yesBids: OrderbookLevel[];
  noBids: OrderbookLevel[];
}

export interface EventInfo {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  category: string;
  markets?: Market[];
  /** Epoch ms of the last metadata change (Kalshi's `last_updated_ts`), when given. */
  lastUpdatedTs?: number;
}

export interface SeriesInfo {
  ticker: string;
  title: string;
  category: string;
  feeType: FeeType;
  feeMultiplier: number;
  /** Kalshi's discovery tags (absent where the source gives none). */
  tags?: string[];
}

/** Cash held on one exchange shard (Kalshi's `balance_breakdown` item). */
export interface ShardBalance {
  exchangeIndex: number;
  balance: Micros;
}

export interface Balance {
  /** Available cash over every shard. */
  balance: Micros;
  portfolioValue: Micros;
  updatedTs: number | null;
  /** Cash per shard; empty when Kalshi omits the breakdown (a subaccount-restricted key). */
  byShard: ShardBalance[];
}

export interface Position {
  ticker: string;
  /** Signed: positive = YES contracts, negative = NO contracts. */
  position: Centis;
  marketExposure: Micros;
  realizedPnl: Micros;
  totalTraded: Micros;
  feesPaid: Micros;
  lastUpdatedTs: number | null;
}

export interface Order {
  orderId: string;
  clientOrderId: string | null;
  ticker: string;
  outcomeSide: OutcomeSide;
  bookSide: BookSide;
  status: OrderStatus;
  yesPrice: Micros;
  noPrice: Micros;
  fillCount: Centis;
  remainingCount: Centis;
  initialCount: Centis;
  takerFillCost: Micros;
  makerFillCost: Micros;
  takerFees: Micros;
  makerFees: Micros;
  createdTime: number | null;
  lastUpdateTime: number | null;
  expirationTime: number | null;
}

export interface Fill {
  fillId: string;
  tradeId: string;
  orderId: string;
  ticker: string;
  outcomeSide: OutcomeSide;
  bookSide: BookSide;
  count: Centis;
  yesPrice: Micros;
  noPrice: Micros;
  isTaker: boolean;
  fee: Micros;
  /** Epoch ms. */
  createdTime: number;
}

export interface Settlement {
  ticker: string;
  eventTicker: string;
  marketResult: "yes" | "no" | "scalar" | "void";
  yesCount: Centis;
  noCount: Centis;
  yesTotalCost: Micros;
  noTotalCost: Micros;
  /** Converted from Kalshi's integer cents. */
  revenue: Micros;
  /** Kalshi's `fee_cost`, a dollar string. */
  fee: Micros;
  settledTime: number;
  /** Payout per YES contract, if given. */
  value: Micros | null;
}

export interface HistoricalCutoff {
  marketSettledTs: number;
  tradesCreatedTs: number;
  ordersUpdatedTs: number;
}

export interface ExchangeStatus {
  exchangeActive: boolean;
  tradingActive: boolean;
}

export interface BucketLimit {
  refillRate: number;
  bucketCapacity: number;
}

export interface AccountLimits {
  usageTier: string;
  read: BucketLimit;
  write: BucketLimit;
}

export interface CreateOrderRequest {
  ticker: string;
  side: BookSide;
  count: Centis;
  /** Always the YES price. */
  price: Micros;
  timeInForce: TimeInForce;
  /** Idempotency key: the same id never creates a second order. */
  clientOrderId: string;
  postOnly?: boolean;
  reduceOnly?: boolean;
  /** Epoch ms; only with good_till_canceled. */
  expirationTime?: number;
}

export interface CreateOrderResult {
  orderId: string;
  clientOrderId: string | null;
  fillCount: Centis;
  remainingCount: Centis;
  averageFillPrice: Micros | null;
  averageFeePaid: Micros | null;
  tsMs: number;
}

export interface CancelOrderResult {
  orderId: string;
  clientOrderId: string | null;
  reducedBy: Centis;
  tsMs: number;
}

/** An order to cancel, with the market that routes the cancel to its shard. */
export interface OrderRef {
  orderId: string;
  ticker: string;
}

/** One item of a batch cancel: canceled, or refused with Kalshi's error for that item. */
export type BatchCancelItemResult =
  | ({ ok: true } & CancelOrderResult)
  | { ok: false; orderId: string; error: { code: string; message: string; details: string | null } };

export interface AmendOrderRequest {
  orderId: string;
  ticker: string;
  side: BookSide;
  /** The new YES price. */
  price: Micros;
  /** The new TOTAL: already filled + desired resting remainder (not the resting count). */
  count: Centis;
  /** The order's current client_order_id, when it has one. */
  clientOrderId?: string;
  /** A new client_order_id for the amended order. */
  updatedClientOrderId?: string;
}

export interface AmendOrderResult {
  orderId: string;
  clientOrderId: string | null;
  /** Resting after the amend; null when Kalshi omits it (the amend neither filled nor resized). */
  remainingCount: Centis | null;
  /** Filled by the amend crossing the book; null when omitted. */
  fillCount: Centis | null;
  averageFillPrice: Micros | null;
  averageFeePaid: Micros | null;
  tsMs: number;
}

/** Exactly one of `reduceBy` / `reduceTo` (Kalshi refuses both or neither). */
export type DecreaseOrderRequest = OrderRef &
  ({ reduceBy: Centis; reduceTo?: never } | { reduceTo: Centis; reduceBy?: never });

export interface DecreaseOrderResult {
  orderId: string;
  clientOrderId: string | null;
  remainingCount: Centis;
  tsMs: number;
}

/** An endpoint whose token cost differs from the default (`GET /account/endpoint_costs`). */
export interface EndpointCost {
  method: string;
  /** As Kalshi lists it, e.g. "/trade-api/v2/portfolio/events/orders/{order_id}". */
  path: string;
  cost: number;
}

export interface EndpointCosts {
  defaultCost: number;
  endpoints: EndpointCost[];
}

export interface ApiKeyInfo {
  apiKeyId: string;
  name: string;
  scopes: string[];
  /** Set when the key may only use this subaccount. */
  subaccount: number | null;
}

export interface ApiKeys {
  keys: ApiKeyInfo[];
  /**
   * Epoch ms when the account's location attestation for API requests expires (a past value: it has
   * lapsed); null when the account never attested.
   */
  regionExpiration: number | null;
}

export interface MarketsFilter {
  status?: MarketStatusFilter;
  seriesTicker?: string;
  eventTicker?: string;
  /** Batched by the adapter into `tickers=` requests. */
  tickers?: string[];
  /** Stop after this many results (default: all pages). */
  max?: number;
  /** Combo (multivariate) markets: leave them out, or list only them. */
  mveFilter?: "exclude" | "only";
  /** Epoch ms: markets whose metadata changed after this (only with mveFilter "exclude", per the spec). */
  minUpdatedTs?: number;
}

export interface TimeRange {
  /** Epoch ms, inclusive. */
  minTs?: number;
  /** Epoch ms, inclusive. */
  maxTs?: number;
}

export interface OrdersFilter extends TimeRange {
  ticker?: string;
  status?: OrderStatus;
}

export interface FillsFilter extends TimeRange {
  ticker?: string;
  orderId?: string;
}

export interface SettlementsFilter extends TimeRange {
  ticker?: string;
  eventTicker?: string;
}

export interface EventsFilter {
  status?: MarketStatusFilter;
  seriesTicker?: string;
  withNestedMarkets?: boolean;
  max?: number;
}

/** One page of GET /events: for filling and polling a local index a page at a time. */
export interface EventsPageFilter {
  status?: "unopened" | "open" | "closed" | "settled";
  seriesTicker?: string;
  withNestedMarkets?: boolean;
  /** Epoch ms: events whose metadata changed after this (Kalshi's recommended way to poll). */
  minUpdatedTs?: number;
  /** Epoch ms: events with a market closing after this. */
  minCloseTs?: number;
  /** 1–200 (default 200). */
  limit?: number;
  cursor?: string;
}

export interface EventsPage {
  events: EventInfo[];
  /** Empty when there are no more pages. */
  cursor: string;
}

export interface ExchangePort {
  getExchangeStatus(): Promise<ExchangeStatus>;
  getAccountLimits(): Promise<AccountLimits>;
  /** Token costs of the endpoints that differ from the default. */
  getEndpointCosts(): Promise<EndpointCosts>;
  /** The account's API keys and the location attestation's expiry. */
  getApiKeys(): Promise<ApiKeys>;
  getBalance(): Promise<Balance>;
  /** Open positions (non-zero position) unless `all` is set. */
  getPositions(filter?: { ticker?: string; eventTicker?: string; all?: boolean }): Promise<Position[]>;
  getMarkets(filter?: MarketsFilter): Promise<Market[]>;
  /** Throws a not-found error for an unknown ticker. */
  getMarket(ticker: string): Promise<Market>;
  getOrderbook(ticker: string, depth?: number): Promise<Orderbook>;
  /** Batched `GET /markets/orderbooks` (100 tickers per request). */
  getOrderbooks(tickers: string[]): Promise<Map<string, Orderbook>>;
  getEvents(filter?: EventsFilter): Promise<EventInfo[]>;
  getEvent(eventTicker: string): Promise<EventInfo>;
  getSeries(seriesTicker: string): Promise<SeriesInfo>;
  /**
   * Creates an order under `req.clientOrderId`, never blindly twice (API.md 3.4a). An adapter
   * reconciles an unclear attempt itself: it looks the order up by client_order_id before any
   * re-send, and answers a refusal of a duplicate open client_order_id with that order. A thrown
   * error is final for the caller: with outcomeUnknown it may still exist; otherwise it was refused.
   */
  createOrder(req: CreateOrderRequest): Promise<CreateOrderResult>;
  /** Cancels one order, routed by `ticker` (its market). */
  cancelOrder(orderId: string, ticker: string): Promise<CancelOrderResult>;
  /** Changes price and/or total count of a resting order, routed by `req.ticker`. */
  amendOrder(req: AmendOrderRequest): Promise<AmendOrderResult>;
  /** Shrinks a resting order (keeps its queue position), routed by `req.ticker`. */
  decreaseOrder(req: DecreaseOrderRequest): Promise<DecreaseOrderResult>;
  /**
   * Cancels exactly these orders (`DELETE /portfolio/events/orders/batched`, each item routed by its
   * ticker); one result per item in the same order. An item Kalshi refused carries its error; the
   * call throws only when the whole request failed.
   */
  cancelOrders(items: OrderRef[]): Promise<BatchCancelItemResult[]>;
  /**
   * `DELETE /portfolio/events/orders`: every resting order on every shard (the bot's "Cancel all").
   * Kalshi warns that orders placed during the following minute may be canceled too: a caller says
   * so before it asks, and reads the resting orders after it to learn what rests.
   */
  cancelAllOrders(): Promise<void>;
  getOrder(orderId: string): Promise<Order>;
  /**
   * Queue positions of the account's resting orders in these markets
   * (`GET /portfolio/orders/queue_positions?market_tickers=`, 100 markets to a request): order id →
   * contracts resting before it at its price. An order Kalshi does not list is absent; no tickers,
   * no request (Kalshi refuses the call without a market or event filter).
   */
  getQueuePositions(tickers: string[]): Promise<Map<string, Centis>>;
  getOrders(filter?: OrdersFilter): Promise<Order[]>;
  getFills(filter?: FillsFilter): Promise<Fill[]>;
  getSettlements(filter?: SettlementsFilter): Promise<Settlement[]>;
  getHistoricalCutoff(): Promise<HistoricalCutoff>;
  getHistoricalFills(filter?: FillsFilter): Promise<Fill[]>;
  getHistoricalOrders(filter?: OrdersFilter): Promise<Order[]>;
  /** Releases sockets and timers. */
  close(): Promise<void>;
  /** One page of events (GET /events), so a caller can stop or resume between pages. */
  getEventsPage(filter: EventsPageFilter): Promise<EventsPage>;
  /** Every series (GET /series), optionally of one category. */
  getSeriesList(filter?: { category?: string }): Promise<SeriesInfo[]>;
  /** Category → tags (GET /search/tags_by_categories). */
  getTagsByCategories(): Promise<Record<string, string[]>>;
}

/** Events pushed by the exchange's WebSocket (or synthesized by a polling fallback). */
export type StreamEvent =
  | { type: "fill"; fill: Fill; postPosition: Centis | null; clientOrderId: string | null }
  | { type: "order"; order: Order; reason: string | null }
  | { type: "lifecycle"; event: MarketLifecycleEvent }
  | { type: "connected" }
  | { type: "disconnected"; error?: string };

/** A market_lifecycle_v2 event of one market (Kalshi sends every market's; times in epoch ms). */
export interface MarketLifecycleEvent {
  ticker: string;
  kind: "deactivated" | "activated" | "close_date_updated" | "determined" | "settled";
  /** The new close time (close_date_updated), else null. */
  closeTime: number | null;
  /** The result (determined), else null. */
  result: string | null;
}

export interface ExchangeStream {
  /** Connects and subscribes to `fill` and `user_orders`; reconnects by itself until closed. */
  start(): Promise<void>;
  on(listener: (e: StreamEvent) => void): () => void;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** One market's prices from the public `ticker` channel (or a REST read standing in for it). */
export interface TickerUpdate {
  ticker: string;
  /** Best YES bid / ask; null when that side of the book is empty. */
  yesBid: Micros | null;
  yesAsk: Micros | null;
  lastPrice: Micros | null;
  /** Epoch ms of the update. */
  ts: number;
}

export type TickerEvent =
  { type: "ticker"; update: TickerUpdate } | { type: "connected" } | { type: "disconnected"; error?: string };

/** The `ticker` channel for a changing set of markets (price alerts and the watchlist). */
export interface TickerFeed {
  /** Connects; resolves after the first attempt, reconnects by itself until closed. */
  start(): Promise<void>;
  /** The markets to follow (subscribes, or updates the subscription, to exactly these). */
  setMarkets(tickers: readonly string[]): void;
  on(listener: (e: TickerEvent) => void): () => void;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** Where a stream (and the alerts reading it) logs; winston's logger fits. */
export interface StreamLogger {
  debug?(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

/**
 * Fills oldest first. Kalshi lists fills newest first and stamps them in ms, so fills of one sweep
 * can share a timestamp: those keep the reverse of the listing order (or the listing order when the
 * list is plainly oldest first).
 */
export function sortFillsOldestFirst(fills: readonly Fill[]): Fill[] {
  const n = fills.length;
  const ascending = n > 1 && fills[0]!.createdTime < fills[n - 1]!.createdTime;
  return fills
    .map((f, i) => ({ f, k: ascending ? i : n - 1 - i }))
    .sort((a, b) => a.f.createdTime - b.f.createdTime || a.k - b.k)
    .map((x) => x.f);
}
