/**
 * The use cases the bot calls, as interfaces. No Telegram here; implementations sit beside this
 * file and work on the ExchangePort only.
 */
import type { Centis, Micros } from "../domain/money.js";
import type {
  Market,
  Order,
  Orderbook,
  OrderRef,
  OutcomeSide,
  BookSide,
  TimeInForce,
} from "../exchange/port.js";
import type { OrderLookup } from "./findOrder.js";
import type { FillEstimate } from "./fillEstimate.js";
import type { RestingOrderView } from "./holdings.js";

export type TradeAction = "buy" | "sell";

/** What the user asked for. Prices are for the chosen outcome (a NO price for NO). */
export interface OrderIntent {
  ticker: string;
  outcome: OutcomeSide;
  action: TradeAction;
  count: Centis;
  kind: "market" | "limit";
  /** Required for limit orders; price of `outcome`. */
  limitPrice?: Micros;
  /**
   * Dollar sizing (buys): the quote replaces `count` with the largest count whose worst-case cost
   * plus fee fits this amount (dollarSizing.ts); a re-quote sizes it again at the prices then.
   */
  budget?: Micros;
}

/** How a dollar amount became the quote's count (dollarSizing.ts): the worst-case cost and fee of it. */
export interface QuoteSizing {
  budget: Micros;
  count: Centis;
  cost: Micros;
  fee: Micros;
}

/** A priced, validated intent that can be placed once. JSON-serializable. */
export interface Quote {
  intent: OrderIntent;
  marketTitle: string;
  /** For a limit order the limit; for a market order the worst price accepted. Price of `outcome`. */
  price: Micros;
  /** What the V2 request will carry. */
  wire: { side: BookSide; yesPrice: Micros; timeInForce: TimeInForce; reduceOnly: boolean };
  /**
   * Buy: price × the contracts it opens (`count − closes.count`); sell: proceeds at the worst price.
   * A buy that closes the other outcome's position has its proceeds in `closes.estimatedProceeds`.
   */
  estimatedCost: Micros;
  /** On the whole count (closing and opening part alike). */
  estimatedFee: Micros;
  /** Most that can be lost (buy: cost of the opening part + fee; sell: the fee). */
  maxLoss: Micros;
  /**
   * Buy: $1 × the contracts it opens (paid if the outcome happens) plus the proceeds of the closing
   * part. Sells: proceeds.
   */
  maxPayout: Micros;
  /**
   * Set when a buy meets a position in the other outcome: on Kalshi's single YES book a buy of YES
   * (a bid) first sells the NO held, and a buy of NO (an ask) first sells the YES held. The first
   * `count` contracts of the order close that position at the complement of the order's price;
   * only the rest (`intent.count − count`) opens the chosen outcome. Absent when nothing is closed.
   */
  closes?: {
    /** The outcome held and sold (the other one than `intent.outcome`). */
    outcome: OutcomeSide;
    count: Centis;
    /** Proceeds at the complement of the worst price, rounded down, before the fee. */
    estimatedProceeds: Micros;
  };
  /**
   * The expected fill of an order that takes liquidity now: a walk of the book read for the quote
   * (fillEstimate.ts), with Kalshi's fee for those fills. Absent without a book or when it rests.
   */
  fill?: FillEstimate & { fee: Micros };
  /** Whether the order takes liquidity now (a market order, a limit at or through the touch); else it rests. */
  crosses?: boolean;
  /** A sell: average entry of the contracts held (the exchange's position cost ÷ count); null if unknown. */
  entryPrice?: Micros | null;
  /** Set when a dollar amount was turned into the count. */
  sizing?: QuoteSizing;
  balance: Micros;
  balanceAfter: Micros;
  /** Epoch ms after which the quote must not be placed. */
  expiresAt: number;
  createdAt: number;
  clientOrderId: string;
}

export interface PlaceResult {
  orderId: string;
  clientOrderId: string;
  status: "executed" | "resting" | "canceled";
  filledCount: Centis;
  averagePrice: Micros | null; // price of the intent's outcome
  fees: Micros;
  restingCount: Centis;
  /**
   * A buy that met a position in the other outcome: how many of the filled contracts sold (closed)
   * that position; the rest of `filledCount` opened the intent's outcome. Absent when none did.
   */
  closed?: { outcome: OutcomeSide; count: Centis };
  /**
   * A resting (limit) sell goes without reduce_only (Kalshi refuses it unless immediate_or_cancel), so
   * it is capped at the holding when placed: set when the holding had shrunk below the quote's count
   * since the quote, to what was held (the count actually placed).
   */
  cappedAtHolding?: Centis;
  /** Set with `cappedAtHolding` when other resting orders already sold part of the holding: how much. */
  alreadySelling?: Centis;
  /**
   * Why an immediate-or-cancel order did not fill completely, read from the exchange after its answer:
   * "no_position" — a reduce-only sell was capped at what was still held (`held`, e.g. 0 when another
   * user or device sold it first); "no_liquidity" — nobody traded at the limit or better.
   */
  unfilled?: { reason: "no_position" | "no_liquidity"; held: Centis | null };
}

