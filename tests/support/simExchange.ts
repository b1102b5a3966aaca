/**
 * The one exchange double: an in-process ExchangePort over the sim's SimEngine, so tests trade
 * against the same matching, cash, fee, client_order_id and routing rules as the sim (and, through
 * the sim, Kalshi), without HTTP. Each call takes the path a request takes through the sim — the
 * client's request body (KalshiClient.createOrderBody …), the sim's request parsing
 * (src/sim/orderRequests.ts), the engine, the sim's wire shapes (src/sim/wire.ts, the catalog
 * routes) — and maps the answer with the adapter's own schemas and converters
 * (src/exchange/kalshi/schemas.ts). A refusal is the KalshiApiError the adapter would throw.
 * tests/exchange/simExchange.contract.test.ts checks it against KalshiClient + startSim.
 *
 * Seeding stands in for a saved sim state: markets (adopted by the engine like catalog markets),
 * book levels (resting orders of the market maker), positions, fills and settlements written into
 * the engine's state, cash on shard 0. Amounts as decimal strings ("0.55"), never floats.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { KalshiApiError, KalshiNetworkError } from "../../src/exchange/errors.js";
import { EventTitles } from "../../src/exchange/kalshi/eventTitles.js";
import {
  KalshiClient,
  MARKETS_TICKERS_PER_REQUEST,
  ORDERBOOKS_TICKERS_PER_REQUEST,
  QUEUE_TICKERS_PER_REQUEST,
  requireRef,
} from "../../src/exchange/kalshi/client.js";
import * as S from "../../src/exchange/kalshi/schemas.js";
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  complementPrice,
  contracts,
  formatCount,
  formatDollars,
  micros,
  parseCount,
  parseDollars,
} from "../../src/domain/money.js";
import type {
  AccountLimits,
  AmendOrderRequest,
  AmendOrderResult,
  ApiKeys,
  Balance,
  BatchCancelItemResult,
  CancelOrderResult,
  CreateOrderRequest,
  CreateOrderResult,
  DecreaseOrderRequest,
  DecreaseOrderResult,
  EndpointCosts,
  EventInfo,
  EventsFilter,
  EventsPage,
  EventsPageFilter,
  ExchangePort,
  ExchangeStatus,
  Fill,
  FillsFilter,
  HistoricalCutoff,
  Market,
  MarketsFilter,
  Order,
  OrderRef,
  Orderbook,
  OrdersFilter,
  Position,
  SeriesInfo,
  Settlement,
  SettlementsFilter,
} from "../../src/exchange/port.js";
import { fixtureMarketData } from "../../src/sim/catalog/marketData.js";
import { marketDataRoutes } from "../../src/sim/catalog/routes.js";
import {
  MARKET_MAKER,
  OTHER_TRADER,
  SimEngine,
  SimError,
  type SimFill,
  type SimOrder,
  USER,
} from "../../src/sim/engine.js";
import { endpointCostsToWire } from "../../src/sim/endpointCosts.js";
import { queuePositionsToWire } from "../../src/sim/queuePositions.js";
import { LINEAR_CENT, type SimEvent, type SimMarket, type SimSeries } from "../../src/sim/fixtures.js";
import {
  findRoutedOrder,
  parseAmend,
  parseCreateOrder,
  parseDecrease,
  parseRoute,
} from "../../src/sim/orderRequests.js";
import {
  createResponseToWire,
  amendResponseToWire,
  fillToWire,
  iso,
  marketToWire,
  orderToWire,
  orderbookToWire,
  positionToWire,
  settlementToWire,
} from "../../src/sim/wire.js";

type Json = Record<string, unknown>;
type Method = keyof ExchangePort;

export type Amount = string | Micros;
const $ = (a: Amount): Micros => (typeof a === "string" ? parseDollars(a) : a);
const n = (a: string | number): Centis => (typeof a === "string" ? parseCount(a) : contracts(a));

const DAY = 86_400_000;

export interface MarketSeed {
  ticker: string;
  eventTicker?: string;
  title?: string;
  yesSubTitle?: string;
  noSubTitle?: string;
  status?: SimMarket["status"];
  openTime?: number;
  closeTime?: number;
  /** Best YES bid / ask: seeds a deep book level there (setBook replaces it). */
  yesBid?: Amount | null;
  yesAsk?: Amount | null;
  lastPrice?: Amount | null;
  priceRanges?: SimMarket["priceRanges"];
  priceLevelStructure?: SimMarket["priceLevelStructure"];
  rulesPrimary?: string;
  /** The sim keeps one volume figure (volume and volume_24h). */
  volume24h?: Centis;
  openInterest?: number;
  /** For a determined/finalized market: how it settled. */
  result?: "yes" | "no";
}

/** Book levels as [price "0.55", whole contracts or a count string "2.50"]. */
export type LevelSeed = [Amount, number | string];

export interface FillSeed {
  ticker: string;
  side: "bid" | "ask";
  /** YES price. */
  yesPrice: Amount;
  count: number | string;
  fee?: Amount;
  time: number;
  orderId?: string;
  fillId?: string;
  isTaker?: boolean;
}

