/**
 * An in-memory ExchangePort that behaves like Kalshi where the app can notice:
 * - orders match against the bids-only book (a bid at p takes NO bids at ≥ 1 − p, an ask at p takes YES bids ≥ p),
 *   at the resting price, taker fee from the quadratic schedule; IOC remainders are canceled, GTC remainders rest;
 * - client_order_id is strict, the least forgiving reading of Kalshi: a create whose id matches a RESTING
 *   order is refused (409), one whose id matches a finished order is a new order;
 * - reduce_only only with immediate_or_cancel (else 400), and caps the order at the position; balance
 *   and signed positions move with fills;
 * - every write naming an order (cancel, amend, decrease, batch cancel) must name the order's market:
 *   a wrong or missing ticker is a 404, as on Kalshi for an order on another shard;
 * - fills and orders older than the historical cutoff are only in getHistoricalFills / getHistoricalOrders;
 * - unknown tickers and order ids throw FakeExchangeError { status: 404, code: "not_found" };
 * - a settlement's `fee` is Kalshi's `fee_cost`: the total of the trading fees paid in that market (each
 *   already left the balance with its fill), not a charge for settling.
 *
 * Seed it with the helpers (amounts as decimal strings, never floats), count calls with `calls` / `requests`,
 * add per-request latency with `latencyMs`.
 */
import { estimateFee } from "../../src/domain/fees.js";
import {
  type Centis,
  type Micros,
  MICROS_PER_DOLLAR,
  centsToMicros,
  complementPrice,
  contracts,
  micros,
  mulPriceCount,
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
  DecreaseOrderRequest,
  DecreaseOrderResult,
  EndpointCosts,
  OrderRef,
  CreateOrderRequest,
  CreateOrderResult,
  EventInfo,
  EventsPage,
  EventsPageFilter,
  EventsFilter,
  ExchangePort,
  ExchangeStatus,
  Fill,
  FillsFilter,
  HistoricalCutoff,
  Market,
  MarketsFilter,
  Order,
  Orderbook,
  OrderbookLevel,
  OrdersFilter,
  Position,
  SeriesInfo,
  Settlement,
  SettlementsFilter,
} from "../../src/exchange/port.js";

export class FakeExchangeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "FakeExchangeError";
  }
}

type Method = keyof ExchangePort;

export type Amount = string | Micros;
const $ = (a: Amount): Micros => (typeof a === "string" ? parseDollars(a) : a);
const n = (a: string | number | Centis): Centis =>
  typeof a === "string" ? parseCount(a) : (contracts(a as number) as Centis);

export interface MarketSeed extends Partial<
  Omit<Market, "yesBid" | "yesAsk" | "noBid" | "noAsk" | "lastPrice">
> {
  ticker: string;
  yesBid?: Amount | null;
  yesAsk?: Amount | null;
  lastPrice?: Amount | null;
}

/** Book levels as [price "0.55", whole contracts or count string]. */
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

export interface FakeExchangeOptions {
  now?: () => number;
  /** Delay per simulated HTTP request. */
  latencyMs?: number;
  /** Tickers per batched request (getMarkets({tickers}) and getOrderbooks). */
  batchSize?: number;
}

const DEFAULT_RANGES = [{ start: micros(0), end: micros(MICROS_PER_DOLLAR), step: micros(10_000) }];

export class FakeExchange implements ExchangePort {
  readonly markets = new Map<string, Market>();
  readonly books = new Map<string, { yesBids: OrderbookLevel[]; noBids: OrderbookLevel[] }>();
  readonly positions = new Map<string, Position>();
  readonly orders: Order[] = [];
  readonly fills: Fill[] = [];
  readonly settlements: Settlement[] = [];
  readonly events = new Map<string, EventInfo>();
  readonly series = new Map<string, SeriesInfo>();
  readonly createRequests: CreateOrderRequest[] = [];
  /** Method calls, by method name. */
  readonly calls: Record<string, number> = {};
  /** Simulated HTTP requests (batched methods count one per batch). */
  requests = 0;
  balance: Micros = parseDollars("1000");
  cutoff: HistoricalCutoff = { marketSettledTs: 0, tradesCreatedTs: 0, ordersUpdatedTs: 0 };
  latencyMs: number;
  batchSize: number;
  now: () => number;
  /** Next error to throw from a method (once). */
  private failures = new Map<Method, Error>();
  private seq = 0;
  /** Every write naming an order, as sent (for routing assertions). */
  readonly orderWrites: { method: string; orderId: string; ticker: string }[] = [];
  /** `GET /api_keys`'s region attestation expiry (epoch ms), null = never attested. */
  regionExpiration: number | null = null;

