/**
 * The exchange double (tests/support/simExchange.ts): its seed helpers, and the Kalshi rules it
 * keeps because every call goes through the sim's engine.
 */
import { describe, expect, it } from "vitest";
import { KalshiApiError, KalshiNetworkError, KalshiRequestError } from "../../src/exchange/errors.js";
import { contracts } from "../../src/domain/money.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, usd } from "./helpers.js";

function fx(opts: { historicalCutoffMs?: number } = {}) {
  const f = new SimExchange({ now: () => T0, ...opts });
  f.addMarket({ ticker: "KXA-1" });
  f.setBook("KXA-1", { yes: [["0.55", 10]], no: [["0.40", 10]] });
  return f;
}

describe("SimExchange (the shared exchange double)", () => {
  it("client_order_id is strict: refused (409) while an order with it rests, a new order once it is done", async () => {
    const f = fx();
    const req = {
      ticker: "KXA-1",
      side: "bid",
      count: contracts(2),
      price: usd("0.60"),
      timeInForce: "immediate_or_cancel",
      clientOrderId: "c1",
    } as const;
    await f.createOrder(req);
    // The first IOC is finished: the same id places a second order (the least forgiving reading).
    await f.createOrder(req);
    expect(f.orders).toHaveLength(2);
    const rest = {
      ...req,
      price: usd("0.10"),
      timeInForce: "good_till_canceled",
      clientOrderId: "c2",
    } as const;
    await f.createOrder(rest);
    await expect(f.createOrder(rest)).rejects.toMatchObject({ status: 409 });
    expect(f.orders).toHaveLength(3);
  });

  it("refuses reduce_only without immediate_or_cancel, like Kalshi", async () => {
    const f = fx();
    f.setPosition("KXA-1", 3);
    await expect(
      f.createOrder({
        ticker: "KXA-1",
        side: "ask",
        count: contracts(3),
        price: usd("0.90"),
        timeInForce: "good_till_canceled",
        clientOrderId: "c3",
        reduceOnly: true,
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(f.orders).toHaveLength(0);
  });

  it("routes order writes by market: a cancel, amend or decrease naming another market is a 404", async () => {
    const f = fx();
    f.addMarket({ ticker: "KXB-1" });
    const r = await f.createOrder({
      ticker: "KXA-1",
      side: "bid",
      count: contracts(5),
      price: usd("0.10"),
      timeInForce: "good_till_canceled",
      clientOrderId: "c4",
    });
    await expect(f.cancelOrder(r.orderId, "KXB-1")).rejects.toMatchObject({ status: 404 });
    // Without a ticker the adapter does not send it at all (it would reach shard 0 blindly).
    await expect(
      f.decreaseOrder({ orderId: r.orderId, ticker: "", reduceBy: contracts(1) }),
    ).rejects.toBeInstanceOf(KalshiRequestError);
    await expect(
      f.decreaseOrder({ orderId: r.orderId, ticker: "KXB-1", reduceBy: contracts(1) }),
    ).rejects.toMatchObject({ status: 404 });
    const batch = await f.cancelOrders([{ orderId: r.orderId, ticker: "KXB-1" }]);
    expect(batch).toEqual([expect.objectContaining({ ok: false, orderId: r.orderId })]);
    expect(f.orders[0]!.status).toBe("resting");
    expect(
      await f.decreaseOrder({ orderId: r.orderId, ticker: "KXA-1", reduceTo: contracts(2) }),
    ).toMatchObject({
      remainingCount: contracts(2),
    });
    expect(await f.cancelOrders([{ orderId: r.orderId, ticker: "KXA-1" }])).toEqual([
      expect.objectContaining({ ok: true, reducedBy: contracts(2) }),
    ]);
  });

  it("reduce_only caps at the position; unknown things are 404", async () => {
    const f = fx();
    f.setPosition("KXA-1", 3);
    const r = await f.createOrder({
      ticker: "KXA-1",
      side: "ask",
      count: contracts(10),
      price: usd("0.50"),
      timeInForce: "immediate_or_cancel",
      clientOrderId: "c2",
      reduceOnly: true,
    });
    expect(r.fillCount).toBe(contracts(3));
    expect(f.positions.get("KXA-1")?.position).toBe(0);
    // The sim's codes, as Kalshi's: market_not_found for a ticker, not_found for an order id.
    await expect(f.getMarket("NOPE")).rejects.toMatchObject({ status: 404, code: "market_not_found" });
    await expect(f.getOrder("nope")).rejects.toBeInstanceOf(KalshiApiError);
  });

  it("splits fills at the historical cutoff and counts calls", async () => {
    const f = fx({ historicalCutoffMs: 1000 });
    expect((await f.getHistoricalCutoff()).tradesCreatedTs).toBe(T0 - 1000);
    f.addFill({ ticker: "KXA-1", side: "bid", yesPrice: "0.5", count: 1, time: T0 - 5000 });
    f.addFill({ ticker: "KXA-1", side: "bid", yesPrice: "0.5", count: 1, time: T0 });
    expect((await f.getFills()).map((x) => x.createdTime)).toEqual([T0]);
    expect((await f.getHistoricalFills()).map((x) => x.createdTime)).toEqual([T0 - 5000]);
    f.resetCalls();
    const books = await f.getOrderbooks(["KXA-1", ...Array.from({ length: 250 }, (_, i) => `T${i}`)]);
    expect(f.calls.getOrderbooks).toBe(1);
    expect([...books.keys()]).toEqual(["KXA-1"]); // unknown tickers are left out, as by the sim
  });

  it("settle pays the holder and records a settlement", async () => {
    const f = fx();
    f.setBalance("10");
    f.setPosition("KXA-1", -4);
    const s = f.settle("KXA-1", "no", T0);
    expect(s).toMatchObject({ marketResult: "no", noCount: contracts(4), revenue: usd("4") });
    expect(f.balance).toBe(usd("14"));
    expect((await f.getMarket("KXA-1")).status).toBe("finalized");
    expect(await f.getPositions()).toEqual([]);
  });

  it("a settlement's fee is the trading fees paid in the market, like Kalshi's fee_cost; settling is free", async () => {
    const f = fx();
    f.setBalance("10");
    // Buy 4 YES at the 0.60 ask (taker fee 0.07 × 4 × 0.6 × 0.4 = 0.0672 → $0.07), sell 1 at the 0.55 bid
    // (0.07 × 0.55 × 0.45 = 0.017325 → $0.02); 3 YES settle YES.
    const base = { ticker: "KXA-1", timeInForce: "immediate_or_cancel" } as const;
    await f.createOrder({
      ...base,
      side: "bid",
      count: contracts(4),
      price: usd("0.60"),
      clientOrderId: "b",
    });
    await f.createOrder({
      ...base,
      side: "ask",
      count: contracts(1),
      price: usd("0.55"),
      clientOrderId: "s",
      reduceOnly: true,
    });
    expect(f.balance).toBe(usd("8.06")); // 10 − 2.40 − 0.07 + 0.55 − 0.02
    f.addFill({ ticker: "KXB-1", side: "bid", yesPrice: "0.10", count: 1, fee: "0.01", time: T0 }); // other market
    const s = f.settle("KXA-1", "yes", T0);
    expect(s).toMatchObject({ yesCount: contracts(3), revenue: usd("3"), fee: usd("0.09") });
    expect(f.balance).toBe(usd("11.06"));
    // A seeded settlement defaults to the same figure; fills after it don't count.
    f.addFill({ ticker: "KXC-1", side: "bid", yesPrice: "0.50", count: 2, fee: "0.04", time: T0 - 10 });
    f.addFill({ ticker: "KXC-1", side: "bid", yesPrice: "0.50", count: 2, fee: "0.03", time: T0 + 10 });
    expect(f.addSettlement({ ticker: "KXC-1", marketResult: "no", settledTime: T0 }).fee).toBe(usd("0.04"));
  });

  it("an injected failure meets the next call before the exchange acts, or after it acted (a lost answer)", async () => {
    const f = fx();
    const req = {
      ticker: "KXA-1",
      side: "bid",
      count: contracts(1),
      price: usd("0.10"),
      timeInForce: "good_till_canceled",
    } as const;
    f.failNext("createOrder", SimExchange.timeout("POST", "/portfolio/events/orders"));
    await expect(f.createOrder({ ...req, clientOrderId: "t1" })).rejects.toMatchObject({
      kind: "timeout",
      outcomeUnknown: true,
    });
    expect(f.orders).toHaveLength(0);
    f.failNext("createOrder", SimExchange.timeout("POST", "/portfolio/events/orders"), "after");
    await expect(f.createOrder({ ...req, clientOrderId: "t2" })).rejects.toBeInstanceOf(KalshiNetworkError);
    expect(f.orders.map((o) => [o.clientOrderId, o.status])).toEqual([["t2", "resting"]]);
    expect(await f.createOrder({ ...req, clientOrderId: "t3" })).toMatchObject({
      remainingCount: contracts(1),
    });
  });
});