export interface SimExchangeOptions {
  now?: () => number;
  /** The user's cash, all on shard 0 (default $1000). */
  balance?: Amount;
  /** Age at which fills and finished orders move to /historical (default 30 days). */
  historicalCutoffMs?: number;
  /** Delay per HTTP request the adapter would send (benchmarks). */
  latencyMs?: number;
  /** Wrap this engine (e.g. a running sim's) instead of a fresh one; addMarket then cannot add markets. */
  engine?: SimEngine;
}

/** How a failure injected with failNext meets the call. */
export type FailWhen = "before" | "after";

export class SimExchange implements ExchangePort {
  readonly engine: SimEngine;
  /** Port calls, by method name. */
  readonly calls: Record<string, number> = {};
  /** HTTP requests the adapter would send for these calls (it batches 100 tickers, pages 1000 items). */
  requests = 0;
  /** Delay per HTTP request the adapter would send (benchmarks); 0 = none. */
  latencyMs: number;
  /** Every create as the port received it. */
  readonly createRequests: CreateOrderRequest[] = [];
  /** Every write naming an order, as sent (for routing assertions). */
  readonly orderWrites: { method: string; orderId: string; ticker: string }[] = [];
  /** `GET /api_keys`'s attestation expiry (epoch ms); null = never attested. Default: in 60 days. */
  regionExpiration: number | null;
  now: () => number;
  private readonly seeded = new Map<string, { market: SimMarket; event: SimEvent; series: SimSeries }>();
  private readonly failures = new Map<Method, { err: Error; when: FailWhen; left: number }>();
  private readonly titles = new EventTitles();
  private readonly lagging = new Map<
    string,
    Partial<Pick<Market, "yesBid" | "yesAsk" | "noBid" | "noAsk">>
  >();
  private seq = 0;

  constructor(opts: SimExchangeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.latencyMs = opts.latencyMs ?? 0;
    this.engine =
      opts.engine ??
      new SimEngine({
        now: () => this.now(),
        shardBalances: { 0: $(opts.balance ?? "1000") },
        historicalCutoffMs: opts.historicalCutoffMs ?? 30 * DAY,
        source: {
          fixture: () => ({ series: [], events: [], markets: [] }),
          resolve: (ticker) => {
            const s = this.seeded.get(ticker);
            return s && { markets: [s.market], event: s.event, series: s.series };
          },
        },
      });
    this.regionExpiration = this.now() + 60 * DAY;
  }

  // ---------------------------------------------------------------- seeding

  /** Adds (or updates) a market; `yesBid`/`yesAsk` seed a deep book level at those prices. */
  addMarket(seed: MarketSeed): Market {
    const now = this.now();
    const eventTicker = seed.eventTicker ?? seed.ticker.split("-").slice(0, 2).join("-");
    const seriesTicker = eventTicker.split("-")[0] ?? eventTicker;
    const title = seed.title ?? `Market ${seed.ticker}`;
    const existing = this.engine.findMarket(seed.ticker);
    const market: SimMarket = {
      ticker: seed.ticker,
      eventTicker,
      seriesTicker,
      title,
      subtitle: "",
      yesSubTitle: seed.yesSubTitle ?? "",
      noSubTitle: seed.noSubTitle ?? "",
      rulesPrimary: seed.rulesPrimary ?? "",
      rulesSecondary: "",
      status: seed.status ?? "active",
      createdTime: now - DAY,
      updatedTime: now,
      openTime: seed.openTime ?? now - DAY,
      closeTime: seed.closeTime ?? now + 30 * DAY,
      settleTime: (seed.closeTime ?? now + 30 * DAY) + DAY,
      priceLevelStructure: seed.priceLevelStructure ?? "linear_cent",
      priceRanges: seed.priceRanges ?? LINEAR_CENT,
      strikeType: "custom",
      floorStrike: null,
      capStrike: null,
      result: seed.result ?? "",
      settlementTs: seed.result ? now : null,
      fair: micros(50 * MICROS_PER_CENT),
      lastPrice: seed.lastPrice == null ? micros(0) : $(seed.lastPrice),
      previousPrice: seed.lastPrice == null ? micros(0) : $(seed.lastPrice),
      volume: seed.volume24h ?? 0,
      openInterest: seed.openInterest ?? 0,
    };
    if (existing) {
      Object.assign(existing, market);
    } else {
      const event: SimEvent = {
        eventTicker,
        seriesTicker,
        title,
        subTitle: "",
        category: "",
        mutuallyExclusive: false,
        strikeDate: null,
      };
      const series: SimSeries = {
        ticker: seriesTicker,
        title: seriesTicker,
        category: "",
        frequency: "daily",
        feeType: "quadratic",
        feeMultiplier: 1,
        tags: [],
        settlementSources: [],
        contractUrl: "",
      };
      this.seeded.set(seed.ticker, { market, event, series });
      this.engine.market(seed.ticker); // adopted now, like a catalog market on first use
    }
    const yes: LevelSeed[] = seed.yesBid == null ? [] : [[seed.yesBid, 1000]];
    const no: LevelSeed[] = seed.yesAsk == null ? [] : [[complementPrice($(seed.yesAsk)), 1000]];
    this.setBook(seed.ticker, { yes, no });
    return this.marketNow(seed.ticker);
  }