  constructor(opts: FakeExchangeOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.latencyMs = opts.latencyMs ?? 0;
    this.batchSize = opts.batchSize ?? 100;
  }

  // ---------- seeding ----------

  addMarket(seed: MarketSeed): Market {
    const eventTicker = seed.eventTicker ?? seed.ticker.split("-").slice(0, 2).join("-");
    const m: Market = {
      marketType: "binary",
      title: `Market ${seed.ticker}`,
      yesSubTitle: "",
      noSubTitle: "",
      status: "active",
      openTime: null,
      closeTime: null,
      volume: 0 as Centis,
      volume24h: 0 as Centis,
      openInterest: 0 as Centis,
      priceLevelStructure: "linear_cent",
      priceRanges: DEFAULT_RANGES,
      result: "",
      settlementValue: null,
      rulesPrimary: "",
      rulesSecondary: "",
      ...seed,
      eventTicker,
      yesBid: seed.yesBid == null ? null : $(seed.yesBid),
      yesAsk: seed.yesAsk == null ? null : $(seed.yesAsk),
      noBid: seed.yesAsk == null ? null : complementPrice($(seed.yesAsk)),
      noAsk: seed.yesBid == null ? null : complementPrice($(seed.yesBid)),
      lastPrice: seed.lastPrice == null ? null : $(seed.lastPrice),
    };
    this.markets.set(m.ticker, m);
    if (!this.books.has(m.ticker)) this.books.set(m.ticker, { yesBids: [], noBids: [] });
    return m;
  }

  /** Sets the bids-only book and keeps the market's best prices in step. */
  setBook(ticker: string, book: { yes?: LevelSeed[]; no?: LevelSeed[] }): void {
    const lv = (ls: LevelSeed[] = []) =>
      ls.map(([p, c]) => ({ price: $(p), count: n(c) })).sort((a, b) => b.price - a.price);
    this.books.set(ticker, { yesBids: lv(book.yes), noBids: lv(book.no) });
    this.syncMarketPrices(ticker);
  }

  private syncMarketPrices(ticker: string): void {
    const m = this.markets.get(ticker);
    const b = this.books.get(ticker);
    if (!m || !b) return;
    const yb = b.yesBids.find((l) => l.count > 0)?.price ?? null;
    const nb = b.noBids.find((l) => l.count > 0)?.price ?? null;
    m.yesBid = yb;
    m.noBid = nb;
    m.yesAsk = nb === null ? null : complementPrice(nb);
    m.noAsk = yb === null ? null : complementPrice(yb);
  }

  setBalance(dollars: Amount): void {
    this.balance = $(dollars);
  }

  /** Signed position in contracts: +YES, −NO. */
  setPosition(ticker: string, signed: number | string, exposure?: Amount): void {
    const pos = typeof signed === "string" ? parseCount(signed) : contracts(signed);
    this.positions.set(ticker, {
      ticker,
      position: pos,
      marketExposure: exposure === undefined ? micros(0) : $(exposure),
      realizedPnl: micros(0),
      totalTraded: micros(0),
      feesPaid: micros(0),
      lastUpdatedTs: this.now(),
    });
  }

  addFill(f: FillSeed): Fill {
    const yes = $(f.yesPrice);
    const fill: Fill = {
      fillId: f.fillId ?? `fill-${++this.seq}`,
      tradeId: "",
      orderId: f.orderId ?? `ext-order-${this.seq}`,
      ticker: f.ticker,
      outcomeSide: f.side === "bid" ? "yes" : "no",
      bookSide: f.side,
      count: n(f.count),
      yesPrice: yes,
      noPrice: complementPrice(yes),
      isTaker: f.isTaker ?? true,
      fee: f.fee === undefined ? micros(0) : $(f.fee),
      createdTime: f.time,
    };
    fill.tradeId = fill.fillId;
    this.fills.push(fill);
    return fill;
  }

