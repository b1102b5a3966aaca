/**
 * /orders and "Cancel all" through the bot against the sim over signed HTTP (tests/bot/simHarness.ts):
 * the queue positions the sim computes show on the cards, and "Cancel all" is one cancel-all request
 * that clears both exchange shards, after a confirmation that warns about the minute after.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Micros, centis, displayCount, parseDollars } from "../../src/domain/money.js";
import { USER as SIM_USER } from "../../src/sim/engine.js";
import { makeSimStack, type SimStack } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** An open market on `shard` with a two-sided book whose best bid is above $0.01. */
function openMarket(st: SimStack, shard: number): string {
  const m = st.sim.engine.markets().find((x) => {
    if (x.status !== "active" || st.sim.engine.exchangeIndex(x.ticker) !== shard) return false;
    const top = st.sim.engine.top(x.ticker);
    return top.bid !== null && top.ask !== null && top.bid > 10_000;
  });
  if (!m) throw new Error(`no open market on shard ${shard}`);
  return m.ticker;
}

function restingBid(st: SimStack, ticker: string, price: Micros, count: number): string {
  const r = st.sim.engine.placeOrder(SIM_USER, {
    ticker,
    side: "bid",
    price,
    count: centis(count * 100),
    tif: "good_till_canceled",
  });
  expect(r.order.status).toBe("resting");
  return r.order.orderId;
}

describe("/orders against the sim", () => {
  it("cards show the sim's queue positions; Cancel all is one cancel-all request over both shards", async () => {
    const st = (s = await makeSimStack({ countRequests: true }));
    const fed = openMarket(st, 0);
    const btc = openMarket(st, 1);
    const top = st.sim.engine.top(fed);
    restingBid(st, fed, top.bid!, 2); // behind the market maker's best bid
    restingBid(st, btc, parseDollars("0.01"), 3); // alone at $0.01

    st.requests.length = 0;
    await st.say("/orders");
    const list = st.last().text;
    expect(list).toContain("Resting orders (2)");
    expect(list).toContain(`${displayCount(top.bidSize)} ahead in queue`);
    expect(list).toContain("first in queue");
    expect(st.requests).toEqual(["GET /portfolio/orders", "GET /portfolio/orders/queue_positions"]);

    await st.tap("Cancel all");
    expect(st.last().text).toContain("Cancel all 2 resting orders?");
    expect(st.last().text).toContain("may also cancel orders placed in the minute after it");
    st.requests.length = 0;
    await st.tap("Yes, cancel all");
    expect(st.requests.filter((r) => r.startsWith("DELETE"))).toEqual(["DELETE /portfolio/events/orders"]);
    const result = st.texts().find((t) => t.includes("Canceled 2 orders."));
    expect(result).toBeDefined();
    expect(result).toContain(fed);
    expect(result).toContain(btc);
    expect(st.userOrders().map((o) => o.status)).toEqual(["canceled", "canceled"]);
    expect(st.sim.engine.moneyDiscrepancy()).toBe(0);

    await st.say("/orders");
    expect(st.last().text).toContain("No resting orders.");
  });
});