  /** The market as getMarket returns it (without counting a call). */
  marketNow(ticker: string): Market {
    const w = this.wire(S.MarketResponse, { market: marketToWire(this.engine, this.engine.market(ticker)) });
    return this.marketOut(w.market);
  }

  /** The engine's markets by ticker, to change a market in place (status, close time, rules …). */
  get markets(): Map<string, SimMarket> {
    return new Map(this.engine.markets().map((m) => [m.ticker, m]));
  }

  /**
   * Kalshi's market fields lag its book; the sim's never do. Until called again with null, the
   * market's best prices read through getMarket/getMarkets are these (the book is unchanged).
   */
  lagMarket(
    ticker: string,
    prices: Partial<Pick<Market, "yesBid" | "yesAsk" | "noBid" | "noAsk">> | null,
  ): void {
    if (prices === null) this.lagging.delete(ticker);
    else this.lagging.set(ticker, { ...this.lagging.get(ticker), ...prices });
  }

  /**
   * Replaces the market's book with resting orders of another account: YES bids at `yes` prices,
   * NO bids at `no` prices (asks at $1 − p on the YES book). The user's own resting orders stay.
   */
  setBook(ticker: string, book: { yes?: LevelSeed[]; no?: LevelSeed[] }): void {
    const b = this.engine.book(ticker);
    for (const o of [...b.bids, ...b.asks])
      if (o.accountId !== USER) this.engine.cancelOrder(o.accountId, o.orderId);
    const place = (side: "bid" | "ask", price: Micros, count: Centis) =>
      this.engine.placeOrder(MARKET_MAKER, {
        ticker,
        side,
        price,
        count,
        tif: "good_till_canceled",
        stp: "maker",
      });
    for (const [p, c] of book.yes ?? []) place("bid", $(p), n(c));
    for (const [p, c] of book.no ?? []) place("ask", complementPrice($(p)), n(c));
  }

  /** The fee schedule of the market's series (Kalshi's fee_type / fee_multiplier). */
  setSeries(eventTicker: string, info: Partial<SeriesInfo> & { ticker: string }): void {
    const ev = this.engine.event(eventTicker);
    const series = ev && this.engine.series(ev.seriesTicker);
    if (!ev || !series) throw new Error(`simExchange: add a market of ${eventTicker} first`);
    Object.assign(series, {
      ticker: info.ticker,
      title: info.title ?? info.ticker,
      category: info.category ?? "",
      feeType: info.feeType ?? "quadratic",
      feeMultiplier: info.feeMultiplier ?? 1,
      tags: info.tags ?? [],
    });
    ev.seriesTicker = info.ticker;
    for (const m of this.engine.markets()) if (m.eventTicker === eventTicker) m.seriesTicker = info.ticker;
  }

  /**
   * The user closes the whole position elsewhere (on the website): a market order of the same account
   * against the book, by the engine's rules. The book must hold enough on the other side.
   */
  async closePosition(ticker: string): Promise<void> {
    const held = this.engine.position(USER, ticker).position;
    if (held === 0) return;
    const r = this.engine.placeOrder(USER, {
      ticker,
      side: held > 0 ? "ask" : "bid",
      price: micros(held > 0 ? MICROS_PER_CENT : 99 * MICROS_PER_CENT),
      count: Math.abs(held) as Centis,
      tif: "immediate_or_cancel",
      clientOrderId: `website-${++this.seq}`,
    });
    if (r.order.filled !== Math.abs(held)) throw new Error(`simExchange: the book of ${ticker} is too thin`);
  }

  /** The user's cash, all on shard 0. */
  setBalance(dollars: Amount): void {
    const u = this.engine.user;
    u.balance = $(dollars);
    u.shardBalances = { 0: u.balance, 1: micros(0) };
  }

  get balance(): Micros {
    return this.engine.user.balance;
  }

  /**
   * A held position (signed whole contracts or count string: + YES, − NO) with its cost basis. Not
   * 0: a position that went to 0 was traded, so Kalshi still lists it (total_traded ≠ 0); close it
   * with closePosition.
   */
  setPosition(ticker: string, signed: number | string, exposure: Amount = micros(0)): void {
    this.engine.market(ticker);
    const count = (typeof signed === "string" ? parseCount(signed) : contracts(signed)) as Centis;
    if (count === 0) throw new Error("simExchange: close a position with closePosition, not setPosition(0)");
    const p = this.engine.position(USER, ticker);
    p.position = count;
    p.cost = $(exposure);
    p.lastUpdatedTs = this.now();
  }

  /** A fill of the user's, as if it happened at `time` (no cash or position moves). */
  addFill(f: FillSeed): Fill {
    const id = f.fillId ?? `seed-fill-${++this.seq}`;
    const fill: SimFill = {
      tradeId: id,
      orderId: f.orderId ?? `seed-order-${this.seq}`,
      accountId: USER,
      clientOrderId: "",
      ticker: f.ticker,
      side: f.side,
      price: $(f.yesPrice),
      count: n(f.count),
      isTaker: f.isTaker ?? true,
      fee: f.fee === undefined ? micros(0) : $(f.fee),
      ts: f.time,
      postPosition: 0 as Centis,
    };
    this.engine.state.fills.push(fill);
    return this.fillOut(fill);
  }