  /** Kalshi's settlement `fee_cost`: the trading fees of every fill in `ticker` up to `upTo`. */
  feesPaidIn(ticker: string, upTo = Infinity): Micros {
    let sum = 0;
    for (const f of this.fills) if (f.ticker === ticker && f.createdTime <= upTo) sum += f.fee;
    return micros(sum);
  }

  /** A settlement row; `fee` defaults to the fees of the market's fills up to `settledTime`, as Kalshi's. */
  addSettlement(
    s: Partial<Settlement> & {
      ticker: string;
      marketResult: Settlement["marketResult"];
      settledTime: number;
    },
  ): Settlement {
    const full: Settlement = {
      eventTicker: s.ticker.split("-").slice(0, 2).join("-"),
      yesCount: 0 as Centis,
      noCount: 0 as Centis,
      yesTotalCost: micros(0),
      noTotalCost: micros(0),
      revenue: micros(0),
      fee: this.feesPaidIn(s.ticker, s.settledTime),
      value: null,
      ...s,
    };
    this.settlements.push(full);
    return full;
  }

  /**
   * Settles a market: result, payout to the holder, position cleared, a Settlement row whose `fee` is the
   * fees paid in the market (settling itself is free; the balance gets the revenue only).
   */
  settle(ticker: string, result: "yes" | "no", time = this.now()): Settlement {
    const m = this.markets.get(ticker);
    if (m) {
      m.status = "finalized";
      m.result = result;
      m.settlementValue = result === "yes" ? micros(MICROS_PER_DOLLAR) : micros(0);
    }
    const pos = this.positions.get(ticker)?.position ?? 0;
    const yesCount = (pos > 0 ? pos : 0) as Centis;
    const noCount = (pos < 0 ? -pos : 0) as Centis;
    const won = result === "yes" ? yesCount : noCount;
    const revenue = mulPriceCount(micros(MICROS_PER_DOLLAR), won);
    this.balance = micros(this.balance + revenue);
    this.positions.delete(ticker);
    return this.addSettlement({
      ticker,
      marketResult: result,
      yesCount,
      noCount,
      revenue: centsToMicros(Math.round(revenue / 10_000)),
      settledTime: time,
      value: result === "yes" ? micros(MICROS_PER_DOLLAR) : micros(0),
    });
  }

  setSeries(eventTicker: string, info: Partial<SeriesInfo> & { ticker: string }): void {
    this.events.set(eventTicker, {
      eventTicker,
      seriesTicker: info.ticker,
      title: eventTicker,
      subTitle: "",
      category: "",
    });
    this.series.set(info.ticker, {
      title: info.ticker,
      category: "",
      feeType: "quadratic",
      feeMultiplier: 1,
      ...info,
    });
  }

  /**
   * Someone trades against one of our resting orders: fills `count` centi-contracts (default: all that rests)
   * at the order's price as maker (no fee unless given), moving position, balance and the order.
   */
  fillResting(orderId: string, count?: Centis, fee: Amount = micros(0)): Fill {
    const o = this.orders.find((x) => x.orderId === orderId);
    if (!o || o.status !== "resting") throw new Error(`fake: order ${orderId} is not resting`);
    const take = Math.min(count ?? o.remainingCount, o.remainingCount) as Centis;
    const feeM = $(fee);
    this.applyFill(o.ticker, o.bookSide, o.yesPrice, take, feeM);
    o.fillCount = (o.fillCount + take) as Centis;
    o.remainingCount = (o.remainingCount - take) as Centis;
    o.makerFillCost = micros(
      o.makerFillCost + mulPriceCount(o.bookSide === "bid" ? o.yesPrice : o.noPrice, take),
    );
    o.makerFees = micros(o.makerFees + feeM);
    o.lastUpdateTime = this.now();
    if (o.remainingCount === 0) o.status = "executed";
    const f = this.addFill({
      ticker: o.ticker,
      side: o.bookSide,
      yesPrice: o.yesPrice,
      count: 0,
      fee: feeM,
      time: this.now(),
      orderId,
      isTaker: false,
    });
    f.count = take;
    return f;
  }

  /** The next call of `method` throws `err` (once). */
  failNext(method: Method, err: Error): void {
    this.failures.set(method, err);
  }

  resetCalls(): void {
    for (const k of Object.keys(this.calls)) delete this.calls[k];
    this.requests = 0;
  }

  // ---------- plumbing ----------

