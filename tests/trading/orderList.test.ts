/**
 * src/trading/orderList.ts over the exchange double: the resting orders with their queue positions
 * (two reads, the queue optional), and "Cancel all" as Kalshi's cancel-all between two reads.
 */
import { describe, expect, it } from "vitest";
import { contracts } from "../../src/domain/money.js";
import { KalshiApiError } from "../../src/exchange/errors.js";
import { cancelAllResting, restingOrders } from "../../src/trading/orderList.js";
import { createMarketSnapshots } from "../../src/trading/snapshots.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, memoryJournal, usd } from "./helpers.js";

const A = "KXHIGHNY-26NOV25-B45";
const B = "KXRAIN-26NOV25";
const boom = () =>
  KalshiApiError.fromResponse(500, { error: { code: "internal", message: "boom" } }, "GET", "/x");

function setup() {
  const fx = new SimExchange({ now: () => T0 });
  for (const t of [A, B]) {
    fx.addMarket({ ticker: t, title: t, closeTime: T0 + 86_400_000 });
    fx.setBook(t, { yes: [["0.50", 7]], no: [["0.40", 100]] });
  }
  const journal = memoryJournal();
  const deps = { exchange: fx, journal, snapshots: createMarketSnapshots({ now: () => T0 }) };
  let n = 0;
  const bid = async (ticker: string, price: string) =>
    (
      await fx.createOrder({
        ticker,
        side: "bid",
        count: contracts(2),
        price: usd(price),
        timeInForce: "good_till_canceled",
        clientOrderId: `c-${++n}`,
      })
    ).orderId;
  return { fx, journal, deps, bid };
}

describe("restingOrders", () => {
  it("reads the orders, then the queue of their markets in one request; none resting, no queue read", async () => {
    const { fx, bid } = setup();
    expect(await restingOrders(fx)).toEqual({ orders: [], queue: new Map() });
    expect(fx.calls.getQueuePositions).toBeUndefined();
    const a = await bid(A, "0.50"); // behind the 7 at $0.50
    const b = await bid(B, "0.45"); // alone
    fx.resetCalls();
    const r = await restingOrders(fx);
    expect(r.orders.map((o) => o.orderId)).toEqual([b, a]);
    expect(r.queue).toEqual(
      new Map([
        [a, contracts(7)],
        [b, contracts(0)],
      ]),
    );
    expect(fx.requests).toBe(2);
  });

  it("a failed queue read still gives the orders, with the queue unknown", async () => {
    const { fx, bid } = setup();
    await bid(A, "0.45");
    fx.failNext("getQueuePositions", boom());
    const r = await restingOrders(fx);
    expect(r.orders).toHaveLength(1);
    expect(r.queue).toBeNull();
  });
});

describe("cancelAllResting", () => {
  it("one cancel-all; names what it canceled, which were not listed, and what rests after it", async () => {
    const { fx, journal, deps, bid } = setup();
    const a = await bid(A, "0.45");
    const b = await bid(B, "0.45");
    // An order placed right after the cancel-all (Kalshi may or may not catch it): it rests after.
    const cancelAll = fx.cancelAllOrders.bind(fx);
    let late = "";
    fx.cancelAllOrders = async () => {
      await cancelAll();
      late = await bid(A, "0.44");
    };
    const r = await cancelAllResting(deps, [{ orderId: a, ticker: A }]);
    expect(r.canceled.map((o) => o.orderId).sort()).toEqual([a, b].sort());
    expect(r.unlisted).toEqual([b]);
    expect(r.resting!.map((o) => o.orderId)).toEqual([late]);
    expect(fx.calls).toMatchObject({ cancelAllOrders: 1, getOrders: 2 });
    expect(fx.calls.cancelOrders).toBeUndefined();
    expect(journal.events.filter((e) => e.type === "order_canceled")).toHaveLength(2);
  });

  it("an order that filled before the cancel reached it is told as filled, not canceled; a partial fill shrinks what was canceled", async () => {
    const { fx, journal, deps, bid } = setup();
    const a = await bid(A, "0.45");
    const b = await bid(B, "0.45");
    const cancelAll = fx.cancelAllOrders.bind(fx);
    fx.cancelAllOrders = async () => {
      // Between the list read and the cancel: a fills whole, b fills 1 of its 2.
      fx.fillResting(a);
      fx.fillResting(b, contracts(1));
      await cancelAll();
    };
    const r = await cancelAllResting(deps, [
      { orderId: a, ticker: A },
      { orderId: b, ticker: B },
    ]);
    expect(r.filled.map((o) => o.orderId)).toEqual([a]);
    expect(r.canceled.map((o) => [o.orderId, o.remainingCount])).toEqual([[b, contracts(1)]]);
    const logged = journal.events.filter((e) => e.type === "order_canceled");
    expect(logged).toEqual([expect.objectContaining({ orderId: b, canceledCount: contracts(1) })]);
  });

  it("when the read after fails, what rested before is reported canceled (Kalshi answered 204)", async () => {
    const { fx, deps, bid } = setup();
    const a = await bid(A, "0.45");
    const cancelAll = fx.cancelAllOrders.bind(fx);
    fx.cancelAllOrders = async () => {
      await cancelAll();
      fx.failNext("getOrders", boom());
    };
    const r = await cancelAllResting(deps);
    expect(r).toMatchObject({ unlisted: [], resting: null });
    expect(r.canceled.map((o) => o.orderId)).toEqual([a]);
  });

  it("nothing resting: no cancel-all is sent (it could catch an order placed in the next minute)", async () => {
    const { fx, deps } = setup();
    expect(await cancelAllResting(deps, [])).toEqual({ canceled: [], filled: [], unlisted: [], resting: [] });
    expect(fx.calls.cancelAllOrders).toBeUndefined();
  });

  it("a failed cancel-all throws (its outcome is unknown) and journals nothing", async () => {
    const { fx, journal, deps, bid } = setup();
    await bid(A, "0.45");
    fx.failNext("cancelAllOrders", boom());
    await expect(cancelAllResting(deps)).rejects.toThrow(KalshiApiError);
    expect(journal.events.filter((e) => e.type === "order_canceled")).toHaveLength(0);
  });
});