  /** A settlement row; `fee` defaults to the fees of the user's fills in the market up to then. */
  addSettlement(
    s: Partial<Settlement> & { ticker: string; marketResult: "yes" | "no"; settledTime: number },
  ): Settlement {
    const fees = this.engine.state.fills
      .filter((f) => f.accountId === USER && f.ticker === s.ticker && f.ts <= s.settledTime)
      .reduce((sum, f) => sum + f.fee, 0);
    const row = {
      accountId: USER,
      ticker: s.ticker,
      eventTicker: s.eventTicker ?? s.ticker.split("-").slice(0, 2).join("-"),
      result: s.marketResult,
      yesCount: s.yesCount ?? (0 as Centis),
      noCount: s.noCount ?? (0 as Centis),
      yesCost: s.yesTotalCost ?? micros(0),
      noCost: s.noTotalCost ?? micros(0),
      revenue: s.revenue ?? micros(0),
      fee: s.fee ?? micros(fees),
      settledTime: s.settledTime,
    };
    this.engine.state.settlements.push(row);
    return S.settlementFromWire(
      this.wire(S.SettlementsResponse, { settlements: [settlementToWire(this.engine, row)] })
        .settlements![0]!,
    );
  }

  /** Settles the market by the engine's rules ($1 per winning contract, the position closed). */
  settle(ticker: string, result: "yes" | "no", time?: number): Settlement | undefined {
    const before = this.engine.state.settlements.length;
    this.engine.settle(ticker, result);
    const row = this.engine.state.settlements.slice(before).find((s) => s.accountId === USER);
    if (row && time !== undefined) row.settledTime = time;
    return (
      row &&
      S.settlementFromWire(
        this.wire(S.SettlementsResponse, { settlements: [settlementToWire(this.engine, row)] })
          .settlements![0]!,
      )
    );
  }

  /**
   * Someone trades against one of the user's resting orders at its price, as the taker: `count`
   * centi-contracts of it (default: all that rests). By the engine's price-time priority, the orders
   * queued ahead of it (better prices, or the same price placed earlier) fill first, so the taker
   * takes those too. Returns the user's fills.
   */
  fillResting(orderId: string, count?: Centis): Fill[] {
    const o = this.engine.order(orderId);
    if (!o || o.status !== "resting") throw new Error(`simExchange: order ${orderId} is not resting`);
    const queue = o.side === "bid" ? this.engine.book(o.ticker).bids : this.engine.book(o.ticker).asks;
    const ahead = queue.slice(0, queue.indexOf(o)).reduce((sum, x) => sum + x.remaining, 0);
    const r = this.engine.placeOrder(OTHER_TRADER, {
      ticker: o.ticker,
      side: o.side === "bid" ? "ask" : "bid",
      price: o.price,
      count: (ahead + Math.min(count ?? o.remaining, o.remaining)) as Centis,
      tif: "immediate_or_cancel",
      stp: "maker",
    });
    const trades = new Set(r.fills.map((f) => f.tradeId));
    return this.engine.state.fills
      .filter((f) => f.accountId === USER && f.orderId === orderId && trades.has(f.tradeId))
      .map((f) => this.fillOut(f));
  }

  /**
   * The next call of `method` throws `err` (once): "before" the exchange acts (nothing happened),
   * or "after" it acted (the answer was lost: a timeout after the order was placed). `times` > 1:
   * the next that many calls throw it (an outage a retry loop has to outlast).
   */
  failNext(method: Method, err: Error, when: FailWhen = "before", times = 1): void {
    this.failures.set(method, { err, when, left: times });
  }

  /** A timeout as the adapter reports it (for a write: its outcome is unknown). */
  static timeout(method: string, path: string, write = true): KalshiNetworkError {
    return new KalshiNetworkError("timeout", method, path, "ECONNABORTED", write);
  }

  resetCalls(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
    this.requests = 0;
  }

  // ---------------------------------------------------------------- views for assertions

  /** The user's orders, oldest first, as getOrder returns them. */
  get orders(): Order[] {
    return Object.values(this.engine.state.orders)
      .filter((o) => o.accountId === USER)
      .sort((a, b) => a.seq - b.seq)
      .map((o) => this.orderOut(o));
  }

  /** The user's fills, oldest first. */
  get fills(): Fill[] {
    return this.engine.state.fills.filter((f) => f.accountId === USER).map((f) => this.fillOut(f));
  }

  /** The user's positions by ticker, as getPositions({ all: true }) lists them (closed ones too). */
  get positions(): Map<string, Position> {
    const out = new Map<string, Position>();
    for (const p of Object.values(this.engine.user.positions)) {
      if (p.position === 0 && p.totalTraded === 0) continue;
      const w = this.wire(S.PositionsResponse, { market_positions: [positionToWire(this.engine, p)] });
      out.set(p.ticker, S.positionFromWire(w.market_positions![0]!));
    }
    return out;
  }

  get settlements(): Settlement[] {
    return this.engine.state.settlements
      .filter((s) => s.accountId === USER)
      .map((s) =>
        S.settlementFromWire(
          this.wire(S.SettlementsResponse, { settlements: [settlementToWire(this.engine, s)] })
            .settlements![0]!,
        ),
      );
  }