/**
 * What a cancel of one order did (the bot renders it):
 * - canceled: the exchange canceled it; `canceledCount` contracts were still resting.
 * - alreadyGone: it was no longer resting: canceled before, or filled (`executed`); `at` is its last
 *   update (epoch ms) when the exchange gave one. Nothing was changed.
 * - notFound: the exchange knows no order with this id on this account. Nothing was changed.
 * - unknown: the cancel failed for another reason (network, 5xx, a refusal while it still rests);
 *   whether it still rests is not known. `cause` is described to the user.
 */
export type CancelOutcome =
  | { kind: "canceled"; orderId: string; canceledCount: Centis }
  | { kind: "alreadyGone"; orderId: string; status: "canceled" | "executed"; at: number | null }
  | { kind: "notFound"; orderId: string }
  | { kind: "unknown"; orderId: string; cause: unknown };

/**
 * What "Cancel all" did: Kalshi's cancel-all (`DELETE /portfolio/events/orders`, every shard), with
 * the resting orders read right before and right after it.
 */
export interface CancelAllResult {
  /**
   * Resting right before the call and canceled by it; `remainingCount` is what the cancel took (less
   * what filled in between).
   */
  canceled: Order[];
  /** Resting right before the call, but filled before the cancel reached them (as read after it). */
  filled: Order[];
  /** Of `canceled`, the ids not on the list the user confirmed (placed after it was shown). */
  unlisted: string[];
  /**
   * Resting after the call: placed since (Kalshi may still cancel orders placed in the minute after
   * the call). Null when that read failed (then `canceled` is what rested before: Kalshi answered
   * that every resting order was canceled).
   */
  resting: Order[] | null;
}

/** The resting orders of a list screen, with their queue positions. */
export interface RestingOrders {
  orders: Order[];
  /** Order id → contracts resting before it at its price; null when the queue could not be read. */
  queue: Map<string, Centis> | null;
}

/**
 * The one answer to "was the order placed?" (the bot renders it and decides nothing):
 * - placed: the exchange took it; `result` says what it did.
 * - rejected: nothing was placed, for sure: a validation refusal (a UserError, `code` its code),
 *   an exchange refusal that proves it (a 4xx on a first attempt, a connection that never opened),
 *   or a failure before the create was sent. `cause` is described to the user by the bot's
 *   describe function (a UserError's message is already the sentence).
 * - unknown: the create may or may not have reached the exchange (timeout, dropped connection, 5xx
 *   the adapter could not resolve by looking the order up). `resting` is the order with this
 *   client_order_id when one read of the market's resting orders right after found it there;
 *   `checked` says whether that read worked. Nothing is re-sent.
 * - requote: nothing was placed; the quote expired or the price moved past it: a fresh quote.
 */
export type PlaceOutcome =
  | { kind: "placed"; result: PlaceResult }
  | { kind: "rejected"; code: string; cause: unknown }
  | { kind: "unknown"; cause: unknown; resting?: Order; checked: boolean }
  | { kind: "requote"; reason: "expired" | "price_moved"; quote: Quote };

/** A validation failure: the message is a plain sentence for a phone user. Nothing was changed. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: string = "invalid_input",
  ) {
    super(message);
    this.name = "UserError";
  }
}

/**
 * The one sentence for a ticker the exchange does not know, whatever command met it (/market, /buy,
 * /sell, a quote): the same situation always reads the same.
 */
export function unknownMarketError(ticker: string): UserError {
  return new UserError(
    `There is no market with ticker ${ticker}. Find one with /search <words>.`,
    "unknown_market",
  );
}

/** What is known of an order at its count step. */
export interface SizeDraft {
  ticker: string;
  action: TradeAction;
  outcome: OutcomeSide;
  count: Centis;
  /** The price the order would pay per contract as far as known (the limit, else the best ask); null: unknown. */
  price: Micros | null;
}

export interface OrderExecutor {
  quote(intent: OrderIntent): Promise<Quote>;
  /**
   * Re-checks expiry and price, then places exactly one order under quote.clientOrderId. Every
   * outcome is a value (see PlaceOutcome); a rejection only on a bug, which the caller must treat as
   * an unknown outcome.
   */
  place(quote: Quote): Promise<PlaceOutcome>;
  /**
   * Cancels one order, routed by its market (`ticker`, else read from the order). Every outcome is a
   * value (see CancelOutcome); it throws only a UserError (no order id).
   */
  cancel(orderId: string, ticker?: string): Promise<CancelOutcome>;
  /**
   * Kalshi's cancel-all (every resting order on every shard; it may also catch orders placed in the
   * minute after). `listed` is what the user was shown when asked: canceled orders not on it are
   * reported as `unlisted`. Throws when the cancel-all itself failed (its outcome is then unknown).
   */
  cancelAll(listed?: OrderRef[]): Promise<CancelAllResult>;
  orderStatus(orderId: string): Promise<Order>;
  /** An order by its full id or the short id lists show (its first 8 characters), see findOrder.ts. */
  findOrder(idOrShortId: string): Promise<OrderLookup>;
  openOrders(): Promise<Order[]>;
  /** The resting orders and their queue positions: one read of each (the queue read batched). */
  restingOrders(): Promise<RestingOrders>;
  /**
   * The size caps checked at the count step, before the rest of the order is asked (sizeCheck.ts):
   * throws a UserError when the count breaks one. Optional: the quote checks them in any case.
   */
  checkSize?(d: SizeDraft): Promise<void>;
}

