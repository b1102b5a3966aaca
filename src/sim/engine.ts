/**
 * The sim's exchange engine: markets, a price-time-priority order book per market, accounts with
 * Kalshi's position and cash accounting, fees, settlement, schedules and a "living market".
 *
 * All money is Micros, all counts Centis (src/domain/money.ts). Every account, synthetic ones
 * included, is fully accounted, so money is conserved exactly:
 *   Σ balances + Σ reserved (resting orders) + fees collected + $1 × open interest = money issued.
 */
import { EventEmitter } from "node:events";
import {
  type Centis,
  type Micros,
  centis,
  complementPrice,
  micros,
  mulPriceCount,
  scaleMicros,
} from "../domain/money.js";
import {
  type Fixture,
  type SimEvent,
  type SimMarket,
  type SimSeries,
  SHARDS,
  buildFixture,
  exchangeIndexOfSeries,
} from "./fixtures.js";
import {
  type Account,
  type AmendInput,
  type AmendResult,
  type BookSide,
  type ClientOrderIdPolicy,
  type EngineEvents,
  type EngineOptions,
  type EngineState,
  type MarketSource,
  type PlaceOrderInput,
  type PlaceOrderResult,
  type PositionState,
  type SimFill,
  type SimOrder,
  type TimeInForce,
  type UpdateReason,
  DEFAULT_STARTING_BALANCE,
  OTHER_TRADER,
  SimError,
  USER,
  defaultShardBalances,
} from "./engine/types.js";
import { type Book, OrderBooks, crosses } from "./engine/orderBook.js";
import { type FlowDeps, livingStep, noiseTrade, requote } from "./engine/syntheticFlow.js";
import {
  duplicateClientOrderId,
  newOrder,
  requireOpenMarket,
  requireValidCreate,
  requireValidPrice,
} from "./engine/orders.js";
import { freshEngineState } from "./engine/state.js";
import type { EngineInternals } from "./engine/internals.js";
import { cashNeeded, closable, crossable, feeFor, requireCash } from "./engine/cash.js";
import { amend } from "./engine/amend.js";
import { matchOrder } from "./engine/matching.js";
import { closeMarket, determineMarket, pauseMarket, runSchedule, settleMarket } from "./engine/lifecycle.js";
import { moneyDiscrepancy, userSnapshot } from "./engine/audit.js";
import { Rng } from "./rng.js";

export * from "./engine/types.js";
export type { Book } from "./engine/orderBook.js";

const DAY = 86_400_000;

export class SimEngine extends EventEmitter<EngineEvents> {
  state: EngineState;
  private readonly books = new OrderBooks();
  private marketsByTicker = new Map<string, SimMarket>();
  private seriesByTicker = new Map<string, SimSeries>();
  private eventsByTicker = new Map<string, SimEvent>();
  private clientIds = new Map<string, string>();
  private rng: Rng;
  private baseNow: () => number;
  readonly startingBalance: Micros;
  readonly startingShardBalances: Record<number, Micros>;
  readonly clientOrderIds: ClientOrderIdPolicy;
  readonly historicalCutoffMs: number;
  readonly seed: number;
  private readonly source: MarketSource | undefined;

  constructor(opts: EngineOptions = {}) {
    super();
    this.source = opts.source;
    this.setMaxListeners(100);
    this.baseNow = opts.now ?? Date.now;
    if (opts.shardBalances) {
      const split: Record<number, Micros> = {};
      for (const shard of SHARDS) split[shard] = opts.shardBalances[shard] ?? micros(0);
      this.startingShardBalances = split;
      this.startingBalance = micros(Object.values(split).reduce((a, b) => a + b, 0));
    } else {
      this.startingBalance = opts.startingBalance ?? DEFAULT_STARTING_BALANCE;
      this.startingShardBalances = defaultShardBalances(this.startingBalance);
    }
    this.clientOrderIds = opts.clientOrderIds ?? "strict";
    this.historicalCutoffMs = opts.historicalCutoffMs ?? 30 * DAY;
    this.seed = opts.seed ?? 1;
    this.state = opts.state ?? this.freshState();
    this.rng = new Rng(this.state.rngState);
    this.index();
    if (!opts.state) this.seedBooks();
    else this.refreshFixture();
  }

  // ---------------------------------------------------------------- state

  private freshState(): EngineState {
    const now = this.baseNow();
    const fx: Fixture = this.source ? this.source.fixture(now) : buildFixture(now);
    return freshEngineState(fx, now, this.seed, this.startingBalance, this.startingShardBalances);
  }