  // ---------------------------------------------------------------- plumbing

  /** Counts the call, throws an injected "before" failure, runs `act`, throws an "after" one. */
  private async call<T>(
    method: Method,
    path: string,
    act: () => T,
    requests: (out: T) => number = () => 1,
  ): Promise<T> {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    await Promise.resolve();
    const f = this.failures.get(method);
    if (f && --f.left <= 0) this.failures.delete(method);
    if (f?.when === "before") throw f.err;
    let out: T;
    try {
      out = act();
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      const body = { error: { code: e.code, message: e.message, details: e.details ?? null } };
      throw KalshiApiError.fromResponse(e.status, body, path.split(" ")[0], path.split(" ")[1]);
    }
    const sent = requests(out);
    this.requests += sent;
    for (let i = 0; i < sent && this.latencyMs > 0; i++) await sleep(this.latencyMs);
    if (f?.when === "after") throw f.err;
    return out;
  }

  private wire<T extends Parameters<typeof S.parseWire>[0]>(
    schema: T,
    data: unknown,
  ): ReturnType<typeof S.parseWire<T>> {
    return S.parseWire(schema, JSON.parse(JSON.stringify(data)), "simExchange");
  }

  /** The sim's market-data routes (GET /markets, /events, /series …) over this engine. */
  private md() {
    return { routes: marketDataRoutes(fixtureMarketData(this.engine), this.engine) };
  }

  private marketOut(w: Parameters<typeof S.marketFromWire>[0]): Market {
    const m = this.titles.apply(S.marketFromWire(w));
    const lag = this.lagging.get(m.ticker);
    return lag ? { ...m, ...lag } : m;
  }

  private orderOut(o: SimOrder): Order {
    return S.orderFromWire(this.wire(S.OrderResponse, { order: orderToWire(this.engine, o) }).order);
  }

  private fillOut(f: SimFill): Fill {
    return S.fillFromWire(this.wire(S.FillsResponse, { fills: [fillToWire(this.engine, f)] }).fills![0]!);
  }

  private routedWrite(method: string, orderId: string, ticker: string): SimOrder {
    this.orderWrites.push({ method, orderId, ticker });
    requireRef({ orderId, ticker });
    return findRoutedOrder(this.engine, orderId, parseRoute(undefined, ticker));
  }

  private cancelOne(method: string, orderId: string, ticker: string): Json {
    this.routedWrite(method, orderId, ticker);
    const r = this.engine.cancelOrder(USER, orderId);
    return {
      order_id: r.order.orderId,
      client_order_id: r.order.clientOrderId,
      reduced_by: formatCount(r.reducedBy),
      ts_ms: r.tsMs,
    };
  }

  private userOrders(historical: boolean, f: OrdersFilter): SimOrder[] {
    const cutoff = this.engine.historicalCutoff();
    return Object.values(this.engine.state.orders)
      .filter((o) => o.accountId === USER)
      .filter((o) => (o.status !== "resting" && o.lastUpdateTs < cutoff) === historical)
      .filter((o) => (!f.ticker || o.ticker === f.ticker) && (!f.status || o.status === f.status))
      .filter((o) => inRange(o.createdTs, f))
      .sort((a, b) => b.seq - a.seq);
  }

  private userFills(historical: boolean, f: FillsFilter): Fill[] {
    const cutoff = this.engine.historicalCutoff();
    const rows = this.engine.state.fills
      .filter((x) => x.accountId === USER && x.ts < cutoff === historical)
      .filter((x) => (!f.ticker || x.ticker === f.ticker) && (!f.orderId || x.orderId === f.orderId))
      .filter((x) => inRange(x.ts, f))
      .reverse();
    // One page body for all of them, as the sim answers (one parse, not one per fill).
    const w = this.wire(S.FillsResponse, { fills: rows.map((x) => fillToWire(this.engine, x)) });
    return (w.fills ?? []).map(S.fillFromWire);
  }

  // ---------------------------------------------------------------- ExchangePort

  getExchangeStatus(): Promise<ExchangeStatus> {
    return this.call("getExchangeStatus", "GET /exchange/status", () => ({
      exchangeActive: true,
      tradingActive: true,
    }));
  }

  getAccountLimits(): Promise<AccountLimits> {
    return this.call("getAccountLimits", "GET /account/limits", () =>
      S.accountLimitsFromWire(
        this.wire(S.AccountLimitsResponse, {
          usage_tier: "basic",
          read: { refill_rate: 200, bucket_capacity: 200 },
          write: { refill_rate: 100, bucket_capacity: 100 },
        }),
      ),
    );
  }

  getEndpointCosts(): Promise<EndpointCosts> {
    return this.call("getEndpointCosts", "GET /account/endpoint_costs", () =>
      S.endpointCostsFromWire(this.wire(S.EndpointCostsResponse, endpointCostsToWire())),
    );
  }

  getApiKeys(): Promise<ApiKeys> {
    return this.call("getApiKeys", "GET /api_keys", () =>
      S.apiKeysFromWire(
        this.wire(S.ApiKeysResponse, {
          api_keys: [{ api_key_id: "sim-key", name: "sim", scopes: ["read", "write"] }],
          ...(this.regionExpiration === null
            ? {}
            : { api_key_region_expiration_ts: Math.floor(this.regionExpiration / 1000) }),
        }),
      ),
    );
  }

