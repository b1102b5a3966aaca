import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KalshiClient, orderAverages } from "../../../src/exchange/kalshi/client.js";
import * as S from "../../../src/exchange/kalshi/schemas.js";
import {
  KalshiApiError,
  KalshiNetworkError,
  KalshiRequestError,
  KalshiSchemaError,
} from "../../../src/exchange/errors.js";
import type { Centis, Micros } from "../../../src/domain/money.js";
import {
  BASE,
  FakeKalshi,
  KEY_ID,
  ORIGIN,
  makeClient,
  memoryLogger,
  privatePem,
  wireBook,
  wireEvent,
  wireFill,
  wireLimits,
  wireMarket,
  wireOrder,
  wirePosition,
  wireSeries,
  wireSettlement,
} from "./helpers.js";

const m = (n: number) => n as Micros;
/** nock needs an Error instance here; a plain object makes the request hang. */
const netErr = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });
const c = (n: number) => n as Centis;

let client: KalshiClient | null = null;
function newClient(...args: Parameters<typeof makeClient>): KalshiClient {
  client = makeClient(...args);
  return client;
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(async () => {
  await client?.close();
  client = null;
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

const createReq = {
  ticker: "KXHIGHNY-26NOV30-T50",
  side: "bid" as const,
  count: c(1000),
  price: m(560_000),
  timeInForce: "good_till_canceled" as const,
  clientOrderId: "6f1c2a1e-0000-4000-8000-000000000001",
};

const createdWire = {
  order_id: "ord-9",
  client_order_id: createReq.clientOrderId,
  fill_count: "4.00",
  remaining_count: "6.00",
  average_fill_price: "0.5500",
  average_fee_paid: "0.0173",
  ts_ms: 1_790_000_000_123,
};

describe("KalshiClient reads", () => {
  it("reads the balance in dollars and the portfolio value from cents, signing the request", async () => {
    const fake = new FakeKalshi().on("GET", "/portfolio/balance", [
      200,
      { balance: 12345, balance_dollars: "123.45", portfolio_value: 5000, updated_ts: 1_790_000_000 },
    ]);
    const b = await newClient().getBalance();
    expect(b).toEqual({
      balance: 123_450_000,
      portfolioValue: 50_000_000,
      updatedTs: 1_790_000_000_000,
      byShard: [],
    });
    const [call] = fake.calls;
    expect(call?.signatureOk).toBe(true);
    expect(call?.headers["kalshi-access-key"]).toBe(KEY_ID);
  });

  it("returns open positions with signed counts and asks Kalshi only for non-zero ones", async () => {
    const fake = new FakeKalshi().on("GET", "/portfolio/positions", [
      200,
      {
        market_positions: [wirePosition(), wirePosition({ ticker: "FLAT", position_fp: "0.00" })],
        event_positions: [],
        cursor: "",
      },
    ]);
    const ps = await newClient().getPositions();
    expect(ps).toEqual([
      {
        ticker: "KXHIGHNY-26NOV30-T50",
        position: -1000,
        marketExposure: 4_400_000,
        realizedPnl: 0,
        totalTraded: 5_600_000,
        feesPaid: 180_000,
        lastUpdatedTs: Date.parse("2026-11-24T12:00:05Z"),
      },
    ]);
    expect(fake.calls[0]?.query.get("count_filter")).toBe("position");
    const all = await client!.getPositions({ all: true });
    expect(all).toHaveLength(2);
    expect(fake.calls[1]?.query.has("count_filter")).toBe(false);
  });

  it("titles a market with its event's title once the event was read (Market.title is deprecated)", async () => {
    new FakeKalshi()
      .on("GET", "/markets/KXHIGHNY-26NOV30-T50", [200, { market: wireMarket() }])
      .on("GET", "/events", [
        200,
        { events: [wireEvent({ title: "Highest temperature in NYC on Nov 30?", markets: [wireMarket()] })] },
      ])
      .on("GET", "/markets", [
        200,
        { markets: [wireMarket(), wireMarket({ ticker: "KXOTHER-1", event_ticker: "KXOTHER" })] },
      ]);
    const k = newClient();
    // Before its event was read, only the deprecated field can name the market.
    expect((await k.getMarket("KXHIGHNY-26NOV30-T50")).title).toBe("Will the high in NYC be above 50°?");
    await k.getEventsPage({ status: "open" });
    expect((await k.getMarket("KXHIGHNY-26NOV30-T50")).title).toBe("Highest temperature in NYC on Nov 30?");
    const listed = await k.getMarkets({ status: "open" });
    expect(listed.map((m) => m.title)).toEqual([
      "Highest temperature in NYC on Nov 30?",
      "Will the high in NYC be above 50°?", // its event was never read
    ]);
    // Markets nested in an event take the event's title.
    const [ev] = await k.getEvents();
    expect(ev?.markets?.map((m) => m.title)).toEqual(["Highest temperature in NYC on Nov 30?"]);
  });

  it("converts a market, with empty sides as null", async () => {
    new FakeKalshi().on("GET", "/markets/KXHIGHNY-26NOV30-T50", [
      200,
      { market: wireMarket({ yes_bid_dollars: "0.0000", no_ask_dollars: "1.0000" }) },
    ]);
    const mk = await newClient().getMarket("KXHIGHNY-26NOV30-T50");
    expect(mk).toMatchObject({
      ticker: "KXHIGHNY-26NOV30-T50",
      eventTicker: "KXHIGHNY-26NOV30",
      title: "Will the high in NYC be above 50°?",
      status: "active",
      yesBid: null,
      yesAsk: 570_000,
      noBid: 430_000,
      noAsk: null,
      lastPrice: 560_000,
      volume24h: 20050,
      openTime: Date.parse("2026-11-21T15:00:00Z"),
      priceRanges: [{ start: 10_000, end: 990_000, step: 10_000 }],
      settlementValue: null,
    });
  });

  it("returns orderbook bids best first whatever order Kalshi sent", async () => {
    const fake = new FakeKalshi().on("GET", "/markets/T1/orderbook", [200, { orderbook_fp: wireBook }]);
    const ob = await newClient().getOrderbook("T1", 10);
    expect(ob.yesBids.map((l) => l.price)).toEqual([550_000, 540_000]);
    expect(ob.noBids[0]).toEqual({ price: 430_000, count: 1550 });
    expect(fake.calls[0]?.query.get("depth")).toBe("10");
    expect(fake.calls[0]?.signatureOk).toBe(true);
  });

  it("reads orders, fills, settlements, events, series, status, limits and the historical cutoff", async () => {
    new FakeKalshi()
      .on("GET", "/portfolio/orders", [200, { orders: [wireOrder()], cursor: "" }])
      .on("GET", "/portfolio/orders/ord-1", [200, { order: wireOrder({ status: "executed" }) }])
      .on("GET", "/portfolio/fills", [200, { fills: [wireFill()], cursor: "" }])
      .on("GET", "/portfolio/settlements", [200, { settlements: [wireSettlement()], cursor: "" }])
      .on("GET", "/events", [200, { events: [wireEvent({ markets: [wireMarket()] })], cursor: "" }])
      .on("GET", "/events/KXHIGHNY-26NOV30", [
        200,
        // The top-level `markets` is deprecated in favour of the event's own: only the latter is read.
        { event: wireEvent({ markets: [wireMarket()] }), markets: [wireMarket({ ticker: "TOP-LEVEL" })] },
      ])
      .on("GET", "/series/KXHIGHNY", [200, { series: wireSeries() }])
      .on("GET", "/exchange/status", [200, { exchange_active: true, trading_active: false }])
      .on("GET", "/account/limits", [200, wireLimits])
      .on("GET", "/historical/cutoff", [
        200,
        {
          market_settled_ts: "2026-11-01T00:00:00Z",
          trades_created_ts: "2026-11-02T00:00:00Z",
          orders_updated_ts: "2026-11-03T00:00:00Z",
        },
      ]);
    const k = newClient();
    const [order] = await k.getOrders();
    expect(order).toMatchObject({
      orderId: "ord-1",
      clientOrderId: "coid-1",
      outcomeSide: "yes",
      bookSide: "bid",
      yesPrice: 560_000,
      noPrice: 440_000,
      fillCount: 200,
      remainingCount: 800,
      initialCount: 1000,
      takerFillCost: 1_120_000,
      takerFees: 40_000,
      expirationTime: null,
    });
    expect((await k.getOrder("ord-1")).status).toBe("executed");
    expect(await k.getFills()).toEqual([
      {
        fillId: "fill-1",
        tradeId: "fill-1",
        orderId: "ord-1",
        ticker: "KXHIGHNY-26NOV30-T50",
        outcomeSide: "no",
        bookSide: "ask",
        count: 300,
        yesPrice: 560_000,
        noPrice: 440_000,
        isTaker: true,
        fee: 60_000,
        createdTime: Date.parse("2026-11-24T12:00:01Z"),
      },
    ]);
    const [s] = await k.getSettlements();
    // revenue is cents, fee_cost dollars
    expect(s).toMatchObject({ revenue: 10_000_000, fee: 340_000, value: 1_000_000, yesCount: 1000 });
    const [ev] = await k.getEvents({ withNestedMarkets: true });
    expect(ev?.markets?.[0]?.ticker).toBe("KXHIGHNY-26NOV30-T50");
    const e1 = await k.getEvent("KXHIGHNY-26NOV30");
    expect(e1).toMatchObject({
      eventTicker: "KXHIGHNY-26NOV30",
      seriesTicker: "KXHIGHNY",
      subTitle: "On Nov 30, 2026",
    });
    expect(e1.markets?.map((m) => m.ticker)).toEqual(["KXHIGHNY-26NOV30-T50"]);
    expect(await k.getSeries("KXHIGHNY")).toEqual({
      ticker: "KXHIGHNY",
      title: "Highest temperature in NYC",
      category: "Climate and Weather",
      feeType: "quadratic_with_maker_fees",
      feeMultiplier: 1,
      tags: [],
    });
    expect(await k.getExchangeStatus()).toEqual({ exchangeActive: true, tradingActive: false });
    expect(await k.getAccountLimits()).toEqual({
      usageTier: "basic",
      read: { refillRate: 200, bucketCapacity: 200 },
      write: { refillRate: 100, bucketCapacity: 200 },
    });
    expect(await k.getHistoricalCutoff()).toEqual({
      marketSettledTs: Date.parse("2026-11-01T00:00:00Z"),
      tradesCreatedTs: Date.parse("2026-11-02T00:00:00Z"),
      ordersUpdatedTs: Date.parse("2026-11-03T00:00:00Z"),
    });
  });

  it("sends time filters as Unix seconds and applies the exact millisecond range locally", async () => {
    const fake = new FakeKalshi().on("GET", "/portfolio/fills", [
      200,
      {
        fills: [
          wireFill({ fill_id: "early", created_time: "2026-11-24T11:59:59.500Z" }),
          wireFill({ fill_id: "in", created_time: "2026-11-24T12:00:00.500Z" }),
        ],
        cursor: "",
      },
    ]);
    const from = Date.parse("2026-11-24T12:00:00.000Z");
    const fills = await newClient().getFills({ minTs: from, orderId: "ord-1" });
    expect(fills.map((f) => f.fillId)).toEqual(["in"]);
    expect(Number(fake.calls[0]?.query.get("min_ts"))).toBeLessThanOrEqual(from / 1000);
    expect(fake.calls[0]?.query.get("order_id")).toBe("ord-1");
  });
});

describe("pagination and batching", () => {
  it("follows cursors until the last page", async () => {
    const fake = new FakeKalshi().on(
      "GET",
      "/portfolio/orders",
      [200, { orders: [wireOrder({ order_id: "a" })], cursor: "c1" }],
      [200, { orders: [wireOrder({ order_id: "b" })], cursor: "c2" }],
      [200, { orders: [wireOrder({ order_id: "c" })], cursor: "" }],
    );
    const orders = await newClient().getOrders({ status: "resting" });
    expect(orders.map((o) => o.orderId)).toEqual(["a", "b", "c"]);
    expect(fake.calls.map((x) => x.query.get("cursor"))).toEqual([null, "c1", "c2"]);
    expect(fake.calls.every((x) => x.query.get("status") === "resting")).toBe(true);
  });

  it("reads one events page with min_updated_ts / min_close_ts in seconds, the series list and tags by category", async () => {
    const fake = new FakeKalshi()
      .on("GET", "/events", [
        200,
        {
          events: [wireEvent({ markets: [wireMarket()], last_updated_ts: "2026-11-24T12:00:00Z" })],
          cursor: "next",
        },
      ])
      .on("GET", "/series", [200, { series: [wireSeries({ tags: ["Weather"] })] }])
      .on("GET", "/search/tags_by_categories", [
        200,
        { tags_by_categories: { Crypto: ["BTC"], Sports: null } },
      ])
      .on("GET", "/markets", [200, { markets: [], cursor: "" }]);
    const k = newClient();
    const page = await k.getEventsPage({
      withNestedMarkets: true,
      minUpdatedTs: Date.parse("2026-11-24T11:00:00.999Z"),
      minCloseTs: Date.parse("2026-11-25T00:00:00Z"),
      cursor: "c1",
    });
    expect(page.cursor).toBe("next");
    expect(page.events[0]).toMatchObject({
      eventTicker: "KXHIGHNY-26NOV30",
      lastUpdatedTs: Date.parse("2026-11-24T12:00:00Z"),
    });
    expect(page.events[0]!.markets).toHaveLength(1);
    const q = fake.calls[0]!.query;
    expect(Object.fromEntries(q)).toMatchObject({
      with_nested_markets: "true",
      min_updated_ts: String(Date.parse("2026-11-24T11:00:00Z") / 1000),
      min_close_ts: String(Date.parse("2026-11-25T00:00:00Z") / 1000),
      limit: "200",
      cursor: "c1",
    });
    expect((await k.getSeriesList())[0]).toMatchObject({ ticker: "KXHIGHNY", tags: ["Weather"] });
    expect(await k.getTagsByCategories()).toEqual({ Crypto: ["BTC"], Sports: [] });
    await k.getMarkets({ mveFilter: "exclude", minUpdatedTs: 1_700_000_000_500 });
    expect(Object.fromEntries(fake.calls[3]!.query)).toMatchObject({
      mve_filter: "exclude",
      min_updated_ts: "1700000000",
    });
  });

  it("stops at `max` results and at a repeated cursor", async () => {
    const fake = new FakeKalshi().on("GET", "/markets", (call) => [
      200,
      { markets: [wireMarket({ ticker: `M-${call.query.get("cursor") ?? "0"}` })], cursor: "same" },
    ]);
    const ms = await newClient().getMarkets({ status: "open" });
    expect(ms.map((x) => x.ticker)).toEqual(["M-0", "M-same"]);
    expect(fake.calls).toHaveLength(2);
    const limited = await client!.getMarkets({ max: 1 });
    expect(limited).toHaveLength(1);
    expect(fake.calls[2]?.query.get("limit")).toBe("1");
  });

  it("asks for markets by ticker in groups of 100", async () => {
    const fake = new FakeKalshi().on("GET", "/markets", (call) => [
      200,
      {
        markets: (call.query.get("tickers") ?? "").split(",").map((t) => wireMarket({ ticker: t })),
        cursor: "",
      },
    ]);
    const tickers = Array.from({ length: 250 }, (_, i) => `T${i}`);
    const ms = await newClient().getMarkets({ tickers: [...tickers, "T0"] });
    expect(ms.map((x) => x.ticker)).toEqual(tickers);
    expect(fake.calls.map((x) => x.query.get("tickers")?.split(",").length)).toEqual([100, 100, 50]);
    expect(await client!.getMarkets({ tickers: [] })).toEqual([]);
    expect(fake.calls).toHaveLength(3);
  });

  it("fetches orderbooks 100 tickers per request as repeated tickers parameters", async () => {
    const fake = new FakeKalshi().on("GET", "/markets/orderbooks", (call) => [
      200,
      { orderbooks: call.query.getAll("tickers").map((t) => ({ ticker: t, orderbook_fp: wireBook })) },
    ]);
    const tickers = Array.from({ length: 150 }, (_, i) => `T${i}`);
    const books = await newClient().getOrderbooks(tickers);
    expect(books.size).toBe(150);
    expect(books.get("T149")?.yesBids[0]?.price).toBe(550_000);
    expect(fake.calls.map((x) => x.query.getAll("tickers").length)).toEqual([100, 50]);
    expect(fake.calls.every((x) => x.signatureOk)).toBe(true);
  });
});

describe("orders", () => {
  it("creates a V2 order with fixed-point strings and the caller's client_order_id", async () => {
    const fake = new FakeKalshi().on("POST", "/portfolio/events/orders", [201, createdWire]);
    const r = await newClient().createOrder({
      ...createReq,
      count: c(250),
      price: m(12_500),
      reduceOnly: true,
      expirationTime: 1_790_000_000_999,
    });
    expect(fake.calls[0]?.body).toEqual({
      ticker: createReq.ticker,
      side: "bid",
      count: "2.50",
      price: "0.0125",
      time_in_force: "good_till_canceled",
      self_trade_prevention_type: "taker_at_cross",
      client_order_id: createReq.clientOrderId,
      reduce_only: true,
      expiration_time: 1_790_000_000,
    });
    expect(fake.calls[0]?.signatureOk).toBe(true);
    expect(r).toEqual({
      orderId: "ord-9",
      clientOrderId: createReq.clientOrderId,
      fillCount: 400,
      remainingCount: 600,
      averageFillPrice: 550_000,
      averageFeePaid: 17_300,
      tsMs: 1_790_000_000_123,
    });
  });

  it("refuses bad orders before sending anything", async () => {
    const fake = new FakeKalshi();
    const k = newClient();
    await expect(k.createOrder({ ...createReq, clientOrderId: "" })).rejects.toThrow(/client order id/);
    await expect(k.createOrder({ ...createReq, price: m(1_000_000) })).rejects.toThrow(/price/);
    await expect(k.createOrder({ ...createReq, count: c(0) })).rejects.toThrow(/contracts/);
    await expect(
      k.createOrder({ ...createReq, timeInForce: "immediate_or_cancel", expirationTime: 1 }),
    ).rejects.toThrow(/expiration/);
    expect(fake.calls).toHaveLength(0);
  });

  it("treats a 2xx create answer without order_id as a failure when no order exists", async () => {
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [200, { ok: true }])
      .on("GET", "/portfolio/orders", [200, { orders: [], cursor: "" }]);
    const err = await newClient()
      .createOrder(createReq)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).code).toBe("missing_order_id");
    expect((err as KalshiApiError).outcomeUnknown).toBe(true);
    expect(fake.callsTo("GET", "/portfolio/orders")[0]?.query.get("ticker")).toBe(createReq.ticker);
  });

  it("finds the order by client_order_id when a 2xx create answer is unreadable", async () => {
    new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [201, "<html>ok</html>"])
      .on("GET", "/portfolio/orders", [
        200,
        { orders: [wireOrder({ order_id: "ord-9", client_order_id: createReq.clientOrderId })], cursor: "" },
      ]);
    const r = await newClient().createOrder(createReq);
    expect(r.orderId).toBe("ord-9");
    expect(r.remainingCount).toBe(800);
  });

  it("reads the order back when the create answer has an order id but drifted otherwise", async () => {
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [201, { ...createdWire, fill_count: 4 }])
      .on("GET", "/portfolio/orders/ord-9", [200, { order: wireOrder({ order_id: "ord-9" }) }]);
    const r = await newClient().createOrder(createReq);
    expect(r.orderId).toBe("ord-9");
    expect(r.fillCount).toBe(200);
    expect(fake.callsTo("POST", /.*/)).toHaveLength(1);
  });

  it("a create recovered from a 409 carries the order's average YES fill price and fee per contract", async () => {
    // A sell of YES (book side ask, outcome NO) at a $0.40 limit: 1 contract taken at NO $0.58,
    // 2 made at NO $0.60. Costs are NO prices: $1.78 / 3 = $0.593333, so YES $0.406667.
    const sell = wireOrder({
      order_id: "ord-9",
      client_order_id: createReq.clientOrderId,
      outcome_side: "no",
      book_side: "ask",
      status: "executed",
      yes_price_dollars: "0.4000",
      no_price_dollars: "0.6000",
      fill_count_fp: "3.00",
      remaining_count_fp: "0.00",
      initial_count_fp: "3.00",
      taker_fill_cost_dollars: "0.580000",
      maker_fill_cost_dollars: "1.200000",
      taker_fees_dollars: "0.020000",
      maker_fees_dollars: "0.010000",
    });
    new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [
        409,
        { error: { code: "duplicate_client_order_id", message: "order already exists" } },
      ])
      .on("GET", "/portfolio/orders", [200, { orders: [sell], cursor: "" }]);
    const r = await newClient().createOrder({ ...createReq, side: "ask", price: m(400_000), count: c(300) });
    expect(r).toMatchObject({
      orderId: "ord-9",
      fillCount: 300,
      remainingCount: 0,
      averageFillPrice: 406_667,
      averageFeePaid: 10_000,
    });
  });

  it("cancels through DELETE /portfolio/events/orders/{id}, routed by market_ticker", async () => {
    const fake = new FakeKalshi().on("DELETE", "/portfolio/events/orders/ord-1", [
      200,
      { order_id: "ord-1", client_order_id: "coid-1", reduced_by: "8.00", ts_ms: 1_790_000_000_000 },
    ]);
    expect(await newClient().cancelOrder("ord-1", "KXBTC-26DEC01-T1")).toEqual({
      orderId: "ord-1",
      clientOrderId: "coid-1",
      reducedBy: 800,
      tsMs: 1_790_000_000_000,
    });
    expect(fake.calls[0]?.signatureOk).toBe(true);
    expect(fake.calls[0]?.query.get("market_ticker")).toBe("KXBTC-26DEC01-T1");
  });

  it("refuses to send a cancel, decrease or amend without its market (it would go to shard 0)", async () => {
    const fake = new FakeKalshi();
    const k = newClient();
    await expect(k.cancelOrder("ord-1", "")).rejects.toBeInstanceOf(KalshiRequestError);
    await expect(k.decreaseOrder({ orderId: "ord-1", ticker: "", reduceBy: c(1) })).rejects.toBeInstanceOf(
      KalshiRequestError,
    );
    await expect(k.cancelOrders([{ orderId: "ord-1", ticker: "" }])).rejects.toBeInstanceOf(
      KalshiRequestError,
    );
    expect(fake.calls).toHaveLength(0);
  });

  it("a decrease TO a count is re-sent after a 500 (the same target twice is harmless)", async () => {
    const fake = new FakeKalshi().on(
      "POST",
      "/portfolio/events/orders/ord-1/decrease",
      [500, { error: "internal" }],
      [200, { order_id: "ord-1", remaining_count: "4.00", ts_ms: 5 }],
    );
    const r = await newClient().decreaseOrder({ orderId: "ord-1", ticker: "KXBTCD-X", reduceTo: c(400) });
    expect(r.remainingCount).toBe(400);
    expect(fake.callsTo("POST", "/portfolio/events/orders/ord-1/decrease")).toHaveLength(2);
  });

  it("a decrease BY a count is never re-sent after a 500: its outcome is unknown (twice would take 2N off)", async () => {
    const fake = new FakeKalshi().on(
      "POST",
      "/portfolio/events/orders/ord-1/decrease",
      [500, { error: "internal" }],
      [200, { order_id: "ord-1", remaining_count: "3.00", ts_ms: 5 }],
    );
    const err = await newClient()
      .decreaseOrder({ orderId: "ord-1", ticker: "KXBTCD-X", reduceBy: c(100) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).outcomeUnknown).toBe(true);
    expect(fake.callsTo("POST", "/portfolio/events/orders/ord-1/decrease")).toHaveLength(1);
  });

  it("decrease sends exactly one of reduce_by / reduce_to, with market_ticker", async () => {
    const fake = new FakeKalshi().on("POST", "/portfolio/events/orders/ord-1/decrease", [
      200,
      { order_id: "ord-1", client_order_id: "coid-1", remaining_count: "4.00", ts_ms: 5 },
    ]);
    const k = newClient();
    expect(await k.decreaseOrder({ orderId: "ord-1", ticker: "KXBTCD-X", reduceTo: c(400) })).toEqual({
      orderId: "ord-1",
      clientOrderId: "coid-1",
      remainingCount: 400,
      tsMs: 5,
    });
    expect(fake.calls[0]?.body).toEqual({ market_ticker: "KXBTCD-X", reduce_to: "4.00" });
    const both = {
      orderId: "ord-1",
      ticker: "KXBTCD-X",
      reduceBy: c(1),
      reduceTo: c(2),
    } as unknown as Parameters<KalshiClient["decreaseOrder"]>[0];
    await expect(k.decreaseOrder(both)).rejects.toThrow(/exactly one/);
    expect(fake.calls).toHaveLength(1);
  });

  it("amend sends the new TOTAL count, the ticker, side, price and both client order ids", async () => {
    const fake = new FakeKalshi().on("POST", "/portfolio/events/orders/ord-1/amend", [
      200,
      { order_id: "ord-1", client_order_id: "coid-2", ts_ms: 9 },
    ]);
    const r = await newClient().amendOrder({
      orderId: "ord-1",
      ticker: "KXBTCD-X",
      side: "bid",
      price: m(570_000),
      count: c(800),
      clientOrderId: "coid-1",
      updatedClientOrderId: "coid-2",
    });
    expect(r).toEqual({
      orderId: "ord-1",
      clientOrderId: "coid-2",
      remainingCount: null,
      fillCount: null,
      averageFillPrice: null,
      averageFeePaid: null,
      tsMs: 9,
    });
    expect(fake.calls[0]?.body).toEqual({
      ticker: "KXBTCD-X",
      side: "bid",
      price: "0.5700",
      count: "8.00",
      client_order_id: "coid-1",
      updated_client_order_id: "coid-2",
    });
  });

  it("batch cancel: market_ticker per item, per-item results in the caller's order, errors kept", async () => {
    const fake = new FakeKalshi().on("DELETE", "/portfolio/events/orders/batched", [
      200,
      {
        orders: [
          {
            order_id: "b",
            reduced_by: "0.00",
            ts_ms: null,
            error: { code: "not_found", message: "order not found" },
          },
          { order_id: "a", client_order_id: "ca", reduced_by: "3.00", ts_ms: 7 },
        ],
      },
    ]);
    const r = await newClient().cancelOrders([
      { orderId: "a", ticker: "KXA" },
      { orderId: "b", ticker: "KXBTCD-B" },
      { orderId: "c", ticker: "KXC" },
    ]);
    expect(r).toEqual([
      { ok: true, orderId: "a", clientOrderId: "ca", reducedBy: 300, tsMs: 7 },
      { ok: false, orderId: "b", error: { code: "not_found", message: "order not found", details: null } },
      expect.objectContaining({ ok: false, orderId: "c" }),
    ]);
    expect(fake.calls[0]?.body).toEqual({
      orders: [
        { order_id: "a", market_ticker: "KXA" },
        { order_id: "b", market_ticker: "KXBTCD-B" },
        { order_id: "c", market_ticker: "KXC" },
      ],
    });
  });

  it("cancel-all is DELETE /portfolio/events/orders and accepts its empty 204", async () => {
    const fake = new FakeKalshi().on("DELETE", "/portfolio/events/orders", [204, ""]);
    await newClient().cancelAllOrders();
    expect(fake.calls.map((x) => `${x.method} ${x.path}`)).toEqual(["DELETE /portfolio/events/orders"]);
  });

  it("reads the balance per shard and the API key's region expiry (seconds → ms)", async () => {
    new FakeKalshi()
      .on("GET", "/portfolio/balance", [
        200,
        {
          balance: 12345,
          balance_dollars: "123.45",
          portfolio_value: 0,
          updated_ts: 1,
          balance_breakdown: [
            { exchange_index: 1, balance: "23.4500" },
            { exchange_index: 0, balance: "100.0000" },
          ],
        },
      ])
      .on("GET", "/api_keys", [200, { api_keys: [], api_key_region_expiration_ts: 1_795_000_000 }]);
    const k = newClient();
    expect((await k.getBalance()).byShard).toEqual([
      { exchangeIndex: 0, balance: 100_000_000 },
      { exchangeIndex: 1, balance: 23_450_000 },
    ]);
    expect(await k.getApiKeys()).toEqual({ keys: [], regionExpiration: 1_795_000_000_000 });
  });
});

