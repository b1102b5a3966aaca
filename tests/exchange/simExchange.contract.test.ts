/**
 * The in-process double (tests/support/simExchange.ts) must answer exactly what the Kalshi adapter
 * answers against the sim over HTTP: both ports read one running sim's engine and the same calls
 * go through each; every value (and every refusal's status and code) must be equal.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KalshiApiError } from "../../src/exchange/errors.js";
import { KalshiClient } from "../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../src/exchange/kalshi/signer.js";
import type { ExchangePort } from "../../src/exchange/port.js";
import { contracts, micros } from "../../src/domain/money.js";
import { type SimServer, startSim } from "../../src/sim/server.js";
import { SimExchange } from "../support/simExchange.js";

let sim: SimServer;
let client: KalshiClient;
let port: SimExchange;

beforeEach(async () => {
  const t0 = Date.now();
  sim = await startSim({ livingMarket: false, rateLimit: false, now: () => t0 });
  client = new KalshiClient({
    baseUrl: sim.baseUrl,
    keyId: sim.keyId,
    privateKey: loadPrivateKey(sim.privateKeyPem),
    rateLimit: false,
  });
  port = new SimExchange({ engine: sim.engine });
});

afterEach(async () => {
  await client.close();
  await sim.close();
});

/** An open market on `shard` with a two-sided book. */
function openMarket(shard: number) {
  const m = sim.engine
    .markets()
    .find(
      (x) =>
        x.status === "active" &&
        sim.engine.exchangeIndex(x.ticker) === shard &&
        sim.engine.top(x.ticker).bid !== null &&
        sim.engine.top(x.ticker).ask !== null,
    );
  if (!m) throw new Error(`no open market on shard ${shard}`);
  return m;
}

type Call = (p: ExchangePort) => Promise<unknown>;

async function both<T>(call: (p: ExchangePort) => Promise<T>): Promise<[T, T]> {
  return [await call(client), await call(port)];
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string }> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(KalshiApiError);
  const k = e as KalshiApiError;
  return { status: k.status, code: k.code };
}

describe("SimExchange answers like KalshiClient against the sim", () => {
  it("market data, account and lists are the same values", async () => {
    const m = openMarket(0);
    for (const call of <Call[]>[
      (p: ExchangePort) => p.getEvent(m.eventTicker),
      (p: ExchangePort) => p.getMarket(m.ticker),
      (p: ExchangePort) => p.getOrderbook(m.ticker),
      (p: ExchangePort) => p.getOrderbook(m.ticker, 2),
      (p: ExchangePort) => p.getOrderbooks([m.ticker, "NO-SUCH-MARKET"]),
      (p: ExchangePort) => p.getMarkets({ eventTicker: m.eventTicker }),
      (p: ExchangePort) => p.getMarkets({ status: "open", max: 5 }),
      (p: ExchangePort) => p.getSeries(m.seriesTicker),
      (p: ExchangePort) => p.getSeriesList(),
      (p: ExchangePort) => p.getTagsByCategories(),
      (p: ExchangePort) => p.getEventsPage({ status: "open", limit: 3, withNestedMarkets: true }),
      (p: ExchangePort) => p.getBalance(),
      (p: ExchangePort) => p.getExchangeStatus(),
      (p: ExchangePort) => p.getEndpointCosts(),
      (p: ExchangePort) => p.getHistoricalCutoff(),
    ]) {
      const [viaHttp, inProcess] = await both(call);
      expect(inProcess).toEqual(viaHttp);
    }
  });

  it("orders, fills, positions and cancels are the same values", async () => {
    const m = openMarket(0);
    const top = sim.engine.top(m.ticker);
    // A taker fill through the double, a resting order through the client: both see both.
    const taken = await port.createOrder({
      ticker: m.ticker,
      side: "bid",
      count: contracts(3),
      price: top.ask!,
      timeInForce: "immediate_or_cancel",
      clientOrderId: "contract-ioc",
    });
    const resting = await client.createOrder({
      ticker: m.ticker,
      side: "bid",
      count: contracts(2),
      price: micros(top.bid! - 10_000),
      timeInForce: "good_till_canceled",
      clientOrderId: "contract-gtc",
    });
    expect(taken.fillCount).toBe(contracts(3));
    expect(resting.remainingCount).toBe(contracts(2));
    for (const call of <Call[]>[
      (p: ExchangePort) => p.getOrders(),
      (p: ExchangePort) => p.getOrders({ status: "resting", ticker: m.ticker }),
      (p: ExchangePort) => p.getOrder(taken.orderId),
      (p: ExchangePort) => p.getOrder(resting.orderId),
      (p: ExchangePort) => p.getQueuePositions([m.ticker, "NO-SUCH-MARKET"]),
      (p: ExchangePort) => p.getQueuePositions([]),
      (p: ExchangePort) => p.getFills(),
      (p: ExchangePort) => p.getFills({ orderId: taken.orderId }),
      (p: ExchangePort) => p.getPositions(),
      (p: ExchangePort) => p.getPositions({ all: true }),
      (p: ExchangePort) => p.getBalance(),
      (p: ExchangePort) => p.getHistoricalFills(),
    ]) {
      const [viaHttp, inProcess] = await both(call);
      expect(inProcess).toEqual(viaHttp);
    }
    // The same refusals: a duplicate client_order_id of an open order, a cancel routed to another market.
    const again = {
      ticker: m.ticker,
      side: "bid" as const,
      count: contracts(1),
      price: micros(top.bid! - 10_000),
      timeInForce: "good_till_canceled" as const,
      clientOrderId: "contract-gtc",
    };
    // The one difference: the adapter answers a 409 on create by looking the order up by
    // client_order_id (reconciliation), the double gives the sim's refusal as it is.
    expect(await refusal(port.createOrder(again))).toEqual({
      status: 409,
      code: "duplicate_client_order_id",
    });
    expect((await client.createOrder(again)).orderId).toBe(resting.orderId);
    const other = sim.engine.markets().find((x) => x.status === "active" && x.ticker !== m.ticker)!;
    for (const call of <Call[]>[
      (p: ExchangePort) => p.cancelOrder(resting.orderId, other.ticker),
      (p: ExchangePort) => p.getMarket("NO-SUCH-MARKET"),
      (p: ExchangePort) => p.getOrder("no-such-order"),
    ]) {
      expect(await refusal(call(port))).toEqual(await refusal(call(client)));
    }
    const decreased = await port.decreaseOrder({
      orderId: resting.orderId,
      ticker: m.ticker,
      reduceBy: contracts(1),
    });
    expect(decreased.remainingCount).toBe(contracts(1));
    const [afterHttp, afterInProcess] = await both((p) => p.getOrder(resting.orderId));
    expect(afterInProcess).toEqual(afterHttp);
    const canceled = await port.cancelOrders([
      { orderId: resting.orderId, ticker: m.ticker },
      { orderId: taken.orderId, ticker: m.ticker },
    ]);
    expect(canceled.map((r) => r.ok)).toEqual([true, false]);
    const [ordersHttp, ordersInProcess] = await both((p) => p.getOrders());
    expect(ordersInProcess).toEqual(ordersHttp);
  });
});
