/**
 * The read budget of /orders and /history (docs/benchmarks.md, "Read budget per command"), measured:
 * the bot against the sim with every REST request counted on the wire (one per page), with 100
 * resting orders and with 10,000 fills in the last 30 days.
 */
import { afterEach, describe, expect, it } from "vitest";
import { centis, parseDollars } from "../../src/domain/money.js";
import { USER as SIM_USER } from "../../src/sim/engine.js";
import { makeSimStack, type SimStack } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** The requests of one command, by "METHOD /path", and their total. */
async function requestsOf(
  st: SimStack,
  text: string,
): Promise<{ total: number; by: Record<string, number> }> {
  st.requests.length = 0;
  await st.say(text);
  const by: Record<string, number> = {};
  for (const r of st.requests) by[r] = (by[r] ?? 0) + 1;
  return { total: st.requests.length, by };
}

/** Open fixture markets with a two-sided book, so orders can rest below the bid or cross the spread. */
function twoSided(st: SimStack): string[] {
  return st.sim.engine
    .markets()
    .filter((m) => m.status === "active")
    .map((m) => m.ticker)
    .filter((t) => {
      const top = st.sim.engine.top(t);
      return top.bid !== null && top.ask !== null && top.bid > 10_000;
    });
}

describe("read budget, measured on the wire", () => {
  it("/orders with 100 resting orders: one page of resting orders and one batched queue read, nothing else", async () => {
    const st = (s = await makeSimStack({ countRequests: true }));
    const tickers = twoSided(st);
    for (let i = 0; i < 100; i++) {
      const t = tickers[i % tickers.length]!;
      const r = st.sim.engine.placeOrder(SIM_USER, {
        ticker: t,
        side: "bid",
        price: parseDollars("0.01"), // far below every bid, so it rests
        count: centis(100),
        tif: "good_till_canceled",
      });
      expect(r.order.status).toBe("resting");
    }
    const { total, by } = await requestsOf(st, "/orders");
    expect(st.texts().some((x) => x.includes("Resting orders (100)"))).toBe(true);
    // One page of up to 1,000 resting orders and one queue read for their markets (≤ 100 of them);
    // the list needs no market titles.
    expect(by).toEqual({ "GET /portfolio/orders": 1, "GET /portfolio/orders/queue_positions": 1 });
    console.log(`/orders, 100 resting orders: ${total} requests ${JSON.stringify(by)}`);
  });

  it("/history 30d with 10,000 fills: the fill pages of 1,000, the cutoff, settlements and titles", async () => {
    const st = (s = await makeSimStack({
      countRequests: true,
      sim: { startingBalance: parseDollars("100000") },
    }));
    const tickers = twoSided(st);
    // 10,000 fills of one contract each: buy at the ask, then sell at the bid, round the markets.
    for (let i = 0; i < 10_000; i++) {
      const t = tickers[Math.floor(i / 2) % tickers.length]!;
      const top = st.sim.engine.top(t);
      const buy = i % 2 === 0;
      const r = st.sim.engine.placeOrder(SIM_USER, {
        ticker: t,
        side: buy ? "bid" : "ask",
        price: buy ? top.ask! : top.bid!,
        count: centis(100),
        tif: "immediate_or_cancel",
      });
      expect(r.fills.length).toBe(1);
    }
    const { total, by } = await requestsOf(st, "/history 30d");
    expect(st.texts().some((x) => x.includes("10000 fills"))).toBe(true);
    // ⌈10,000 / 1,000⌉ = 10 fill pages; the range starts before the historical cutoff, so one
    // historical fills page too; titles of the ≤ 100 markets traded in one request.
    expect(by).toEqual({
      "GET /historical/cutoff": 1,
      "GET /portfolio/fills": 10,
      "GET /historical/fills": 1,
      "GET /portfolio/settlements": 1,
      "GET /markets": 1,
    });
    expect(total).toBe(14);
    console.log(`/history 30d, 10,000 fills: ${total} requests ${JSON.stringify(by)}`);
  }, 60_000);
});