describe("retries", () => {
  const okBalance = { balance: 100, balance_dollars: "1.00", portfolio_value: 0, updated_ts: 1 };

  it("retries a read after 5xx and network errors, then succeeds", async () => {
    nock(ORIGIN)
      .get("/trade-api/v2/portfolio/balance")
      .reply(503, "Service Unavailable")
      .get("/trade-api/v2/portfolio/balance")
      .replyWithError(netErr("ECONNRESET"))
      .get("/trade-api/v2/portfolio/balance")
      .reply(200, okBalance);
    const b = await newClient().getBalance();
    expect(b.balance).toBe(1_000_000);
    expect(nock.isDone()).toBe(true);
  });

  it("gives up on a read after 3 retries with the last 5xx", async () => {
    const scope = nock(ORIGIN)
      .get("/trade-api/v2/portfolio/balance")
      .times(4)
      .reply(500, { error: { code: "internal_error", message: "boom" } });
    const err = await newClient()
      .getBalance()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).status).toBe(500);
    expect((err as KalshiApiError).outcomeUnknown).toBe(false);
    expect(scope.isDone()).toBe(true);
  });

  it("times out a slow read as a network error", async () => {
    nock(ORIGIN).get("/trade-api/v2/exchange/status").times(4).delay(300).reply(200, {});
    const err = await newClient({ timeoutMs: 40 })
      .getExchangeStatus()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect((err as KalshiNetworkError).kind).toBe("timeout");
  });

  it("retries 429 up to 5 times", async () => {
    const tooMany = { error: "too many requests" };
    nock(ORIGIN).get("/trade-api/v2/portfolio/balance").times(3).reply(429, tooMany);
    nock(ORIGIN).get("/trade-api/v2/portfolio/balance").reply(200, okBalance);
    expect((await newClient().getBalance()).balance).toBe(1_000_000);

    const scope = nock(ORIGIN).get("/trade-api/v2/portfolio/balance").times(6).reply(429, tooMany);
    const err = await client!.getBalance().catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).status).toBe(429);
    expect((err as KalshiApiError).kalshiMessage).toBe("too many requests");
  });

  it("never retries other 4xx", async () => {
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [
        400,
        { error: { code: "invalid_price", message: "invalid price", service: "exchange" } },
      ])
      .on("GET", "/markets/NOPE", [404, { error: { code: "not_found", message: "market not found" } }]);
    const k = newClient();
    const e1 = await k.createOrder(createReq).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(KalshiApiError);
    expect((e1 as KalshiApiError).code).toBe("invalid_price");
    expect((e1 as KalshiApiError).outcomeUnknown).toBe(false);
    const e2 = await k.getMarket("NOPE").catch((e: unknown) => e);
    expect((e2 as KalshiApiError).status).toBe(404);
    expect(fake.calls).toHaveLength(2);
  });

  it("after a 5xx looks the order up first, re-sends only when it is not there (identical body), retries 429", async () => {
    const fake = new FakeKalshi()
      .on(
        "POST",
        "/portfolio/events/orders",
        [503, { error: { code: "service_unavailable", message: "try later" } }],
        [429, { error: "too many requests" }],
        [201, createdWire],
      )
      .on("GET", "/portfolio/orders", [
        200,
        { orders: [wireOrder({ client_order_id: "someone-else" })], cursor: "" },
      ]);
    const r = await newClient().createOrder(createReq);
    expect(r.orderId).toBe("ord-9");
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /portfolio/events/orders",
      "GET /portfolio/orders",
      "POST /portfolio/events/orders",
      "POST /portfolio/events/orders",
    ]);
    const lookup = fake.calls[1]!;
    expect(lookup.query.get("ticker")).toBe(createReq.ticker);
    expect(Number(lookup.query.get("min_ts"))).toBeGreaterThan(0);
    const posts = fake.callsTo("POST", "/portfolio/events/orders");
    expect(new Set(posts.map((x) => JSON.stringify(x.body))).size).toBe(1);
    expect((posts[0]?.body as { client_order_id: string }).client_order_id).toBe(createReq.clientOrderId);
    // Each attempt is signed afresh.
    expect(fake.calls.every((x) => x.signatureOk)).toBe(true);
  });

  it("a dropped answer of an IOC that filled: found by client_order_id, never sent again (one order)", async () => {
    nock(ORIGIN).post("/trade-api/v2/portfolio/events/orders").replyWithError(netErr("ECONNRESET"));
    const fake = new FakeKalshi().on("GET", "/portfolio/orders", [
      200,
      {
        orders: [
          wireOrder({
            order_id: "ord-9",
            client_order_id: createReq.clientOrderId,
            status: "executed",
            fill_count_fp: "10.00",
            remaining_count_fp: "0.00",
            taker_fill_cost_dollars: "5.600000",
          }),
        ],
        cursor: "",
      },
    ]);
    const ioc = { ...createReq, timeInForce: "immediate_or_cancel" as const };
    const r = await newClient().createOrder(ioc);
    expect(r).toMatchObject({
      orderId: "ord-9",
      clientOrderId: createReq.clientOrderId,
      fillCount: 1000,
      remainingCount: 0,
      averageFillPrice: 560_000,
    });
    expect(fake.callsTo("POST", "/portfolio/events/orders")).toHaveLength(0);
    expect(fake.callsTo("GET", "/portfolio/orders")).toHaveLength(1);
  });

  it("after a create timed out, finds the order by client_order_id before anything is re-sent", async () => {
    nock(ORIGIN).post("/trade-api/v2/portfolio/events/orders").delay(300).reply(201, createdWire);
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [
        409,
        { error: { code: "duplicate_client_order_id", message: "order already exists" } },
      ])
      .on("GET", "/portfolio/orders", [
        200,
        {
          orders: [
            wireOrder({ order_id: "other", client_order_id: "x" }),
            wireOrder({ order_id: "ord-9", client_order_id: createReq.clientOrderId }),
          ],
          cursor: "",
        },
      ]);
    const r = await newClient({ timeoutMs: 50 }).createOrder(createReq);
    expect(r.orderId).toBe("ord-9");
    expect(r.clientOrderId).toBe(createReq.clientOrderId);
    // The order's totals: 2 contracts for $1.12 and $0.04 in fees.
    expect(r.averageFillPrice).toBe(560_000);
    expect(r.averageFeePaid).toBe(20_000);
    expect(fake.callsTo("POST", "/portfolio/events/orders")).toHaveLength(0);
  });

  it("after an open attempt and a lookup that finds nothing, a refused re-send is checked once more", async () => {
    nock(ORIGIN).post("/trade-api/v2/portfolio/events/orders").replyWithError(netErr("ECONNRESET"));
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [
        409,
        { error: { code: "order_already_exists", message: "order already exists" } },
      ])
      .on(
        "GET",
        "/portfolio/orders",
        [200, { orders: [], cursor: "" }],
        [
          200,
          {
            orders: [wireOrder({ order_id: "ord-9", client_order_id: createReq.clientOrderId })],
            cursor: "",
          },
        ],
      );
    const r = await newClient().createOrder(createReq);
    expect(r.orderId).toBe("ord-9");
    expect(fake.callsTo("POST", "/portfolio/events/orders")).toHaveLength(1);
    expect(fake.callsTo("GET", "/portfolio/orders")).toHaveLength(2);
  });

  it("a 409 on the re-send after an open attempt leaves the outcome open when the lookups still miss it", async () => {
    // The 409 says an open order with this client_order_id exists; the listing has not caught up.
    nock(ORIGIN).post("/trade-api/v2/portfolio/events/orders").replyWithError(netErr("ECONNRESET"));
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [
        409,
        { error: { code: "order_already_exists", message: "order already exists" } },
      ])
      .on("GET", "/portfolio/orders", [200, { orders: [], cursor: "" }]);
    const err = await newClient()
      .createOrder(createReq)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).outcomeUnknown).toBe(true);
    expect(fake.callsTo("POST", "/portfolio/events/orders")).toHaveLength(1);
  });

  it("after an open attempt, a re-send that is never let through (429 throughout) leaves the outcome open", async () => {
    nock(ORIGIN).post("/trade-api/v2/portfolio/events/orders").replyWithError(netErr("ECONNRESET"));
    const fake = new FakeKalshi()
      .on("POST", "/portfolio/events/orders", [429, { error: "too many requests" }])
      .on("GET", "/portfolio/orders", [200, { orders: [], cursor: "" }]);
    const err = await newClient()
      .createOrder(createReq)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    // The first attempt may have reached Kalshi: "not placed" would be a guess.
    expect((err as KalshiApiError).outcomeUnknown).toBe(true);
    expect(fake.callsTo("GET", "/portfolio/orders").length).toBeGreaterThanOrEqual(1);
  });

  it("reports an unknown outcome when a create never got an answer", async () => {
    nock(ORIGIN).post("/trade-api/v2/portfolio/events/orders").times(4).replyWithError(netErr("ECONNRESET"));
    nock(ORIGIN)
      .get(/\/trade-api\/v2\/portfolio\/orders.*/)
      .replyWithError(netErr("ECONNRESET"))
      .persist();
    const err = await newClient()
      .createOrder(createReq)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect((err as KalshiNetworkError).outcomeUnknown).toBe(true);
  });

  it("knows a create was not sent when the connection was refused", async () => {
    nock(ORIGIN)
      .post("/trade-api/v2/portfolio/events/orders")
      .times(4)
      .replyWithError(netErr("ECONNREFUSED"));
    const err = await newClient()
      .createOrder(createReq)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiNetworkError);
    expect((err as KalshiNetworkError).outcomeUnknown).toBe(false);
  });

  it("retries a cancel and accepts an order found canceled after an uncertain first attempt", async () => {
    const fake = new FakeKalshi()
      .on(
        "DELETE",
        "/portfolio/events/orders/ord-1",
        [502, "Bad Gateway"],
        [404, { error: { code: "not_found", message: "order not found" } }],
      )
      .on("GET", "/portfolio/orders/ord-1", [
        200,
        { order: wireOrder({ status: "canceled", remaining_count_fp: "0.00" }) },
      ]);
    const r = await newClient().cancelOrder("ord-1", "KXBTC-26DEC01-T1");
    expect(r.reducedBy).toBe(800);
    expect(fake.callsTo("DELETE", /.*/)).toHaveLength(2);
  });
});

