/**
 * The vocabulary of the sim's exchange engine: orders, fills, settlements, positions, accounts, the
 * persisted state and the engine's options and events, plus Kalshi's price grid. Kept apart from
 * the engine so the HTTP, WebSocket and wire modules can name these without reading the engine.
 */
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  ONE_DOLLAR,
  micros,
} from "../../domain/money.js";
import type { Fixture, SimEvent, SimMarket, SimPriceRange, SimSeries } from "../fixtures.js";

export type BookSide = "bid" | "ask";
export type TimeInForce = "good_till_canceled" | "immediate_or_cancel" | "fill_or_kill";
export type StpType = "taker_at_cross" | "maker";
export type UpdateReason =
  | "Trade"
  | "Decrease"
  | "SelfTradeCancel"
  | "ExpiryCancel"
  | "CloseCancel"
  | "PostOnlyCrossCancel"
  | "ReduceOnlyCancel"
  | "Amend";

export const USER = "user";
export const MARKET_MAKER = "mm";
export const NOISE_TRADER = "noise";
export const OTHER_TRADER = "other";

export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = "SimError";
  }
}

export interface SimOrder {
  orderId: string;
  accountId: string;
  clientOrderId: string;
  ticker: string;
  side: BookSide;
  price: Micros;
  initial: Centis;
  filled: Centis;
  remaining: Centis;
  status: "resting" | "canceled" | "executed";
  tif: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  stp: StpType;
  cancelOnPause: boolean;
  takerFillCost: Micros;
  makerFillCost: Micros;
  takerFees: Micros;
  makerFees: Micros;
  createdTs: number;
  lastUpdateTs: number;
  expirationTs: number | null;
  /** Cash set aside for the resting part (opening cost + maker fee estimate). */
  reserved: Micros;
  /**
   * Kalshi's per-order fee accumulator: rounding fees paid on this order's fills and not yet
   * rebated (absent in states saved before it existed = 0).
   */
  roundingAcc?: Micros;
  seq: number;
  lastUpdateReason: UpdateReason | null;
}

export interface SimFill {
  tradeId: string;
  orderId: string;
  accountId: string;
  clientOrderId: string;
  ticker: string;
  side: BookSide;
  price: Micros;
  count: Centis;
  isTaker: boolean;
  fee: Micros;
  ts: number;
  postPosition: Centis;
}

export interface SimSettlement {
  accountId: string;
  ticker: string;
  eventTicker: string;
  result: "yes" | "no";
  yesCount: Centis;
  noCount: Centis;
  yesCost: Micros;
  noCost: Micros;
  revenue: Micros;
  fee: Micros;
  settledTime: number;
}

export interface PositionState {
  ticker: string;
  /** Signed: + YES, − NO. */
  position: Centis;
  /** Cost basis of the open contracts. */
  cost: Micros;
  realizedPnl: Micros;
  totalTraded: Micros;
  feesPaid: Micros;
  volume: Centis;
  lastUpdatedTs: number;
}

export interface Account {
  id: string;
  userId: string;
  /** Synthetic accounts may go below zero; the user account may not. */
  unlimited: boolean;
  /** Keep orders, fills and settlements for listing. */
  history: boolean;
  /** Available cash on all shards together (Σ shardBalances). */
  balance: Micros;
  /**
   * Available cash per exchange shard ("0", "1"): each shard holds its own cash and an order is
   * paid from its market's shard (absent in states saved before shards = all on shard 0).
   */
  shardBalances?: Record<string, Micros>;
  updatedTs: number;
  positions: Record<string, PositionState>;
}

export interface EngineState {
  version: 1;
  createdAt: number;
  clockOffset: number;
  rngState: number;
  seq: number;
  moneyIssued: Micros;
  feesCollected: Micros;
  series: SimSeries[];
  events: SimEvent[];
  markets: SimMarket[];
  accounts: Record<string, Account>;
  orders: Record<string, SimOrder>;
  fills: SimFill[];
  settlements: SimSettlement[];
}

export interface PlaceOrderInput {
  ticker: string;
  side: BookSide;
  price: Micros;
  count: Centis;
  tif: TimeInForce;
  clientOrderId?: string;
  postOnly?: boolean;
  reduceOnly?: boolean;
  stp?: StpType;
  /** Epoch ms. */
  expirationTs?: number | null;
  cancelOnPause?: boolean;
}