/**
 * A market and its best prices. The four prices come from one reading: the order book read for this
 * card, or (only when the book could not be read) the market snapshot; never a mix of the two.
 */
export interface MarketInfo {
  market: Market;
  spread: Micros | null;
  bestYesBid: Micros | null;
  bestYesAsk: Micros | null;
  bestNoBid: Micros | null;
  bestNoAsk: Micros | null;
}

export interface MarketSearchHit {
  ticker: string;
  title: string;
  yesSubTitle: string;
  yesBid: Micros | null;
  yesAsk: Micros | null;
  closeTime: number | null;
  score: number;
}

export interface MarketService {
  info(ticker: string): Promise<MarketInfo>;
  search(words: string, limit?: number): Promise<MarketSearchHit[]>;
  /** The market and the best `levels` of each side of its book (/book); unknown ticker: a UserError. */
  depth(ticker: string, levels: number): Promise<MarketDepth>;
  /** An event's markets (a pasted event link); null when the exchange has no such event. */
  eventMarkets(eventTicker: string): Promise<EventMarkets | null>;
}

export interface MarketDepth {
  market: Market;
  book: Orderbook;
}

export interface EventMarkets {
  eventTicker: string;
  /** The event's question, from its markets ("Highest temperature in NYC on Nov 25?"). */
  title: string;
  /** Its markets open to trade, lowest strike first. */
  open: Market[];
}

export interface PositionView {
  ticker: string;
  /** The market's name with its strike (domain/marketName.ts). */
  title: string;
  /** The strike's own words ("45° to 46°"), what tells it apart on a button; "" when unknown. */
  subTitle?: string;
  side: OutcomeSide;
  count: Centis; // absolute
  averageEntry: Micros | null; // price of `side`
  markPrice: Micros | null; // price of `side`; null when unavailable
  value: Micros | null;
  unrealizedPnl: Micros | null;
  settled: boolean;
}

export interface RealizedPnl {
  today: Micros;
  last7d: Micros;
  last30d: Micros;
  allTime: Micros;
  byMarket: { ticker: string; pnl: Micros }[];
}

export interface PortfolioView {
  positions: PositionView[];
  /** Σ value of the priced positions, at the bids they could sell at (holdings.ts). */
  totalValue: Micros;
  totalUnrealized: Micros;
  realized: RealizedPnl;
  /** Available cash. */
  balance: Micros;
  /** Cash held by resting orders. */
  reserved: Micros;
  restingOrders: RestingOrderView[];
  /** balance + reserved + totalValue. */
  total: Micros;
  notes: string[];
  asOf: number;
}

export interface PortfolioService {
  view(): Promise<PortfolioView>;
  /**
   * What is held in one market now, from one positions read (a position card's button checks it
   * before it opens a sell); null when nothing is. Optional: without it the caller reads `view()`.
   */
  held?(ticker: string): Promise<{ side: OutcomeSide; count: Centis } | null>;
}

export interface HistoryRow {
  time: number;
  ticker: string;
  marketTitle: string;
  outcome: OutcomeSide;
  action: TradeAction;
  count: Centis;
  price: Micros;
  cost: Micros;
  fee: Micros;
  realizedPnl: Micros | null;
  orderId: string;
  fillId: string;
  isTaker: boolean;
  source: "bot" | "elsewhere";
}

/** A market that settled while the user held it: what it paid and the P&L that realized. */
export interface SettlementRow {
  time: number;
  ticker: string;
  marketTitle: string;
  result: "yes" | "no" | "scalar" | "void";
  /** Held when it settled. */
  yesCount: Centis;
  noCount: Centis;
  /** What the settlement paid. */
  revenue: Micros;
  realizedPnl: Micros;
}

/** /history: the fills of a range and the settlements in it, each with the P&L it realized. */
export interface HistoryReport {
  rows: HistoryRow[];
  settlements: SettlementRow[];
}

export interface HistoryService {
  between(fromMs: number, toMs: number): Promise<HistoryRow[]>;
  /** Fills and settlements with time in [fromMs, toMs]; realized P&L as /portfolio counts it. */
  report(fromMs: number, toMs: number): Promise<HistoryReport>;
  recent(limit?: number): Promise<HistoryRow[]>;
}

export interface ExportResult {
  files: string[]; // absolute paths, numbered parts when split
  rows: number;
  fromMs: number;
  toMs: number;
  timeZone: string;
}

export interface ExportService {
  exportCsv(fromMs: number, toMs: number): Promise<ExportResult>;
}