describe("orderAverages (a recovered create's averages from the order's totals)", () => {
  const order = (over: Record<string, unknown>) => S.orderFromWire(S.OrderWire.parse(wireOrder(over)));

  it("averages a buy's YES costs and rounds the fee half-up to the micro-dollar", () => {
    // 3 contracts for $1.65 (YES 0.55 each); fees $0.05 / 3 = $0.0166666… → $0.016667.
    const o = order({
      fill_count_fp: "3.00",
      taker_fill_cost_dollars: "1.100000",
      maker_fill_cost_dollars: "0.550000",
      taker_fees_dollars: "0.040000",
      maker_fees_dollars: "0.010000",
    });
    expect(orderAverages(o)).toEqual({ averageFillPrice: 550_000, averageFeePaid: 16_667 });
    // A half micro-dollar rounds up: $0.000003 over 2 contracts.
    const tie = order({ taker_fees_dollars: "0.000003", maker_fees_dollars: "0.000000" });
    expect(orderAverages(tie).averageFeePaid).toBe(2);
  });

  it("is null when nothing filled", () => {
    const o = order({
      fill_count_fp: "0.00",
      taker_fill_cost_dollars: "0.000000",
      taker_fees_dollars: "0.000000",
    });
    expect(orderAverages(o)).toEqual({ averageFillPrice: null, averageFeePaid: null });
  });

  it("leaves the price unknown rather than wrong when the costs do not fit the limit", () => {
    // A sell of YES at $0.70 whose costs read as YES prices ($0.72) would come out as YES $0.28,
    // below its limit: impossible, so the unit assumption is wrong for this order.
    const o = order({
      outcome_side: "no",
      book_side: "ask",
      yes_price_dollars: "0.7000",
      no_price_dollars: "0.3000",
      taker_fill_cost_dollars: "1.440000",
    });
    expect(orderAverages(o)).toEqual({ averageFillPrice: null, averageFeePaid: 20_000 });
    // A buy of YES at $0.56 that cost $0.60 a contract: also impossible.
    expect(orderAverages(order({ taker_fill_cost_dollars: "1.200000" })).averageFillPrice).toBeNull();
  });
});