  private async enter(method: Method, requests = 1): Promise<void> {
    this.calls[method] = (this.calls[method] ?? 0) + 1;
    this.requests += requests;
    for (let i = 0; i < requests && this.latencyMs > 0; i++) {
      await new Promise((r) => setTimeout(r, this.latencyMs));
    }
    const err = this.failures.get(method);
    if (err) {
      this.failures.delete(method);
      throw err;
    }
  }

  private market(ticker: string): Market {
    const m = this.markets.get(ticker);
    if (!m) throw new FakeExchangeError(404, "not_found", `market ${ticker} not found`);
    return m;
  }

  private inRange(t: number | null, f: { minTs?: number; maxTs?: number }): boolean {
    if (t === null) return f.minTs === undefined && f.maxTs === undefined;
    return (f.minTs === undefined || t >= f.minTs) && (f.maxTs === undefined || t <= f.maxTs);
  }

  // ---------- ExchangePort ----------

  async getExchangeStatus(): Promise<ExchangeStatus> {
    await this.enter("getExchangeStatus");
    return { exchangeActive: true, tradingActive: true };
  }

  async getAccountLimits(): Promise<AccountLimits> {
    await this.enter("getAccountLimits");
    return {
      usageTier: "basic",
      read: { refillRate: 200, bucketCapacity: 200 },
      write: { refillRate: 100, bucketCapacity: 100 },
    };
  }

  async getBalance(): Promise<Balance> {
    await this.enter("getBalance");
    let value = 0;
    for (const p of this.positions.values()) {
      const m = this.markets.get(p.ticker);
      const last = m?.lastPrice ?? null;
      if (last !== null)
        value += mulPriceCount(p.position > 0 ? last : complementPrice(last), Math.abs(p.position) as Centis);
    }
    return {
      balance: this.balance,
      portfolioValue: micros(value),
      updatedTs: this.now(),
      byShard: [{ exchangeIndex: 0, balance: this.balance }],
    };
  }

  async getPositions(
    filter: { ticker?: string; eventTicker?: string; all?: boolean } = {},
  ): Promise<Position[]> {
    const list = [...this.positions.values()].filter(
      (p) =>
        (filter.all || p.position !== 0) &&
        (!filter.ticker || p.ticker === filter.ticker) &&
        (!filter.eventTicker || this.markets.get(p.ticker)?.eventTicker === filter.eventTicker),
    );
    await this.enter("getPositions", Math.max(1, Math.ceil(list.length / 1000)));
    return list.map((p) => ({ ...p }));
  }

  async getMarkets(filter: MarketsFilter = {}): Promise<Market[]> {
    const batches = filter.tickers ? Math.max(1, Math.ceil(filter.tickers.length / this.batchSize)) : 1;
    await this.enter("getMarkets", batches);
    const want = filter.tickers ? new Set(filter.tickers) : null;
    const openish: Record<string, Market["status"][]> = {
      open: ["active"],
      unopened: ["initialized"],
      paused: ["inactive"],
      closed: ["closed"],
      settled: ["determined", "finalized", "amended"],
    };
    let out = [...this.markets.values()].filter(
      (m) =>
        (!want || want.has(m.ticker)) &&
        (!filter.status || openish[filter.status]?.includes(m.status)) &&
        (!filter.eventTicker || m.eventTicker === filter.eventTicker),
    );
    if (filter.max !== undefined) out = out.slice(0, filter.max);
    return out.map((m) => ({ ...m }));
  }

  async getMarket(ticker: string): Promise<Market> {
    await this.enter("getMarket");
    return { ...this.market(ticker) };
  }

  async getOrderbook(ticker: string): Promise<Orderbook> {
    await this.enter("getOrderbook");
    this.market(ticker);
    const b = this.books.get(ticker) ?? { yesBids: [], noBids: [] };
    return { ticker, yesBids: b.yesBids.map((l) => ({ ...l })), noBids: b.noBids.map((l) => ({ ...l })) };
  }

  async getOrderbooks(tickers: string[]): Promise<Map<string, Orderbook>> {
    await this.enter("getOrderbooks", Math.max(1, Math.ceil(tickers.length / this.batchSize)));
    const out = new Map<string, Orderbook>();
    for (const t of tickers) {
      const b = this.books.get(t);
      if (b)
        out.set(t, {
          ticker: t,
          yesBids: b.yesBids.map((l) => ({ ...l })),
          noBids: b.noBids.map((l) => ({ ...l })),
        });
    }
    return out;
  }