  private index(): void {
    this.books.clear();
    this.marketsByTicker.clear();
    this.seriesByTicker.clear();
    this.eventsByTicker.clear();
    this.clientIds.clear();
    for (const a of Object.values(this.state.accounts)) a.shardBalances ??= { 0: a.balance };
    for (const s of this.state.series) this.seriesByTicker.set(s.ticker, s);
    for (const e of this.state.events) this.eventsByTicker.set(e.eventTicker, e);
    for (const m of this.state.markets) {
      this.marketsByTicker.set(m.ticker, m);
      this.books.open(m.ticker);
    }
    const resting = Object.values(this.state.orders)
      .filter((o) => o.status === "resting")
      .sort((a, b) => a.seq - b.seq);
    for (const o of resting) this.insert(o);
    for (const o of Object.values(this.state.orders)) {
      if (o.clientOrderId) this.clientIds.set(`${o.accountId}\u0000${o.clientOrderId}`, o.orderId);
    }
  }

  /** After a restart on a later day: add the day's fixture markets that do not exist yet. */
  private refreshFixture(): void {
    const fx = this.source ? this.source.fixture(this.now()) : buildFixture(this.now());
    const added: SimMarket[] = [];
    for (const e of fx.events) {
      if (!this.eventsByTicker.has(e.eventTicker)) {
        this.state.events.push(e);
        this.eventsByTicker.set(e.eventTicker, e);
      }
    }
    for (const m of fx.markets) {
      if (this.marketsByTicker.has(m.ticker) || m.status !== "active") continue;
      this.state.markets.push(m);
      this.marketsByTicker.set(m.ticker, m);
      this.books.open(m.ticker);
      added.push(m);
    }
    for (const m of added) this.requote(m);
    this.checkSchedule();
  }

  private seedBooks(): void {
    for (const m of this.state.markets) if (m.status === "active") this.requote(m);
    // Some history so markets do not all show zero volume.
    for (const m of this.state.markets) {
      if (m.status !== "active") continue;
      const trades = this.rng.int(0, 3);
      for (let i = 0; i < trades; i++) this.noiseTrade(m);
    }
  }

  now(): number {
    return this.baseNow() + this.state.clockOffset;
  }

  /** Moves the sim clock forward (closes/settles/expires whatever falls due). */
  advanceClock(ms: number): void {
    this.state.clockOffset += ms;
    this.checkSchedule();
    this.emit("changed");
  }

  /** Starts over: fresh markets and a fresh user account with the starting balance. */
  reset(): void {
    for (const o of Object.values(this.state.orders)) if (o.status === "resting") this.remove(o);
    this.state = this.freshState();
    this.rng = new Rng(this.state.rngState);
    this.index();
    this.seedBooks();
    this.emit("changed");
  }

  private nextSeq(): number {
    this.state.seq += 1;
    return this.state.seq;
  }

  // ---------------------------------------------------------------- lookups

  get user(): Account {
    return this.account(USER);
  }

  account(id: string): Account {
    const a = this.state.accounts[id];
    if (!a) throw new SimError(404, "not_found", "account not found");
    return a;
  }

  markets(): SimMarket[] {
    return this.state.markets;
  }

  events(): SimEvent[] {
    return this.state.events;
  }

  seriesList(): SimSeries[] {
    return this.state.series;
  }

  market(ticker: string): SimMarket {
    const m = this.findMarket(ticker);
    if (!m)
      throw new SimError(404, "market_not_found", "market not found", `no market with ticker ${ticker}`);
    return m;
  }

  findMarket(ticker: string): SimMarket | undefined {
    return this.marketsByTicker.get(ticker) ?? this.adopt(ticker);
  }

  /** Takes a market (and its event's siblings) over from the source on first use. */
  private adopt(ticker: string): SimMarket | undefined {
    const found = this.source?.resolve(ticker, this.now());
    if (!found) return undefined;
    if (!this.seriesByTicker.has(found.series.ticker)) {
      this.state.series.push(found.series);
      this.seriesByTicker.set(found.series.ticker, found.series);
    }
    if (!this.eventsByTicker.has(found.event.eventTicker)) {
      this.state.events.push(found.event);
      this.eventsByTicker.set(found.event.eventTicker, found.event);
    }
    for (const m of found.markets) {
      if (this.marketsByTicker.has(m.ticker)) continue;
      this.state.markets.push(m);
      this.marketsByTicker.set(m.ticker, m);
      this.books.open(m.ticker);
    }
    for (const m of found.markets) this.requote(m);
    this.emit("changed");
    return this.marketsByTicker.get(ticker);
  }

