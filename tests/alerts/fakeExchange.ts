/** A minimal in-memory ExchangePort for the alert and stream tests: fills, orders, positions, settlements. */
import type {
  ExchangePort,
  Fill,
  FillsFilter,
  HistoricalCutoff,
  Market,
  MarketStatus,
  Order,
  Position,
  Settlement,
  SettlementsFilter,
} from "../../src/exchange/port.js";
import {
  type Centis,
  complementPrice,
  type Micros,
  parseCount,
  parseDollars,
} from "../../src/domain/money.js";
import type { WireFill } from "../support/wsKalshiStub.js";

function notUsed(name: string): never {
  throw new Error(`fake exchange: ${name} is not implemented`);
}

export class FakeExchange implements ExchangePort {
  fills: Fill[] = [];
  orders = new Map<string, Order>();
  positions = new Map<string, Centis>();
  settlements: Settlement[] = [];
  /** Calls of getSettlements so far (a test counts polls with it). */
  getSettlementsCalls = 0;
  titles = new Map<string, string>();
  /** Market statuses (default active). */
  statuses = new Map<string, MarketStatus>();
  getFillsCalls: FillsFilter[] = [];
  /** While > 0, getFills rejects and decrements. */
  failGetFills = 0;

  /** Records a fill as REST would return it (no post position), and moves the position. */
  addFill(w: WireFill): Fill {
    const yes = parseDollars(w.yes_price_dollars);
    const f: Fill = {
      fillId: w.trade_id,
      tradeId: w.trade_id,
      orderId: w.order_id,
      ticker: w.market_ticker,
      outcomeSide: w.outcome_side,
      bookSide: w.book_side,
      count: parseCount(w.count_fp),
      yesPrice: yes,
      noPrice: complementPrice(yes),
      isTaker: w.is_taker,
      fee: parseDollars(w.fee_cost),
      createdTime: w.ts_ms,
    };
    this.fills.push(f);
    this.positions.set(w.market_ticker, parseCount(w.post_position_fp));
    return f;
  }

  async getFills(filter: FillsFilter = {}): Promise<Fill[]> {
    this.getFillsCalls.push(filter);
    if (this.failGetFills > 0) {
      this.failGetFills--;
      throw new Error("fake exchange: getFills unavailable");
    }
    return this.fills
      .filter(
        (f) =>
          (filter.minTs === undefined || f.createdTime >= filter.minTs) &&
          (!filter.ticker || f.ticker === filter.ticker),
      )
      .map((f, i) => ({ f, i }))
      .sort((a, b) => b.f.createdTime - a.f.createdTime || b.i - a.i) // Kalshi lists newest first
      .map(({ f }) => ({ ...f }));
  }

  async getMarket(ticker: string): Promise<Market> {
    const title = this.titles.get(ticker) ?? `Market ${ticker}`;
    return {
      ticker,
      eventTicker: ticker.split("-")[0] ?? ticker,
      marketType: "binary",
      title,
      yesSubTitle: "",
      noSubTitle: "",
      status: this.statuses.get(ticker) ?? "active",
      openTime: null,
      closeTime: null,
      yesBid: null,
      yesAsk: null,
      noBid: null,
      noAsk: null,
      lastPrice: null,
      volume: 0 as Centis,
      volume24h: 0 as Centis,
      openInterest: 0 as Centis,
      priceLevelStructure: "linear_cent",
      priceRanges: [],
      result: "",
      settlementValue: null,
      rulesPrimary: "",
      rulesSecondary: "",
    };
  }

  async getOrder(orderId: string): Promise<Order> {
    const o = this.orders.get(orderId);
    if (!o) throw new Error(`fake exchange: no order ${orderId}`);
    return { ...o };
  }

  async getPositions(filter: { ticker?: string } = {}): Promise<Position[]> {
    const out: Position[] = [];
    for (const [ticker, position] of this.positions) {
      if (filter.ticker && ticker !== filter.ticker) continue;
      out.push({
        ticker,
        position,
        marketExposure: 0 as Micros,
        realizedPnl: 0 as Micros,
        totalTraded: 0 as Micros,
        feesPaid: 0 as Micros,
        lastUpdatedTs: null,
      });
    }
    return out;
  }

  async getSettlements(filter: SettlementsFilter = {}): Promise<Settlement[]> {
    this.getSettlementsCalls++;
    return this.settlements.filter((s) => filter.minTs === undefined || s.settledTime >= filter.minTs);
  }

  async close(): Promise<void> {}

  getExchangeStatus = () => notUsed("getExchangeStatus");
  getAccountLimits = () => notUsed("getAccountLimits");
  getBalance = () => notUsed("getBalance");
  getMarkets = () => notUsed("getMarkets");
  getOrderbook = () => notUsed("getOrderbook");
  getOrderbooks = () => notUsed("getOrderbooks");
  getEvents = () => notUsed("getEvents");
  getEvent = () => notUsed("getEvent");
  getSeries = () => notUsed("getSeries");
  createOrder = () => notUsed("createOrder");
  /** Order writes are not used by the alert tests: each fails (so no write is ever unrouted). */
  cancelOrder = () => notUsed("cancelOrder");
  amendOrder = () => notUsed("amendOrder");
  decreaseOrder = () => notUsed("decreaseOrder");
  cancelOrders = () => notUsed("cancelOrders");
  cancelAllOrders = () => notUsed("cancelAllOrders");
  getEndpointCosts = () => notUsed("getEndpointCosts");
  getApiKeys = () => notUsed("getApiKeys");
  getOrders = () => notUsed("getOrders");
  /** Nothing is historical here: every fill is listed by getFills. */
  async getHistoricalCutoff(): Promise<HistoricalCutoff> {
    return { marketSettledTs: 0, tradesCreatedTs: 0, ordersUpdatedTs: 0 };
  }

  async getHistoricalFills(): Promise<Fill[]> {
    return [];
  }

  getHistoricalOrders = () => notUsed("getHistoricalOrders");
  getEventsPage = () => notUsed("getEventsPage");
  getSeriesList = () => notUsed("getSeriesList");
  getTagsByCategories = () => notUsed("getTagsByCategories");
}

/** A wire user_order message body. */
export function wireOrder(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: "order-1",
    user_id: "user-1",
    ticker: "KXTEST-26NOV30-T1",
    exchange_index: 0,
    status: "resting",
    side: "yes",
    is_yes: true,
    outcome_side: "yes",
    book_side: "bid",
    yes_price_dollars: "0.5500",
    fill_count_fp: "0.00",
    remaining_count_fp: "10.00",
    initial_count_fp: "10.00",
    taker_fill_cost_dollars: "0.000000",
    maker_fill_cost_dollars: "0.000000",
    taker_fees_dollars: "0.000000",
    maker_fees_dollars: "0.000000",
    client_order_id: "cid-1",
    created_time: null,
    created_ts_ms: Date.now(),
    ...over,
  };
}