  async getEvents(filter: EventsFilter = {}): Promise<EventInfo[]> {
    await this.enter("getEvents");
    return [...this.events.values()].filter(
      (e) => !filter.seriesTicker || e.seriesTicker === filter.seriesTicker,
    );
  }

  async getEvent(eventTicker: string): Promise<EventInfo> {
    await this.enter("getEvent");
    const e = this.events.get(eventTicker);
    if (!e) throw new FakeExchangeError(404, "not_found", `event ${eventTicker} not found`);
    return { ...e };
  }

  async getSeries(seriesTicker: string): Promise<SeriesInfo> {
    await this.enter("getSeries");
    const s = this.series.get(seriesTicker);
    if (!s) throw new FakeExchangeError(404, "not_found", `series ${seriesTicker} not found`);
    return { ...s };
  }

  async createOrder(req: CreateOrderRequest): Promise<CreateOrderResult> {
    await this.enter("createOrder");
    this.createRequests.push({ ...req });
    if (this.orders.some((o) => o.clientOrderId === req.clientOrderId && o.status === "resting")) {
      throw new FakeExchangeError(409, "order_already_exists", "an open order has this client_order_id");
    }
    if (req.reduceOnly && req.timeInForce !== "immediate_or_cancel") {
      throw new FakeExchangeError(400, "invalid_order", "reduce_only requires immediate_or_cancel");
    }
    const m = this.market(req.ticker);
    if (m.status !== "active" || (m.closeTime !== null && m.closeTime <= this.now())) {
      throw new FakeExchangeError(409, "market_closed", "market closed");
    }
    const onGrid = m.priceRanges.some(
      (r) => req.price >= r.start && req.price <= r.end && (req.price - r.start) % r.step === 0,
    );
    if (!onGrid || req.price <= 0 || req.price >= MICROS_PER_DOLLAR) {
      throw new FakeExchangeError(400, "invalid_price", "invalid price");
    }
    if (req.count <= 0) throw new FakeExchangeError(400, "invalid_order", "invalid count");
    const pos = this.positions.get(req.ticker)?.position ?? 0;
    let count = req.count as number;
    if (req.reduceOnly) {
      const reducible = req.side === "ask" ? Math.max(pos, 0) : Math.max(-pos, 0);
      count = Math.min(count, reducible);
    }
    // Cost check for the opening part at the limit, like Kalshi (and the sim): a bid first closes NO
    // held and an ask first closes YES held, which needs no cash.
    const closable = req.side === "bid" ? Math.max(-pos, 0) : Math.max(pos, 0);
    const openCount = Math.max(count - closable, 0) as Centis;
    const worstCost =
      req.side === "bid"
        ? mulPriceCount(req.price, openCount)
        : mulPriceCount(complementPrice(req.price), openCount);
    if (!req.reduceOnly && worstCost > this.balance) {
      throw new FakeExchangeError(400, "insufficient_balance", "insufficient balance");
    }
    const orderId = `order-${++this.seq}`;
    const book = this.books.get(req.ticker) ?? { yesBids: [], noBids: [] };
    const opposite = req.side === "bid" ? book.noBids : book.yesBids;
    let left = count;
    let filled = 0;
    let costYes = 0n;
    let fees = 0;
    for (const level of opposite) {
      if (left <= 0) break;
      const yesPx = req.side === "bid" ? complementPrice(level.price) : level.price;
      const ok = req.side === "bid" ? yesPx <= req.price : yesPx >= req.price;
      if (!ok || level.count <= 0) continue;
      const take = Math.min(left, level.count);
      level.count = (level.count - take) as Centis;
      left -= take;
      filled += take;
      costYes += BigInt(yesPx) * BigInt(take);
      const fee = estimateFee({ price: yesPx, count: take as Centis, role: "taker" });
      fees += fee;
      this.applyFill(req.ticker, req.side, yesPx, take as Centis, fee);
      const f = this.addFill({
        ticker: req.ticker,
        side: req.side,
        yesPrice: yesPx,
        count: 0,
        fee: micros(fee),
        time: this.now(),
        orderId,
        isTaker: true,
      });
      f.count = take as Centis;
    }
    for (const side of [book.yesBids, book.noBids]) {
      for (let i = side.length - 1; i >= 0; i--) if (side[i]!.count <= 0) side.splice(i, 1);
    }
    this.syncMarketPrices(req.ticker);
    const ioc = req.timeInForce !== "good_till_canceled";
    const remaining = ioc ? 0 : left;
    const status: Order["status"] =
      remaining > 0 ? "resting" : filled > 0 && filled === count ? "executed" : "canceled";
    const avg = filled > 0 ? micros(Number((costYes + BigInt(filled) / 2n) / BigInt(filled))) : null;
    this.orders.push({
      orderId,
      clientOrderId: req.clientOrderId,
      ticker: req.ticker,
      outcomeSide: req.side === "bid" ? "yes" : "no",
      bookSide: req.side,
      status,
      yesPrice: req.price,
      noPrice: complementPrice(req.price),
      fillCount: filled as Centis,
      remainingCount: remaining as Centis,
      initialCount: req.count,
      takerFillCost: micros(Number(costYes / 100n)),
      makerFillCost: micros(0),
      takerFees: micros(fees),
      makerFees: micros(0),
      createdTime: this.now(),
      lastUpdateTime: this.now(),
      expirationTime: req.expirationTime ?? null,
    });
    return {
      orderId,
      clientOrderId: req.clientOrderId,
      fillCount: filled as Centis,
      remainingCount: remaining as Centis,
      averageFillPrice: avg,
      averageFeePaid: filled > 0 ? micros(Math.round((fees * 100) / filled)) : null,
      tsMs: this.now(),
    };
  }