  getBalance(): Promise<Balance> {
    return this.call("getBalance", "GET /portfolio/balance", () => {
      const u = this.engine.user;
      return S.balanceFromWire(
        this.wire(S.BalanceResponse, {
          balance: Math.floor(u.balance / 10_000),
          balance_dollars: formatDollars(u.balance),
          portfolio_value: Math.floor(this.engine.portfolioValue(USER) / 10_000),
          updated_ts: Math.floor(u.updatedTs / 1000),
          balance_breakdown: [0, 1].map((i) => ({
            exchange_index: i,
            balance: formatDollars(this.engine.shardBalance(USER, i)),
          })),
        }),
      );
    });
  }

  getPositions(filter: { ticker?: string; eventTicker?: string; all?: boolean } = {}): Promise<Position[]> {
    return this.call(
      "getPositions",
      "GET /portfolio/positions",
      () =>
        Object.values(this.engine.user.positions)
          .filter((p) => (filter.all ? p.position !== 0 || p.totalTraded !== 0 : p.position !== 0))
          .filter((p) => !filter.ticker || p.ticker === filter.ticker)
          .filter(
            (p) =>
              !filter.eventTicker || this.engine.findMarket(p.ticker)?.eventTicker === filter.eventTicker,
          )
          .sort((a, b) => b.lastUpdatedTs - a.lastUpdatedTs)
          .map((p) =>
            S.positionFromWire(
              this.wire(S.PositionsResponse, { market_positions: [positionToWire(this.engine, p)] })
                .market_positions![0]!,
            ),
          ),
      pages1000,
    );
  }

  getMarkets(filter: MarketsFilter = {}): Promise<Market[]> {
    return this.call(
      "getMarkets",
      "GET /markets",
      () => {
        const q: Record<string, string | undefined> = {
          status: filter.status,
          series_ticker: filter.seriesTicker,
          event_ticker: filter.eventTicker,
          mve_filter: filter.mveFilter,
          min_updated_ts:
            filter.minUpdatedTs === undefined ? undefined : String(Math.floor(filter.minUpdatedTs / 1000)),
          tickers: filter.tickers?.filter(Boolean).join(","),
        };
        if (filter.tickers !== undefined && !q.tickers) return [];
        const out = this.pages((cursor) => {
          const r = this.wire(
            S.MarketsResponse,
            this.md().routes.markets(query({ ...q, limit: "1000", cursor })),
          );
          return {
            items: (r.markets ?? []).map((w) => this.marketOut(w)),
            cursor: r.cursor,
          };
        });
        return filter.max === undefined ? out : out.slice(0, filter.max);
      },
      batches(filter.tickers, MARKETS_TICKERS_PER_REQUEST),
    );
  }

  getMarket(ticker: string): Promise<Market> {
    return this.call("getMarket", "GET /markets/{ticker}", () => {
      this.engine.market(ticker);
      return this.marketNow(ticker);
    });
  }

  getOrderbook(ticker: string, depth?: number): Promise<Orderbook> {
    return this.call("getOrderbook", "GET /markets/{ticker}/orderbook", () => {
      const m = this.engine.market(ticker);
      const w = this.wire(S.OrderbookResponse, {
        orderbook_fp: orderbookToWire(this.engine, m.ticker, depth ?? 0),
      });
      return S.orderbookFromWire(ticker, w.orderbook_fp);
    });
  }

  getOrderbooks(tickers: string[]): Promise<Map<string, Orderbook>> {
    return this.call(
      "getOrderbooks",
      "GET /markets/orderbooks",
      () => {
        const out = new Map<string, Orderbook>();
        for (const t of new Set(tickers.filter(Boolean))) {
          if (!this.engine.findMarket(t)) continue;
          const w = this.wire(S.OrderbookResponse, { orderbook_fp: orderbookToWire(this.engine, t) });
          out.set(t, S.orderbookFromWire(t, w.orderbook_fp));
        }
        return out;
      },
      batches(tickers, ORDERBOOKS_TICKERS_PER_REQUEST),
    );
  }

  getEvents(filter: EventsFilter = {}): Promise<EventInfo[]> {
    return this.call("getEvents", "GET /events", () => {
      const out = this.pages((cursor) => {
        const r = this.wire(
          S.EventsResponse,
          this.md().routes.events(
            query({
              status: filter.status,
              series_ticker: filter.seriesTicker,
              with_nested_markets: filter.withNestedMarkets ? "true" : undefined,
              limit: "200",
              cursor,
            }),
          ),
        );
        return {
          items: (r.events ?? []).map((e) => this.titles.learn(S.eventFromWire(e))),
          cursor: r.cursor,
        };
      });
      return filter.max === undefined ? out : out.slice(0, filter.max);
    });
  }

  getEvent(eventTicker: string): Promise<EventInfo> {
    return this.call("getEvent", "GET /events/{event_ticker}", () => {
      const r = this.wire(
        S.EventResponse,
        this.md().routes.event(eventTicker, query({ with_nested_markets: "true" })),
      );
      return this.titles.learn(S.eventFromWire(r.event));
    });
  }

