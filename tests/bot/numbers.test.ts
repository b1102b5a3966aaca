/**
 * Numbers that agree with each other (issue 16), on the real stack against the sim: /balance and
 * /portfolio show the same positions value, the one Kalshi's (the sim's) `portfolio_value` reports;
 * cash held by resting orders is shown, so cash + reserved + positions adds up.
 */
import { afterEach, describe, expect, it } from "vitest";
import { centis, displayUsd, micros } from "../../src/domain/money.js";
import { USER as SIM_USER } from "../../src/sim/engine.js";
import { makeSimStack, type SimStack } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const line = (text: string, label: string) => {
  const m = new RegExp(`${label}: (\\$[\\d,.]+)`).exec(text);
  return m ? m[1] : null;
};

/** Buys `count` at the touch straight on the sim engine (the bot's trade flow is tested elsewhere). */
function take(st: SimStack, ticker: string, outcome: "yes" | "no", count: number) {
  const top = st.sim.engine.top(ticker);
  const r = st.sim.engine.placeOrder(SIM_USER, {
    ticker,
    side: outcome === "yes" ? "bid" : "ask",
    price: outcome === "yes" ? top.ask! : top.bid!,
    count: centis(count * 100),
    tif: "immediate_or_cancel",
  });
  expect(r.fills.length).toBeGreaterThan(0);
}

describe("portfolio value", () => {
  it("/balance and /portfolio show the same positions value: the bids they could sell at, as Kalshi's portfolio_value", async () => {
    s = await makeSimStack();
    take(s, s.market("KXHIGHNY", "-B45"), "yes", 10);
    take(s, s.market("KXFED", "-T3.75"), "no", 7);
    const kalshi = micros(Math.floor(s.sim.engine.portfolioValue(SIM_USER) / 10_000) * 10_000);

    await s.say("/balance");
    const balance = s.last().text;
    await s.say("/portfolio");
    const portfolio = s.last().text;

    expect(line(balance, "Positions")).toBe(displayUsd(kalshi));
    expect(line(portfolio, "Positions")).toBe(displayUsd(kalshi));
    expect(line(balance, "Total")).toBe(line(portfolio, "Total"));
    expect(line(balance, "Cash")).toBe(line(portfolio, "Cash"));
    // Each position's value is at its bid too, and they add up to the total shown.
    const values = [...portfolio.matchAll(/value (\$[\d,.]+)/g)].map((m) => Number(m[1]!.slice(1)));
    expect(values).toHaveLength(2);
    expect(`$${(values[0]! + values[1]!).toFixed(2)}`).toBe(displayUsd(kalshi));
  });
});

describe("cash held by resting orders", () => {
  it("/portfolio says how much cash 2 resting buys hold and lists each under its market; /balance agrees", async () => {
    s = await makeSimStack();
    const t1 = s.market("KXHIGHNY", "-B45");
    const t2 = s.market("KXFED", "-T3.75"); // maker fees: part of what is held
    await s.say("/balance");
    const cashBefore = line(s.last().text, "Cash");
    for (const [t, price] of [
      [t1, "0.05"],
      [t2, "0.03"],
    ] as const) {
      s.sim.engine.placeOrder(SIM_USER, {
        ticker: t,
        side: "bid",
        price: micros(Number(price) * 1e6),
        count: centis(2000),
        tif: "good_till_canceled",
      });
    }
    const held = s.userOrders().reduce((a, o) => a + o.reserved, 0);
    expect(held).toBeGreaterThan(1.6e6); // $1.00 + $0.60 + a maker fee

    await s.say("/portfolio");
    const p = s.last().text;
    expect(p).toContain(`Reserved: ${displayUsd(micros(held))} in 2 resting orders`);
    const cash = Number(line(p, "Cash")!.replace(/[$,]/g, ""));
    expect(`$${(cash + held / 1e6).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`).toBe(cashBefore);
    // Listed under their markets, in the user's words.
    const title1 = s.sim.engine.market(t1).title;
    const at1 = p.indexOf(title1);
    expect(at1).toBeGreaterThan(-1);
    expect(p.slice(at1)).toMatch(/Resting: Buy 20 YES @ \$0\.05/);
    expect(p).toMatch(/Resting: Buy 20 YES @ \$0\.03/);
    expect(p).not.toContain("No open positions.");

    await s.say("/balance");
    expect(s.last().text).toContain(`Reserved: ${displayUsd(micros(held))} in 2 resting orders`);
  });
});