describe("schema drift", () => {
  it("names the endpoint and the field", async () => {
    new FakeKalshi()
      .on("GET", "/portfolio/balance", [
        200,
        { balance: 1, balance_dollars: 1.0, portfolio_value: 0, updated_ts: 1 },
      ])
      .on("GET", "/markets", [
        200,
        { markets: [wireMarket(), wireMarket({ yes_bid_dollars: undefined })], cursor: "" },
      ])
      .on("GET", "/portfolio/positions", [
        200,
        { market_positions: [wirePosition({ position_fp: "ten" })], event_positions: [], cursor: "" },
      ]);
    const k = newClient();
    await expect(k.getBalance()).rejects.toThrow(
      new KalshiSchemaError("GET /portfolio/balance", "balance_dollars", "expected string, received number"),
    );
    const e2 = await k.getMarkets().catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(KalshiSchemaError);
    expect((e2 as Error).message).toBe("GET /markets: markets.1.yes_bid_dollars: missing (expected string)");
    await expect(k.getPositions()).rejects.toThrow(
      /GET \/portfolio\/positions: market_positions\.0\.position_fp/,
    );
  });

  it("rejects a 2xx answer that is not JSON", async () => {
    new FakeKalshi().on("GET", "/exchange/status", [200, "<html>maintenance</html>"]);
    await expect(newClient().getExchangeStatus()).rejects.toThrow(KalshiSchemaError);
  });
});