  event(eventTicker: string): SimEvent | undefined {
    return this.eventsByTicker.get(eventTicker);
  }

  series(ticker: string): SimSeries | undefined {
    return this.seriesByTicker.get(ticker);
  }

  order(orderId: string): SimOrder | undefined {
    return this.state.orders[orderId];
  }

  /** The exchange shard a market trades on (0 for an unknown ticker). */
  exchangeIndex(ticker: string): number {
    const m = this.findMarket(ticker);
    return m ? exchangeIndexOfSeries(m.seriesTicker) : 0;
  }

  /** The account's available cash on one shard. */
  shardBalance(accountId: string, shard: number): Micros {
    return this.account(accountId).shardBalances?.[shard] ?? micros(0);
  }

  /** Moves `delta` into (or out of) the account's cash on the shard of `ticker`. */
  private credit(acct: Account, ticker: string, delta: number): void {
    const shard = this.exchangeIndex(ticker);
    const shards = (acct.shardBalances ??= { 0: acct.balance });
    shards[shard] = micros((shards[shard] ?? 0) + delta);
    acct.balance = micros(acct.balance + delta);
  }

  book(ticker: string): Book {
    return this.books.require(ticker);
  }

  /** Aggregated levels, best first. */
  levels(ticker: string, side: BookSide): { price: Micros; count: Centis }[] {
    return this.books.levels(ticker, side);
  }

  /** Contracts resting ahead of this resting order at its price (its queue position). */
  queuePosition(o: SimOrder): Centis {
    return this.books.ahead(o);
  }

  top(ticker: string): { bid: Micros | null; bidSize: Centis; ask: Micros | null; askSize: Centis } {
    return this.books.top(ticker);
  }

  position(accountId: string, ticker: string): PositionState {
    const acct = this.account(accountId);
    let p = acct.positions[ticker];
    if (!p) {
      p = {
        ticker,
        position: centis(0),
        cost: micros(0),
        realizedPnl: micros(0),
        totalTraded: micros(0),
        feesPaid: micros(0),
        volume: centis(0),
        lastUpdatedTs: this.now(),
      };
      acct.positions[ticker] = p;
    }
    return p;
  }

  /** Liquidation value of the account's open positions at the current best bids (one shard or all). */
  portfolioValue(accountId: string, shard?: number): Micros {
    let v = 0;
    for (const p of Object.values(this.account(accountId).positions)) {
      if (p.position === 0) continue;
      if (shard !== undefined && this.exchangeIndex(p.ticker) !== shard) continue;
      const m = this.findMarket(p.ticker);
      if (!m || m.status === "finalized") continue;
      const t = this.top(p.ticker);
      const yesBid = t.bid ?? m.lastPrice;
      const noBid = t.ask !== null ? complementPrice(t.ask) : complementPrice(m.lastPrice);
      v +=
        p.position > 0
          ? mulPriceCount(yesBid, p.position, "floor")
          : mulPriceCount(noBid, centis(-p.position), "floor");
    }
    return micros(v);
  }

  historicalCutoff(): number {
    return this.now() - this.historicalCutoffMs;
  }

  // ---------------------------------------------------------------- book plumbing

  private insert(o: SimOrder): void {
    this.books.insert(o);
  }

  private remove(o: SimOrder): void {
    this.books.remove(o);
  }

  private forget(o: SimOrder): void {
    // Synthetic accounts' finished orders are not kept.
    if (o.status !== "resting" && !this.account(o.accountId).history) {
      delete this.state.orders[o.orderId];
      if (o.clientOrderId) this.clientIds.delete(`${o.accountId}\u0000${o.clientOrderId}`);
    }
  }

  // ---------------------------------------------------------------- orders