export interface PlaceOrderResult {
  order: SimOrder;
  /** This request's fills for the placing account. */
  fills: SimFill[];
  /** True when client_order_id matched an existing order (nothing new was created). */
  duplicate: boolean;
  tsMs: number;
}

export interface AmendInput {
  price: Micros;
  /** The new total: already filled + the desired resting remainder. */
  count: Centis;
  /** undefined keeps the expiry, null removes it, else epoch ms. */
  expirationTs?: number | null;
  updatedClientOrderId?: string;
}

export interface AmendResult {
  order: SimOrder;
  /** This amend's fills for the account. */
  fills: SimFill[];
  /** The resting size changed or something filled (AmendOrderV2Response then carries the counts). */
  sizeChanged: boolean;
  tsMs: number;
}

export interface EngineOptions {
  startingBalance?: Micros;
  seed?: number;
  now?: () => number;
  /** Age at which fills/finished orders move to /historical/*. Default 30 days. */
  historicalCutoffMs?: number;
  /** A saved state to continue from. */
  state?: EngineState;
  /**
   * The paper account's starting cash per shard. Default: `startingBalance` split 80 % on shard 0
   * and 20 % (floored to the cent) on shard 1. When given, `startingBalance` is their sum.
   */
  shardBalances?: Partial<Record<number, Micros>>;
  /**
   * "strict" (default): a create whose client_order_id matches one of the account's OPEN orders
   * is refused (409 duplicate_client_order_id); one that matches a finished order is a new order.
   * "lenient": any earlier order with that id answers the create instead (no new order).
   */
  clientOrderIds?: ClientOrderIdPolicy;
  /** A large catalog whose markets are adopted on first use (SIM_CATALOG=live); default: the fixtures. */
  source?: MarketSource;
}

export type ClientOrderIdPolicy = "strict" | "lenient";

/** The default split of a starting balance across the shards: 20 % (whole cents) on shard 1. */
export function defaultShardBalances(total: Micros): Record<number, Micros> {
  const one = Math.floor(total / 5 / MICROS_PER_CENT) * MICROS_PER_CENT;
  return { 0: micros(total - one), 1: micros(one) };
}

/** Where markets come from besides the state: a fixture for fresh state, and lookup of the rest. */
export interface MarketSource {
  fixture(now: number): Fixture;
  resolve(
    ticker: string,
    now: number,
  ): { markets: SimMarket[]; event: SimEvent; series: SimSeries } | undefined;
}

export interface EngineEvents {
  fill: [fill: SimFill];
  order: [order: SimOrder];
  position: [accountId: string, pos: PositionState];
  ticker: [market: SimMarket];
  settlement: [s: SimSettlement];
  market: [market: SimMarket];
  /** A market_lifecycle_v2 event (engine/lifecycle.ts), told on the WebSocket. */
  lifecycle: [e: SimLifecycleEvent];
  changed: [];
}

/** What Kalshi's market_lifecycle_v2 channel tells about one market (times in epoch ms). */
export interface SimLifecycleEvent {
  ticker: string;
  type: "deactivated" | "activated" | "close_date_updated" | "determined" | "settled";
  closeTs?: number;
  determinationTs?: number;
  settledTs?: number;
  result?: "yes" | "no";
}

export const DEFAULT_STARTING_BALANCE = micros(1000 * MICROS_PER_DOLLAR);

const validPriceCache = new Map<string, Micros[]>();
/** Every valid price strictly between $0 and $1 for these ranges, ascending. */
export function validPrices(ranges: SimPriceRange[]): Micros[] {
  const key = JSON.stringify(ranges);
  let out = validPriceCache.get(key);
  if (!out) {
    const set = new Set<number>();
    for (const r of ranges)
      for (let p: number = r.start; p <= r.end; p += r.step) if (p > 0 && p < ONE_DOLLAR) set.add(p);
    out = [...set].sort((a, b) => a - b) as Micros[];
    validPriceCache.set(key, out);
  }
  return out;
}

export function isValidPrice(p: Micros, ranges: SimPriceRange[]): boolean {
  if (p <= 0 || p >= ONE_DOLLAR) return false;
  return ranges.some((r) => p >= r.start && p <= r.end && (p - r.start) % r.step === 0);
}