describe("logging", () => {
  it("logs method, path, status, time and attempt, and never the key id, key or signature", async () => {
    const { logger, lines } = memoryLogger();
    const fake = new FakeKalshi()
      .on(
        "GET",
        "/portfolio/balance",
        [500, "oops"],
        [200, { balance: 1, balance_dollars: "0.01", portfolio_value: 0, updated_ts: 1 }],
      )
      .on("POST", "/portfolio/events/orders", [
        401,
        {
          error: {
            code: "authentication_error",
            message: "authentication_error",
            details: "INCORRECT_API_KEY_SIGNATURE",
          },
        },
      ]);
    const k = newClient({ logger });
    await k.getBalance();
    const err = await k.createOrder(createReq).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries[0]).toMatchObject({ method: "GET", path: "/portfolio/balance", status: 500, attempt: 1 });
    expect(entries[1]).toMatchObject({ method: "GET", path: "/portfolio/balance", status: 200, attempt: 2 });
    expect(typeof entries[1]?.ms).toBe("number");
    expect(entries[2]).toMatchObject({ method: "POST", path: "/portfolio/events/orders", status: 401 });

    const signatures = fake.calls.map((x) => String(x.headers["kalshi-access-signature"]));
    const pemBody = privatePem.split("\n")[1]!;
    const everything = [...lines, String(err), JSON.stringify(err), (err as Error).stack ?? ""].join("\n");
    expect(everything).not.toContain(KEY_ID);
    expect(everything).not.toContain(pemBody);
    for (const s of signatures) expect(everything).not.toContain(s);
    expect(everything.toLowerCase()).not.toContain("kalshi-access");
  });
});