  placeOrder(accountId: string, input: PlaceOrderInput): PlaceOrderResult {
    this.checkSchedule();
    const acct = this.account(accountId);
    const now = this.now();
    const earlier = this.orderByClientId(accountId, input.clientOrderId);
    if (earlier && this.clientOrderIds === "lenient") {
      return { order: earlier, fills: [], duplicate: true, tsMs: now };
    }
    if (earlier?.status === "resting") throw duplicateClientOrderId(earlier.clientOrderId);
    const m = this.market(input.ticker);
    requireOpenMarket(m);
    requireValidPrice(m, input.price);
    requireValidCreate(input, now);
    const book = this.book(m.ticker);
    const opposite = input.side === "bid" ? book.asks : book.bids;
    const order = newOrder(accountId, m.ticker, input, now, this.nextSeq());

    const finishEarly = (reason: UpdateReason | null): PlaceOrderResult => {
      order.status = "canceled";
      order.remaining = centis(0);
      order.lastUpdateReason = reason;
      this.record(order);
      this.emit("order", order);
      this.forget(order);
      this.emit("changed");
      return { order, fills: [], duplicate: false, tsMs: now };
    };

    if (order.reduceOnly) {
      const can = closable(this, accountId, m.ticker, order.side);
      if (can === 0) return finishEarly("ReduceOnlyCancel");
      if (order.remaining > can) {
        order.initial = can;
        order.remaining = can;
      }
    }
    const best = opposite[0];
    const wouldCross = best !== undefined && crosses(order.side, order.price, best);
    if (order.postOnly && wouldCross) return finishEarly("PostOnlyCrossCancel");

    // How much of the order can trade right away; the rest rests (GTC) or is cancelled.
    const crossQty = wouldCross ? crossable(this, order, opposite) : centis(0);
    if (!acct.unlimited) requireCash(this, acct, m.ticker, cashNeeded(this, order, crossQty));
    if (order.tif === "fill_or_kill" && crossQty < order.remaining) return finishEarly(null);

    this.record(order);
    const fills = this.match(order, now);
    return { order, fills, duplicate: false, tsMs: now };
  }

  /** The account's order with this client_order_id (the latest one), if any. */
  private orderByClientId(accountId: string, clientOrderId: string | undefined): SimOrder | undefined {
    if (!clientOrderId) return undefined;
    const id = this.clientIds.get(`${accountId}\u0000${clientOrderId}`);
    const o = id ? this.state.orders[id] : undefined;
    // An amend may have renamed it (updated_client_order_id).
    return o?.clientOrderId === clientOrderId ? o : undefined;
  }

  /**
   * Trades `order` (already recorded, not in the book) against the opposite book at its limit,
   * then rests the remainder (GTC) or cancels it, and tells the listeners (engine/matching.ts).
   */
  private match(order: SimOrder, now: number): SimFill[] {
    return matchOrder(this.internals(), order, now);
  }

  /**
   * AmendOrderV2: `count` is the new total (filled + resting). Lowering the size or changing only
   * the expiry keeps the order's place in the queue; a new price or a larger size sends it to the
   * back (a new time priority) and may trade right away at the new price (engine/amend.ts).
   */
  amendOrder(accountId: string, orderId: string, input: AmendInput): AmendResult {
    return amend(this.internals(), accountId, orderId, input);
  }

  private record(order: SimOrder): void {
    if (this.account(order.accountId).history || order.status === "resting") {
      this.state.orders[order.orderId] = order;
    }
    if (order.clientOrderId && this.account(order.accountId).history) {
      this.clientIds.set(`${order.accountId}\u0000${order.clientOrderId}`, order.orderId);
    }
  }

  private cancelInternal(o: SimOrder, reason: UpdateReason): Centis {
    if (o.status !== "resting") return centis(0);
    const acct = this.account(o.accountId);
    const reducedBy = o.remaining;
    this.remove(o);
    this.credit(acct, o.ticker, o.reserved);
    acct.updatedTs = this.now();
    o.reserved = micros(0);
    o.status = "canceled";
    o.remaining = centis(0);
    o.lastUpdateReason = reason;
    o.lastUpdateTs = this.now();
    this.emit("order", o);
    this.forget(o);
    return reducedBy;
  }

  cancelOrder(accountId: string, orderId: string): { order: SimOrder; reducedBy: Centis; tsMs: number } {
    const o = this.state.orders[orderId];
    if (!o || o.accountId !== accountId) throw new SimError(404, "not_found", "order not found");
    if (o.status !== "resting") {
      throw new SimError(404, "not_found", "order not found", `order ${orderId} is already ${o.status}`);
    }
    const reducedBy = this.cancelInternal(o, "Decrease");
    this.emit("ticker", this.market(o.ticker));
    this.emit("changed");
    return { order: o, reducedBy, tsMs: this.now() };
  }

  cancelAll(accountId: string): number {
    let n = 0;
    for (const o of Object.values(this.state.orders)) {
      if (o.accountId === accountId && o.status === "resting") {
        this.cancelInternal(o, "Decrease");
        n++;
      }
    }
    if (n) this.emit("changed");
    return n;
  }