  /** Moves position and cash for one fill of ours (signed YES position; crossing zero splits). */
  private applyFill(ticker: string, side: "bid" | "ask", yesPx: Micros, count: Centis, fee: number): void {
    const p = this.positions.get(ticker) ?? {
      ticker,
      position: 0 as Centis,
      marketExposure: micros(0),
      realizedPnl: micros(0),
      totalTraded: micros(0),
      feesPaid: micros(0),
      lastUpdatedTs: null,
    };
    const before = p.position as number;
    const delta = side === "bid" ? count : -count;
    // Closing part: pairs redeem at $1, so closing NO with a bid returns 1 − p; closing YES with an ask returns p.
    const closing =
      side === "bid" ? Math.min(count, Math.max(-before, 0)) : Math.min(count, Math.max(before, 0));
    const opening = count - closing;
    const closeCash = mulPriceCount(side === "bid" ? complementPrice(yesPx) : yesPx, closing as Centis);
    const openCash = mulPriceCount(side === "bid" ? yesPx : complementPrice(yesPx), opening as Centis);
    this.balance = micros(this.balance + closeCash - openCash - fee);
    p.position = (before + delta) as Centis;
    p.feesPaid = micros(p.feesPaid + fee);
    p.totalTraded = micros(p.totalTraded + closeCash + openCash);
    p.lastUpdatedTs = this.now();
    this.positions.set(ticker, p);
  }

  /** The order `orderId` routed by `ticker`; a wrong or missing ticker is Kalshi's 404 (wrong shard). */
  private routed(method: string, orderId: string, ticker: string): Order {
    this.orderWrites.push({ method, orderId, ticker });
    const o = this.orders.find((x) => x.orderId === orderId);
    if (!o || !ticker || o.ticker !== ticker) {
      throw new FakeExchangeError(404, "not_found", `order ${orderId} not found`);
    }
    return o;
  }

  private cancelRouted(method: string, orderId: string, ticker: string): CancelOrderResult {
    const o = this.routed(method, orderId, ticker);
    const reducedBy = o.status === "resting" ? o.remainingCount : (0 as Centis);
    if (o.status === "resting") {
      o.status = "canceled";
      o.remainingCount = 0 as Centis;
      o.lastUpdateTime = this.now();
    }
    return { orderId, clientOrderId: o.clientOrderId, reducedBy, tsMs: this.now() };
  }

  async cancelOrder(orderId: string, ticker: string): Promise<CancelOrderResult> {
    await this.enter("cancelOrder");
    return this.cancelRouted("cancelOrder", orderId, ticker);
  }

