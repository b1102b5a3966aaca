/**
 * The exchange port: everything the application needs from an exchange, in domain types.
 * The Kalshi adapter (src/exchange/kalshi) implements it against Kalshi's REST API, which the
 * sim (src/sim) also speaks; tests may implement it in memory.
 *
 * Conventions:
 * - money is Micros (micro-dollars), counts are Centis (centi-contracts), both integers;
 * - times are Unix epoch milliseconds (numbers), or null when the exchange gives none;
 * - list methods return every page (the adapter follows `cursor`).
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
  /** The event/market title people read (Kalshi's deprecated `title`, else built from the subtitles). */
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

export interface Balance {
  balance: Micros;
  portfolioValue: Micros;
  updatedTs: number | null;
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
  createOrder(req: CreateOrderRequest): Promise<CreateOrderResult>;
  cancelOrder(orderId: string): Promise<CancelOrderResult>;
  getOrder(orderId: string): Promise<Order>;
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
  | { type: "connected" }
  | { type: "disconnected"; error?: string };

export interface ExchangeStream {
  /** Connects and subscribes to `fill` and `user_orders`; reconnects by itself until closed. */
  start(): Promise<void>;
  on(listener: (e: StreamEvent) => void): () => void;
  readonly connected: boolean;
  close(): Promise<void>;
}