  /** Reduces a resting order to `to` remaining contracts. */
  decreaseOrder(accountId: string, orderId: string, to: Centis): SimOrder {
    const o = this.state.orders[orderId];
    if (!o || o.accountId !== accountId || o.status !== "resting") {
      throw new SimError(404, "not_found", "order not found");
    }
    if (to < 0)
      throw new SimError(400, "invalid_parameters", "invalid parameters", "reduce_to must not be negative");
    if (to >= o.remaining) return o;
    if (to === 0) this.cancelInternal(o, "Decrease");
    else this.shrink(o, to, "Decrease");
    this.emit("ticker", this.market(o.ticker));
    this.emit("changed");
    return o;
  }

  /** Reduces a resting order to `to` (0 < to < remaining) contracts, releasing the spare reservation. */
  private shrink(o: SimOrder, to: Centis, reason: UpdateReason): void {
    const acct = this.account(o.accountId);
    const keep = scaleMicros(o.reserved, to, o.remaining, "ceil");
    this.credit(acct, o.ticker, o.reserved - keep);
    acct.updatedTs = this.now();
    o.reserved = keep;
    o.initial = centis(o.initial - (o.remaining - to));
    o.remaining = to;
    o.lastUpdateReason = reason;
    o.lastUpdateTs = this.now();
    this.emit("order", o);
  }

  // ---------------------------------------------------------------- lifecycle

  /** The private parts the behaviour modules (engine/lifecycle.ts, ...) work on. */
  private internals(): EngineInternals {
    return {
      engine: this,
      books: this.books,
      rng: this.rng,
      clientIds: this.clientIds,
      credit: (acct, ticker, delta) => this.credit(acct, ticker, delta),
      cancel: (o, reason) => this.cancelInternal(o, reason),
      shrink: (o, to, reason) => this.shrink(o, to, reason),
      forget: (o) => this.forget(o),
      feeFor: (ticker, price, count, role, roundTo) => feeFor(this, ticker, price, count, role, roundTo),
      closable: (accountId, ticker, side) => closable(this, accountId, ticker, side),
      nextSeq: () => this.nextSeq(),
      match: (order, now) => this.match(order, now),
      orderByClientId: (accountId, clientOrderId) => this.orderByClientId(accountId, clientOrderId),
    };
  }

  /** Stops trading in a market and cancels its resting orders. */
  close(ticker: string): SimMarket {
    return closeMarket(this.internals(), ticker);
  }

  /** Settles a market: $1 per winning contract, a settlement record per account that held it. */
  settle(ticker: string, result: "yes" | "no"): SimMarket {
    return settleMarket(this.internals(), ticker, result);
  }

  /** Pauses (true) or resumes (false) trading in an open market. */
  pause(ticker: string, paused: boolean): SimMarket {
    return pauseMarket(this.internals(), ticker, paused);
  }

  /** Closes the market and fixes its result, without paying out yet. */
  determine(ticker: string, result: "yes" | "no"): SimMarket {
    return determineMarket(this.internals(), ticker, result);
  }

  /** Closes, settles and expires whatever is due at the sim clock. */
  checkSchedule(): void {
    runSchedule(this.internals());
  }

  // ---------------------------------------------------------------- synthetic flow

  /** The synthetic traders' access to the engine (engine/syntheticFlow.ts). */
  private flow(): FlowDeps {
    return { engine: this, rng: this.rng, cancel: (o, reason) => this.cancelInternal(o, reason) };
  }

  /** Cancels the market maker's quotes and quotes a 5-level ladder around the fair price. */
  requote(m: SimMarket): void {
    requote(this.flow(), m);
  }

  /** A small taker order from the noise trader at the best opposite price. */
  noiseTrade(m: SimMarket, side?: BookSide): void {
    noiseTrade(this.flow(), m, side);
  }

  /** One step of the living market. */
  tick(): void {
    livingStep(this.flow());
  }

  /** Trades against the book as another account (control endpoint). */
  trade(args: {
    ticker: string;
    side: BookSide;
    price: Micros;
    count: Centis;
    tif?: TimeInForce;
  }): PlaceOrderResult {
    return this.placeOrder(OTHER_TRADER, {
      ticker: args.ticker,
      side: args.side,
      price: args.price,
      count: args.count,
      tif: args.tif ?? "immediate_or_cancel",
      stp: "maker",
    });
  }

  // ---------------------------------------------------------------- audit

  /** Σ balances + Σ reserved + fees + $1 × open interest − money issued. Always 0. */
  moneyDiscrepancy(): number {
    return moneyDiscrepancy(this.state);
  }

  /** The user's view: what the control endpoint GET /sim/state returns. */
  snapshot(): Record<string, unknown> {
    return userSnapshot(this.state, this.now());
  }
}