  async cancelOrders(items: OrderRef[]): Promise<BatchCancelItemResult[]> {
    await this.enter("cancelOrders");
    return items.map((it): BatchCancelItemResult => {
      try {
        return { ok: true, ...this.cancelRouted("cancelOrders", it.orderId, it.ticker) };
      } catch (e) {
        const err = e as FakeExchangeError;
        return {
          ok: false,
          orderId: it.orderId,
          error: { code: err.code, message: err.message, details: null },
        };
      }
    });
  }

  async cancelAllOrders(): Promise<void> {
    await this.enter("cancelAllOrders");
    for (const o of this.orders) {
      if (o.status !== "resting") continue;
      o.status = "canceled";
      o.remainingCount = 0 as Centis;
      o.lastUpdateTime = this.now();
    }
  }

  /** Price and total count; the resting part becomes count − filled (crossing is not simulated). */
  async amendOrder(req: AmendOrderRequest): Promise<AmendOrderResult> {
    await this.enter("amendOrder");
    const o = this.routed("amendOrder", req.orderId, req.ticker);
    if (o.status !== "resting")
      throw new FakeExchangeError(404, "not_found", `order ${req.orderId} is not resting`);
    if (req.side !== o.bookSide || req.count <= o.fillCount) {
      throw new FakeExchangeError(400, "invalid_parameters", "invalid amend");
    }
    o.yesPrice = req.price;
    o.noPrice = complementPrice(req.price);
    o.initialCount = req.count;
    o.remainingCount = (req.count - o.fillCount) as Centis;
    if (req.updatedClientOrderId) o.clientOrderId = req.updatedClientOrderId;
    o.lastUpdateTime = this.now();
    return {
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      remainingCount: o.remainingCount,
      fillCount: null,
      averageFillPrice: null,
      averageFeePaid: null,
      tsMs: this.now(),
    };
  }

  async decreaseOrder(req: DecreaseOrderRequest): Promise<DecreaseOrderResult> {
    await this.enter("decreaseOrder");
    if ((req.reduceBy === undefined) === (req.reduceTo === undefined)) {
      throw new FakeExchangeError(400, "invalid_parameters", "exactly one of reduce_by or reduce_to");
    }
    const o = this.routed("decreaseOrder", req.orderId, req.ticker);
    if (o.status !== "resting")
      throw new FakeExchangeError(404, "not_found", `order ${req.orderId} is not resting`);
    const to = req.reduceTo ?? Math.max(0, o.remainingCount - (req.reduceBy ?? 0));
    if (to < 0 || to > o.remainingCount)
      throw new FakeExchangeError(400, "invalid_parameters", "invalid decrease");
    o.initialCount = (o.initialCount - (o.remainingCount - to)) as Centis;
    o.remainingCount = to as Centis;
    if (to === 0) o.status = "canceled";
    o.lastUpdateTime = this.now();
    return {
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      remainingCount: o.remainingCount,
      tsMs: this.now(),
    };
  }

