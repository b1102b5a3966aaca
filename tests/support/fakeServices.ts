/**
 * In-memory implementations of the trading use cases (src/trading/types.ts) that behave like the
 * real ones where the bot can notice: quotes carry a clientOrderId and expire after 60 s, placing
 * the same quote twice creates one order, an expired quote or a moved price yields a requote, a
 * resting limit order can be canceled, positions and fills follow from orders.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  ONE_DOLLAR,
  addMicros,
  averagePrice,
  complementPrice,
  formatCount,
  formatDollars,
  micros,
  mulPriceCount,
  subMicros,
} from "../../src/domain/money.js";
import { estimateFee } from "../../src/domain/fees.js";
import { provesNotPlaced } from "../../src/exchange/errors.js";
import type { Market, Order, OutcomeSide, ShardBalance } from "../../src/exchange/port.js";
import {
  type AccountService,
  attestationOf,
  cashByShard as shardsHoldingCash,
} from "../../src/trading/account.js";
import {
  type ExportResult,
  type ExportService,
  type HistoryRow,
  type HistoryService,
  type SettlementRow,
  type MarketInfo,
  type MarketSearchHit,
  type MarketService,
  type OrderExecutor,
  type OrderIntent,
  type PlaceOutcome,
  type PortfolioService,
  type PortfolioView,
  type Quote,
  UserError,
} from "../../src/trading/types.js";

export const c = (n: number) => (n * 100) as Centis;
export const usd = (n: string) => {
  const [w = "0", f = ""] = n.split(".");
  return micros(Number(w) * 1_000_000 + Number((f + "000000").slice(0, 6)));
};

export interface FakeMarketInput {
  ticker: string;
  title: string;
  yesSubTitle?: string;
  yesBid: Micros | null;
  yesAsk: Micros | null;
  status?: Market["status"];
}

export interface ServiceCall {
  service: string;
  method: string;
  args: unknown[];
}

interface Pos {
  side: OutcomeSide;
  count: Centis;
  cost: Micros;
}

export class FakeWorld {
  readonly calls: ServiceCall[] = [];
  balance: Micros = usd("100");
  /**
   * The account's location attestation expiry (epoch ms); null = never attested; undefined (default)
   * = 60 days after now, like the sim.
   */
  regionExpiration: number | null | undefined = undefined;
  /** Cash per exchange shard for /account; empty = all of `balance` on one shard. */
  byShard: ShardBalance[] = [];
  readonly marketsByTicker = new Map<string, Market>();
  readonly orders = new Map<string, Order>();
  readonly fills: HistoryRow[] = [];
  /** Settlements /history shows (with their realized P&L). */
  readonly settlements: SettlementRow[] = [];
  readonly positions = new Map<string, Pos>();
  private readonly placed = new Map<string, PlaceOutcome>();
  private orderSeq = 0;
  /** Makes the next place() fail with this error before doing anything (answered as the executor would). */
  placeError: unknown = null;
  /** Makes every call of a method throw (e.g. "portfolio.view"). */
  readonly failing = new Map<string, unknown>();
  /** Rows per CSV part in exports. */
  exportPartRows = 1000;

  constructor(
    readonly clock: { now: () => number },
    readonly exportDir: string,
  ) {}

  addMarket(m: FakeMarketInput): Market {
    const market: Market = {
      ticker: m.ticker,
      eventTicker: m.ticker.split("-").slice(0, 2).join("-"),
      marketType: "binary",
      title: m.title,
      yesSubTitle: m.yesSubTitle ?? "",
      noSubTitle: "",
      status: m.status ?? "active",
      openTime: 0,
      closeTime: this.clock.now() + 86_400_000,
      yesBid: m.yesBid,
      yesAsk: m.yesAsk,
      noBid: m.yesAsk === null ? null : complementPrice(m.yesAsk),
      noAsk: m.yesBid === null ? null : complementPrice(m.yesBid),
      lastPrice: m.yesBid,
      volume: c(1000),
      volume24h: c(100),
      openInterest: c(500),
      priceLevelStructure: "linear_cent",
      priceRanges: [],
      result: "",
      settlementValue: null,
      rulesPrimary: "",
      rulesSecondary: "",
    };
    this.marketsByTicker.set(m.ticker, market);
    return market;
  }

  setPrices(ticker: string, yesBid: Micros | null, yesAsk: Micros | null): void {
    const m = this.marketsByTicker.get(ticker)!;
    Object.assign(m, {
      yesBid,
      yesAsk,
      noBid: yesAsk === null ? null : complementPrice(yesAsk),
      noAsk: yesBid === null ? null : complementPrice(yesBid),
    });
  }

  private record(service: string, method: string, args: unknown[]) {
    this.calls.push({ service, method, args });
    const f = this.failing.get(`${service}.${method}`);
    if (f !== undefined) throw f;
  }

  callsTo(service: string, method?: string): ServiceCall[] {
    return this.calls.filter((x) => x.service === service && (!method || x.method === method));
  }

  /** Orders actually created (what the exchange would hold). */
  get createdOrders(): Order[] {
    return [...this.orders.values()];
  }

  private market(ticker: string): Market {
    const m = this.marketsByTicker.get(ticker);
    if (!m) throw new UserError(`Kalshi has no market ${ticker}.`, "not_found");
    return m;
  }

  /** Price of `outcome` to trade at now: asks for buys, bids for sells. */
  private touch(m: Market, outcome: OutcomeSide, action: "buy" | "sell"): Micros | null {
    if (action === "buy") return outcome === "yes" ? m.yesAsk : m.noAsk;
    return outcome === "yes" ? m.yesBid : m.noBid;
  }

  private buildQuote(intent: OrderIntent): Quote {
    const m = this.market(intent.ticker);
    if (m.status !== "active") throw new UserError(`${m.ticker} is not open for trading.`, "market_closed");
    if (intent.count <= 0) throw new UserError("The count must be positive.");
    const touch = this.touch(m, intent.outcome, intent.action);
    let price: Micros;
    if (intent.kind === "limit") {
      if (intent.limitPrice === undefined) throw new UserError("A limit order needs a price.");
      price = intent.limitPrice;
    } else {
      if (touch === null)
        throw new UserError("Nobody is offering that side right now; try a limit order.", "no_liquidity");
      const slip = intent.action === "buy" ? 2 * MICROS_PER_CENT : -2 * MICROS_PER_CENT;
      price = micros(Math.min(Math.max(touch + slip, MICROS_PER_CENT), ONE_DOLLAR - MICROS_PER_CENT));
    }
    if (intent.action === "sell") {
      const pos = this.positions.get(intent.ticker);
      if (!pos || pos.side !== intent.outcome || pos.count < intent.count) {
        throw new UserError("You don't hold that many contracts to sell.", "insufficient_position");
      }
    }
    const yesPrice = intent.outcome === "yes" ? price : complementPrice(price);
    const notional = mulPriceCount(price, intent.count);
    const fee = estimateFee({ price: yesPrice, count: intent.count, role: "taker" });
    const buy = intent.action === "buy";
    const balanceAfter = buy
      ? subMicros(this.balance, addMicros(notional, fee))
      : addMicros(this.balance, subMicros(notional, fee));
    if (balanceAfter < 0)
      throw new UserError("Your balance is too low for this order.", "insufficient_balance");
    const now = this.clock.now();
    return {
      intent,
      marketTitle: m.title,
      price,
      wire: {
        side: (intent.outcome === "yes") === buy ? "bid" : "ask",
        yesPrice,
        timeInForce: intent.kind === "market" ? "immediate_or_cancel" : "good_till_canceled",
        reduceOnly: !buy,
      },
      estimatedCost: notional,
      estimatedFee: fee,
      maxLoss: buy ? addMicros(notional, fee) : fee,
      maxPayout: buy ? mulPriceCount(ONE_DOLLAR, intent.count) : notional,
      balance: this.balance,
      balanceAfter,
      expiresAt: now + 60_000,
      createdAt: now,
      clientOrderId: randomUUID(),
    };
  }

  private createOrder(q: Quote): PlaceOutcome {
    const { intent } = q;
    const m = this.market(intent.ticker);
    const touch = this.touch(m, intent.outcome, intent.action);
    const buy = intent.action === "buy";
    const marketable = touch !== null && (buy ? touch <= q.price : touch >= q.price);
    const orderId = `ord-${++this.orderSeq}`;
    const fillCount = marketable ? intent.count : (0 as Centis);
    const fillPrice = marketable ? touch! : null;
    const fee =
      fillPrice === null
        ? (0 as Micros)
        : estimateFee({
            price: intent.outcome === "yes" ? fillPrice : complementPrice(fillPrice),
            count: fillCount,
            role: "taker",
          });
    const resting = intent.kind === "limit" && !marketable;
    const remaining = resting ? intent.count : (0 as Centis);
    const status = resting ? "resting" : marketable ? "executed" : "canceled";
    const now = this.clock.now();
    const yesPrice = q.wire.yesPrice;
    const order: Order = {
      orderId,
      clientOrderId: q.clientOrderId,
      ticker: intent.ticker,
      outcomeSide: (intent.outcome === "yes") === buy ? "yes" : "no",
      bookSide: q.wire.side,
      status,
      yesPrice,
      noPrice: complementPrice(yesPrice),
      fillCount,
      remainingCount: remaining,
      initialCount: intent.count,
      takerFillCost: fillPrice === null ? (0 as Micros) : mulPriceCount(fillPrice, fillCount),
      makerFillCost: 0 as Micros,
      takerFees: fee,
      makerFees: 0 as Micros,
      createdTime: now,
      lastUpdateTime: now,
      expirationTime: null,
    };
    this.orders.set(orderId, order);
    if (fillPrice !== null) {
      const cost = mulPriceCount(fillPrice, fillCount);
      const pos = this.positions.get(intent.ticker) ?? {
        side: intent.outcome,
        count: 0 as Centis,
        cost: 0 as Micros,
      };
      let realized: Micros | null = null;
      if (buy) {
        this.balance = subMicros(this.balance, addMicros(cost, fee));
        pos.count = (pos.count + fillCount) as Centis;
        pos.cost = addMicros(pos.cost, cost);
      } else {
        this.balance = addMicros(this.balance, subMicros(cost, fee));
        const basis = mulPriceCount(averagePrice(pos.cost, pos.count) ?? (0 as Micros), fillCount);
        realized = subMicros(subMicros(cost, basis), fee);
        pos.cost = subMicros(pos.cost, basis);
        pos.count = (pos.count - fillCount) as Centis;
      }
      if (pos.count > 0) this.positions.set(intent.ticker, pos);
      else this.positions.delete(intent.ticker);
      this.fills.push({
        time: now,
        ticker: intent.ticker,
        marketTitle: m.title,
        outcome: intent.outcome,
        action: intent.action,
        count: fillCount,
        price: fillPrice,
        cost,
        fee,
        realizedPnl: realized,
        orderId,
        fillId: `fill-${orderId}`,
        isTaker: true,
        source: "bot",
      });
    }
    return {
      kind: "placed",
      result: {
        orderId,
        clientOrderId: q.clientOrderId,
        status,
        filledCount: fillCount,
        averagePrice: fillPrice,
        fees: fee,
        restingCount: remaining,
      },
    };
  }

  readonly executor: OrderExecutor = {
    quote: async (intent) => {
      this.record("executor", "quote", [intent]);
      return this.buildQuote(intent);
    },
    place: async (q) => {
      this.record("executor", "place", [q]);
      if (this.placeError !== null) {
        const e = this.placeError;
        this.placeError = null;
        // As the executor answers a failed create: proven refusals are rejected, the rest open.
        if (e instanceof UserError) return { kind: "rejected", code: e.code, cause: e };
        if (provesNotPlaced(e)) return { kind: "rejected", code: "refused", cause: e };
        const resting = [...this.orders.values()].find(
          (o) => o.clientOrderId === q.clientOrderId && o.status === "resting",
        );
        return { kind: "unknown", cause: e, checked: true, ...(resting ? { resting } : {}) };
      }
      const done = this.placed.get(q.clientOrderId);
      if (done) return done;
      if (this.clock.now() > q.expiresAt) {
        return { kind: "requote", reason: "expired", quote: this.buildQuote(q.intent) };
      }
      if (q.intent.kind === "market") {
        const m = this.market(q.intent.ticker);
        const touch = this.touch(m, q.intent.outcome, q.intent.action);
        const worse = touch === null || (q.intent.action === "buy" ? touch > q.price : touch < q.price);
        if (worse) return { kind: "requote", reason: "price_moved", quote: this.buildQuote(q.intent) };
      }
      const out = this.createOrder(q);
      this.placed.set(q.clientOrderId, out);
      return out;
    },
    cancel: async (orderId, ticker) => {
      this.record("executor", "cancel", ticker === undefined ? [orderId] : [orderId, ticker]);
      const o = this.orders.get(orderId);
      // Routed like Kalshi: a ticker that is not the order's market finds nothing.
      if (!o || o.status !== "resting" || (ticker !== undefined && ticker !== o.ticker))
        throw new UserError(`There is no resting order ${orderId}.`, "not_found");
      const n = o.remainingCount;
      o.status = "canceled";
      o.remainingCount = 0 as Centis;
      return { orderId, canceledCount: n };
    },
    cancelAll: async (listed) => {
      this.record("executor", "cancelAll", listed === undefined ? [] : [listed]);
      const ids = listed ? new Set(listed.map((x) => `${x.orderId} ${x.ticker}`)) : null;
      let n = 0;
      let gone = 0;
      for (const o of this.orders.values()) {
        if (ids && !ids.has(`${o.orderId} ${o.ticker}`)) continue;
        if (o.status === "resting") {
          o.status = "canceled";
          o.remainingCount = 0 as Centis;
          n++;
        } else gone++;
      }
      const appeared = ids
        ? [...this.orders.values()].filter((o) => o.status === "resting").map((o) => ({ ...o }))
        : [];
      return { canceled: n, gone, failed: [], appeared };
    },
    orderStatus: async (orderId) => {
      this.record("executor", "orderStatus", [orderId]);
      const o = this.orders.get(orderId);
      if (!o) throw new UserError(`Kalshi has no order ${orderId}.`, "not_found");
      return { ...o };
    },
    openOrders: async () => {
      this.record("executor", "openOrders", []);
      return [...this.orders.values()].filter((o) => o.status === "resting").map((o) => ({ ...o }));
    },
  };

  readonly markets: MarketService = {
    info: async (ticker): Promise<MarketInfo> => {
      this.record("markets", "info", [ticker]);
      const m = this.market(ticker);
      return {
        market: { ...m },
        bestYesBid: m.yesBid,
        bestYesAsk: m.yesAsk,
        bestNoBid: m.noBid,
        bestNoAsk: m.noAsk,
        spread: m.yesBid !== null && m.yesAsk !== null ? subMicros(m.yesAsk, m.yesBid) : null,
      };
    },
    search: async (words, limit = 10): Promise<MarketSearchHit[]> => {
      this.record("markets", "search", [words, limit]);
      const ws = words.toLowerCase().split(/\s+/).filter(Boolean);
      const hits: MarketSearchHit[] = [];
      for (const m of this.marketsByTicker.values()) {
        const hay = `${m.title} ${m.yesSubTitle} ${m.ticker}`.toLowerCase();
        const score = ws.filter((w) => hay.includes(w)).length;
        if (score > 0 && m.status === "active") {
          hits.push({
            ticker: m.ticker,
            title: m.title,
            yesSubTitle: m.yesSubTitle,
            yesBid: m.yesBid,
            yesAsk: m.yesAsk,
            closeTime: m.closeTime,
            score,
          });
        }
      }
      return hits.sort((a, b) => b.score - a.score).slice(0, limit);
    },
  };

  readonly portfolio: PortfolioService = {
    view: async (): Promise<PortfolioView> => {
      this.record("portfolio", "view", []);
      let total = 0 as Micros;
      let unreal = 0 as Micros;
      const positions = [...this.positions.entries()].map(([ticker, p]) => {
        const m = this.marketsByTicker.get(ticker);
        const mark = m ? this.touch(m, p.side, "sell") : null;
        const value = mark === null ? null : mulPriceCount(mark, p.count);
        const pnl = value === null ? null : subMicros(value, p.cost);
        if (value !== null) total = addMicros(total, value);
        if (pnl !== null) unreal = addMicros(unreal, pnl);
        return {
          ticker,
          title: m?.title ?? ticker,
          side: p.side,
          count: p.count,
          averageEntry: averagePrice(p.cost, p.count),
          markPrice: mark,
          value,
          unrealizedPnl: pnl,
          settled: false,
        };
      });
      const realized = this.fills.reduce((s, f) => addMicros(s, f.realizedPnl ?? (0 as Micros)), 0 as Micros);
      return {
        positions,
        totalValue: total,
        totalUnrealized: unreal,
        realized: { today: realized, last7d: realized, last30d: realized, allTime: realized, byMarket: [] },
        balance: this.balance,
        portfolioValue: total,
        notes: [],
        asOf: this.clock.now(),
      };
    },
  };

  readonly account: AccountService = {
    view: async () => {
      this.record("account", "view", []);
      const now = this.clock.now();
      const { portfolioValue } = await this.portfolio.view();
      return {
        balance: this.balance,
        portfolioValue,
        cashByShard: shardsHoldingCash(this.byShard),
        attestation: attestationOf(
          this.regionExpiration === undefined ? now + 60 * 86_400_000 : this.regionExpiration,
          now,
        ),
        asOf: now,
      };
    },
  };

  readonly history: HistoryService = {
    between: async (fromMs, toMs) => {
      this.record("history", "between", [fromMs, toMs]);
      return this.fills.filter((f) => f.time >= fromMs && f.time <= toMs).map((f) => ({ ...f }));
    },
    report: async (fromMs, toMs) => {
      this.record("history", "report", [fromMs, toMs]);
      const inRange = <T extends { time: number }>(xs: T[]) =>
        xs.filter((x) => x.time >= fromMs && x.time <= toMs).map((x) => ({ ...x }));
      return { rows: inRange(this.fills), settlements: inRange(this.settlements) };
    },
    recent: async (limit = 20) => {
      this.record("history", "recent", [limit]);
      return this.fills.slice(-limit).map((f) => ({ ...f }));
    },
  };

  readonly exporter: ExportService = {
    exportCsv: async (fromMs, toMs): Promise<ExportResult> => {
      this.record("exporter", "exportCsv", [fromMs, toMs]);
      const rows = this.fills.filter((f) => f.time >= fromMs && f.time <= toMs);
      await mkdir(this.exportDir, { recursive: true });
      const files: string[] = [];
      const parts = Math.max(1, Math.ceil(rows.length / this.exportPartRows));
      for (let i = 0; i < parts; i++) {
        const chunk = rows.slice(i * this.exportPartRows, (i + 1) * this.exportPartRows);
        const name = parts > 1 ? `trades-part${i + 1}.csv` : "trades.csv";
        const lines = ["time,ticker,outcome,action,count,price,fee"].concat(
          chunk.map((r) =>
            [
              new Date(r.time).toISOString(),
              r.ticker,
              r.outcome,
              r.action,
              formatCount(r.count),
              formatDollars(r.price),
              formatDollars(r.fee),
            ].join(","),
          ),
        );
        const path = join(this.exportDir, name);
        await writeFile(path, lines.join("\n") + "\n");
        files.push(path);
      }
      return { files, rows: rows.length, fromMs, toMs, timeZone: "America/New_York" };
    },
  };

  /** The six services as BotDeps.services expects them. */
  get services() {
    return {
      executor: this.executor,
      markets: this.markets,
      portfolio: this.portfolio,
      account: this.account,
      history: this.history,
      exporter: this.exporter,
    };
  }

  /** A fill that happened some time ago (for /history and /export). */
  addPastFill(row: Partial<HistoryRow> & { time: number; ticker: string }): void {
    this.fills.push({
      marketTitle: row.ticker,
      outcome: "yes",
      action: "buy",
      count: c(1),
      price: usd("0.5"),
      cost: usd("0.5"),
      fee: usd("0.02"),
      realizedPnl: null,
      orderId: `old-${this.fills.length}`,
      fillId: `oldfill-${this.fills.length}`,
      isTaker: true,
      source: "elsewhere",
      ...row,
    });
  }
}

export type AlertMode = "on" | "silent" | "off";

export class MemoryAlertSettings {
  readonly modes = new Map<number, AlertMode>();
  async get(chatId: number): Promise<AlertMode> {
    return this.modes.get(chatId) ?? "on";
  }
  async set(chatId: number, mode: AlertMode): Promise<void> {
    this.modes.set(chatId, mode);
  }
}