  getSeries(seriesTicker: string): Promise<SeriesInfo> {
    return this.call("getSeries", "GET /series/{series_ticker}", () =>
      S.seriesFromWire(this.wire(S.SeriesResponse, this.md().routes.series(seriesTicker)).series),
    );
  }

  getEventsPage(filter: EventsPageFilter): Promise<EventsPage> {
    return this.call("getEventsPage", "GET /events", () => {
      const secs = (ms: number | undefined) => (ms === undefined ? undefined : String(Math.floor(ms / 1000)));
      const r = this.wire(
        S.EventsResponse,
        this.md().routes.events(
          query({
            status: filter.status,
            series_ticker: filter.seriesTicker,
            with_nested_markets: filter.withNestedMarkets ? "true" : undefined,
            min_updated_ts: secs(filter.minUpdatedTs),
            min_close_ts: secs(filter.minCloseTs),
            limit: String(Math.min(200, Math.max(1, filter.limit ?? 200))),
            cursor: filter.cursor || undefined,
          }),
        ),
      );
      return {
        events: (r.events ?? []).map((e) => this.titles.learn(S.eventFromWire(e))),
        cursor: r.cursor ?? "",
      };
    });
  }

  getSeriesList(filter: { category?: string } = {}): Promise<SeriesInfo[]> {
    return this.call("getSeriesList", "GET /series", () =>
      (
        this.wire(S.SeriesListResponse, this.md().routes.seriesList(query({ category: filter.category })))
          .series ?? []
      ).map(S.seriesFromWire),
    );
  }