  async getEndpointCosts(): Promise<EndpointCosts> {
    await this.enter("getEndpointCosts");
    return {
      defaultCost: 10,
      endpoints: [
        { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders/{order_id}", cost: 2 },
        { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders/batched", cost: 2 },
      ],
    };
  }

  async getApiKeys(): Promise<ApiKeys> {
    await this.enter("getApiKeys");
    return {
      keys: [{ apiKeyId: "key-1", name: "bot", scopes: ["read", "write"], subaccount: null }],
      regionExpiration: this.regionExpiration,
    };
  }

  async getOrder(orderId: string): Promise<Order> {
    await this.enter("getOrder");
    const o = this.orders.find((x) => x.orderId === orderId);
    if (!o) throw new FakeExchangeError(404, "not_found", `order ${orderId} not found`);
    return { ...o };
  }

  private orderIsHistorical(o: Order): boolean {
    return o.status !== "resting" && (o.lastUpdateTime ?? 0) < this.cutoff.ordersUpdatedTs;
  }

  async getOrders(filter: OrdersFilter = {}): Promise<Order[]> {
    await this.enter("getOrders");
    return this.orders
      .filter(
        (o) =>
          !this.orderIsHistorical(o) &&
          (!filter.ticker || o.ticker === filter.ticker) &&
          (!filter.status || o.status === filter.status) &&
          this.inRange(o.createdTime, filter),
      )
      .map((o) => ({ ...o }));
  }

  async getHistoricalOrders(filter: OrdersFilter = {}): Promise<Order[]> {
    await this.enter("getHistoricalOrders");
    return this.orders
      .filter(
        (o) =>
          this.orderIsHistorical(o) &&
          (!filter.ticker || o.ticker === filter.ticker) &&
          (!filter.status || o.status === filter.status) &&
          this.inRange(o.createdTime, filter),
      )
      .map((o) => ({ ...o }));
  }

  private fillsWhere(filter: FillsFilter, historical: boolean): Fill[] {
    return this.fills
      .filter(
        (f) =>
          f.createdTime < this.cutoff.tradesCreatedTs === historical &&
          (!filter.ticker || f.ticker === filter.ticker) &&
          (!filter.orderId || f.orderId === filter.orderId) &&
          this.inRange(f.createdTime, filter),
      )
      .sort((a, b) => b.createdTime - a.createdTime) // newest first, like Kalshi
      .map((f) => ({ ...f }));
  }

  async getFills(filter: FillsFilter = {}): Promise<Fill[]> {
    const out = this.fillsWhere(filter, false);
    await this.enter("getFills", Math.max(1, Math.ceil(out.length / 1000)));
    return out;
  }

  async getHistoricalFills(filter: FillsFilter = {}): Promise<Fill[]> {
    const out = this.fillsWhere(filter, true);
    await this.enter("getHistoricalFills", Math.max(1, Math.ceil(out.length / 1000)));
    return out;
  }

  async getSettlements(filter: SettlementsFilter = {}): Promise<Settlement[]> {
    await this.enter("getSettlements");
    return this.settlements
      .filter(
        (s) =>
          (!filter.ticker || s.ticker === filter.ticker) &&
          (!filter.eventTicker || s.eventTicker === filter.eventTicker) &&
          this.inRange(s.settledTime, filter),
      )
      .map((s) => ({ ...s }));
  }

  async getHistoricalCutoff(): Promise<HistoricalCutoff> {
    await this.enter("getHistoricalCutoff");
    return { ...this.cutoff };
  }

  async close(): Promise<void> {
    this.calls.close = (this.calls.close ?? 0) + 1;
  }

  async getEventsPage(filter: EventsPageFilter): Promise<EventsPage> {
    await this.enter("getEventsPage");
    const marketsOf = (e: EventInfo) =>
      [...this.markets.values()].filter((m) => m.eventTicker === e.eventTicker);
    // Markets added without an event get one made up from their first market.
    const events = new Map(this.events);
    for (const m of this.markets.values())
      if (!events.has(m.eventTicker) && !m.eventTicker.startsWith("KXMVE"))
        events.set(m.eventTicker, {
          eventTicker: m.eventTicker,
          seriesTicker: m.eventTicker.split("-")[0] ?? m.eventTicker,
          title: m.title,
          subTitle: "",
          category: "",
        });
    const all = [...events.values()].filter((e) => {
      const ms = marketsOf(e);
      const open = ms.some((m) => m.status === "active");
      return (
        (!filter.seriesTicker || e.seriesTicker === filter.seriesTicker) &&
        (filter.status !== "open" || open) &&
        (filter.minUpdatedTs === undefined || (e.lastUpdatedTs ?? 0) > filter.minUpdatedTs) &&
        (filter.minCloseTs === undefined || ms.some((m) => (m.closeTime ?? 0) > (filter.minCloseTs ?? 0)))
      );
    });
    const from = Number(filter.cursor || 0);
    const limit = Math.min(200, filter.limit ?? 200);
    const page = all.slice(from, from + limit).map((e) => {
      const out: EventInfo = { ...e };
      delete out.markets;
      if (filter.withNestedMarkets) out.markets = marketsOf(e).map((m) => ({ ...m }));
      return out;
    });
    return { events: page, cursor: from + limit < all.length ? String(from + limit) : "" };
  }

  async getSeriesList(filter: { category?: string } = {}): Promise<SeriesInfo[]> {
    await this.enter("getSeriesList");
    return [...this.series.values()].filter((s) => !filter.category || s.category === filter.category);
  }

  async getTagsByCategories(): Promise<Record<string, string[]>> {
    await this.enter("getTagsByCategories");
    const out: Record<string, string[]> = {};
    for (const s of this.series.values()) {
      const tags = (out[s.category] ??= []);
      for (const t of s.tags ?? []) if (!tags.includes(t)) tags.push(t);
    }
    return out;
  }
}