describe("construction", () => {
  it("requires a base URL ending with /trade-api/v2", () => {
    expect(() => makeClient({ baseUrl: "http://kalshi.test/api" })).toThrow(/\/trade-api\/v2/);
    expect(() => makeClient({ baseUrl: `${BASE}/` })).not.toThrow();
  });

  it("sizes the rate budget from /account/limits, or falls back to the Basic tier", async () => {
    new FakeKalshi().on("GET", "/account/limits", [
      200,
      { ...wireLimits, usage_tier: "premier", read: { refill_rate: 1000, bucket_capacity: 1000 } },
    ]);
    const k = await KalshiClient.create({
      baseUrl: BASE,
      keyId: KEY_ID,
      privateKey: (await import("./helpers.js")).privateKey,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    client = k;
    expect(k.limiter?.read.limit).toEqual({ refillRate: 1000, bucketCapacity: 1000 });
    expect(k.limiter?.write.limit).toEqual({ refillRate: 100, bucketCapacity: 200 });
    await k.close();
    nock.cleanAll();

    new FakeKalshi().on("GET", "/account/limits", [403, { error: { code: "forbidden", message: "no" } }]);
    const k2 = await KalshiClient.create({
      baseUrl: BASE,
      keyId: KEY_ID,
      privateKey: (await import("./helpers.js")).privateKey,
    });
    client = k2;
    expect(k2.limiter?.read.limit).toEqual({ refillRate: 200, bucketCapacity: 200 });
    // Without /account/limits, Basic's write bucket holds 100 tokens (not 200).
    expect(k2.limiter?.write.limit).toEqual({ refillRate: 100, bucketCapacity: 100 });
    // Without /account/endpoint_costs, the documented costs.
    expect(k2.costs.cost("DELETE /portfolio/events/orders/{order_id}")).toBe(2);
    expect(k2.costs.cost("DELETE /portfolio/events/orders/batched", 7)).toBe(14);
    expect(k2.costs.cost("POST /portfolio/events/orders/batched", 3)).toBe(30);
    expect(k2.costs.cost("POST /portfolio/events/orders")).toBe(10);
  });

  it("prices each request from /account/endpoint_costs: a cancel spends what Kalshi lists", async () => {
    new FakeKalshi()
      .on("GET", "/account/limits", [200, wireLimits])
      .on("GET", "/account/endpoint_costs", [
        200,
        {
          default_cost: 12,
          endpoint_costs: [
            { method: "DELETE", path: "/trade-api/v2/portfolio/events/orders/{order_id}", cost: 3 },
          ],
        },
      ])
      .on("DELETE", "/portfolio/events/orders/ord-1", [
        200,
        { order_id: "ord-1", client_order_id: null, reduced_by: "1.00", ts_ms: 1 },
      ]);
    const k = await KalshiClient.create({
      baseUrl: BASE,
      keyId: KEY_ID,
      privateKey: (await import("./helpers.js")).privateKey,
    });
    client = k;
    expect(k.costs.cost("GET /portfolio/balance")).toBe(12);
    const before = k.limiter!.write.available();
    await k.cancelOrder("ord-1", "KXHIGHNY-26NOV30-T50");
    expect(before - k.limiter!.write.available()).toBe(3);
  });

  it("fails requests after close", async () => {
    new FakeKalshi();
    const k = newClient();
    await k.close();
    await expect(k.getBalance()).rejects.toBeInstanceOf(KalshiNetworkError);
  });
});