  getTagsByCategories(): Promise<Record<string, string[]>> {
    return this.call("getTagsByCategories", "GET /search/tags_by_categories", () => {
      const r = this.wire(S.TagsByCategoriesResponse, this.md().routes.tagsByCategories());
      const out: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(r.tags_by_categories)) out[k] = v ?? [];
      return out;
    });
  }

  createOrder(req: CreateOrderRequest): Promise<CreateOrderResult> {
    this.createRequests.push({ ...req });
    return this.call("createOrder", "POST /portfolio/events/orders", () => {
      const body = KalshiClient.createOrderBody(req);
      const { route, ...input } = parseCreateOrder(JSON.parse(JSON.stringify(body)) as Json);
      void route;
      const r = this.engine.placeOrder(USER, input);
      const w = createResponseToWire(r.order, r.fills, r.tsMs, r.duplicate);
      return S.createOrderResultFromWire(this.wire(S.CreateOrderResponse, w));
    });
  }

  cancelOrder(orderId: string, ticker: string): Promise<CancelOrderResult> {
    return this.call("cancelOrder", "DELETE /portfolio/events/orders/{order_id}", () =>
      S.cancelOrderResultFromWire(
        this.wire(S.CancelOrderResponse, this.cancelOne("cancelOrder", orderId, ticker)),
      ),
    );
  }

  cancelOrders(items: OrderRef[]): Promise<BatchCancelItemResult[]> {
    return this.call("cancelOrders", "DELETE /portfolio/events/orders/batched", () => {
      for (const it of items) requireRef(it);
      const orders = items.map((it) => {
        try {
          return this.cancelOne("cancelOrders", it.orderId, it.ticker);
        } catch (e) {
          if (!(e instanceof SimError)) throw e;
          return {
            order_id: it.orderId,
            reduced_by: "0.00",
            error: { code: e.code, message: e.message, details: e.details ?? null },
          };
        }
      });
      return S.batchCancelFromWire(this.wire(S.BatchCancelOrdersResponse, { orders }), this.now());
    });
  }

  cancelAllOrders(): Promise<void> {
    return this.call("cancelAllOrders", "DELETE /portfolio/events/orders", () => {
      this.engine.cancelAll(USER);
    });
  }

  amendOrder(req: AmendOrderRequest): Promise<AmendOrderResult> {
    return this.call("amendOrder", "POST /portfolio/events/orders/{order_id}/amend", () => {
      const body = KalshiClient.amendOrderBody(req);
      const a = parseAmend(JSON.parse(JSON.stringify(body)) as Json);
      const o = this.routedWrite("amendOrder", req.orderId, req.ticker);
      if (a.side !== o.side)
        throw new SimError(400, "invalid_parameters", "invalid parameters", "side does not match");
      if (a.clientOrderId !== undefined && a.clientOrderId !== o.clientOrderId) {
        throw new SimError(400, "invalid_parameters", "invalid parameters", "client_order_id does not match");
      }
      const r = this.engine.amendOrder(USER, o.orderId, {
        price: a.price,
        count: a.count,
        expirationTs: a.expirationTs,
        updatedClientOrderId: a.updatedClientOrderId,
      });
      return S.amendOrderResultFromWire(this.wire(S.AmendOrderResponse, amendResponseToWire(r)));
    });
  }

  decreaseOrder(req: DecreaseOrderRequest): Promise<DecreaseOrderResult> {
    return this.call("decreaseOrder", "POST /portfolio/events/orders/{order_id}/decrease", () => {
      const body = KalshiClient.decreaseOrderBody(req);
      const o = this.routedWrite("decreaseOrder", req.orderId, req.ticker);
      if (o.status !== "resting") {
        throw new SimError(404, "not_found", "order not found", `order ${o.orderId} is already ${o.status}`);
      }
      const r = this.engine.decreaseOrder(USER, o.orderId, parseDecrease(body, o));
      return S.decreaseOrderResultFromWire(
        this.wire(S.DecreaseOrderResponse, {
          order_id: r.orderId,
          client_order_id: r.clientOrderId,
          remaining_count: formatCount(r.remaining),
          ts_ms: this.engine.now(),
        }),
      );
    });
  }

  getOrder(orderId: string): Promise<Order> {
    return this.call("getOrder", "GET /portfolio/orders/{order_id}", () => {
      const o = this.engine.order(orderId);
      if (!o || o.accountId !== USER) throw new SimError(404, "not_found", "order not found");
      return this.orderOut(o);
    });
  }

  /** The sim's answer per batch of 100 markets, as the adapter sends them; no tickers, no request. */
  getQueuePositions(tickers: string[]): Promise<Map<string, Centis>> {
    const unique = [...new Set(tickers.filter(Boolean))];
    return this.call(
      "getQueuePositions",
      "GET /portfolio/orders/queue_positions",
      () => {
        const out = new Map<string, Centis>();
        for (let i = 0; i < unique.length; i += QUEUE_TICKERS_PER_REQUEST) {
          const group = unique.slice(i, i + QUEUE_TICKERS_PER_REQUEST).join(",");
          const w = this.wire(
            S.QueuePositionsResponse,
            queuePositionsToWire(this.engine, query({ market_tickers: group })),
          );
          for (const q of w.queue_positions ?? []) out.set(q.order_id, q.queue_position_fp);
        }
        return out;
      },
      () => Math.ceil(unique.length / QUEUE_TICKERS_PER_REQUEST),
    );
  }

  getOrders(filter: OrdersFilter = {}): Promise<Order[]> {
    return this.call("getOrders", "GET /portfolio/orders", () =>
      this.userOrders(false, filter).map((o) => this.orderOut(o)),
    );
  }

  getHistoricalOrders(filter: OrdersFilter = {}): Promise<Order[]> {
    return this.call("getHistoricalOrders", "GET /historical/orders", () =>
      this.userOrders(true, filter).map((o) => this.orderOut(o)),
    );
  }

  getFills(filter: FillsFilter = {}): Promise<Fill[]> {
    return this.call("getFills", "GET /portfolio/fills", () => this.userFills(false, filter), pages1000);
  }

  getHistoricalFills(filter: FillsFilter = {}): Promise<Fill[]> {
    return this.call(
      "getHistoricalFills",
      "GET /historical/fills",
      () => this.userFills(true, filter),
      pages1000,
    );
  }

  getSettlements(filter: SettlementsFilter = {}): Promise<Settlement[]> {
    return this.call("getSettlements", "GET /portfolio/settlements", () =>
      this.engine.state.settlements
        .filter((s) => s.accountId === USER)
        .filter(
          (s) =>
            (!filter.ticker || s.ticker === filter.ticker) &&
            (!filter.eventTicker || s.eventTicker === filter.eventTicker),
        )
        .filter((s) => inRange(s.settledTime, filter))
        .reverse()
        .map((s) =>
          S.settlementFromWire(
            this.wire(S.SettlementsResponse, { settlements: [settlementToWire(this.engine, s)] })
              .settlements![0]!,
          ),
        ),
    );
  }

  getHistoricalCutoff(): Promise<HistoricalCutoff> {
    return this.call("getHistoricalCutoff", "GET /historical/cutoff", () => {
      const c = iso(this.engine.historicalCutoff());
      return S.historicalCutoffFromWire(
        this.wire(S.HistoricalCutoffResponse, {
          market_settled_ts: c,
          trades_created_ts: c,
          orders_updated_ts: c,
          market_positions_last_updated_ts: c,
        }),
      );
    });
  }

  async close(): Promise<void> {
    this.calls.close = (this.calls.close ?? 0) + 1;
  }

  /** Follows `cursor` like the adapter. */
  private pages<I>(
    page: (cursor: string | undefined) => { items: I[]; cursor: string | null | undefined },
  ): I[] {
    const out: I[] = [];
    let cursor: string | undefined;
    for (;;) {
      const p = page(cursor);
      out.push(...p.items);
      if (!p.cursor) return out;
      cursor = p.cursor;
    }
  }
}

/** Requests for a list read a page of 1000 at a time. */
const pages1000 = (items: unknown[]): number => Math.max(1, Math.ceil(items.length / 1000));

/** Requests for tickers sent `per` to a request (one when not by tickers). */
function batches(tickers: string[] | undefined, per: number): () => number {
  return () => (tickers === undefined ? 1 : Math.max(1, Math.ceil(new Set(tickers).size / per)));
}

function query(q: Record<string, string | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") out.set(k, v);
  return out;
}

function inRange(t: number, r: { minTs?: number; maxTs?: number }): boolean {
  return (r.minTs === undefined || t >= r.minTs) && (r.maxTs === undefined || t <= r.maxTs);
}
