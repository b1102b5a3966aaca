import { describe, expect, it } from "vitest";
import { contracts, micros } from "../../src/domain/money.js";
import { runLedger, summarizeLots } from "../../src/trading/ledger.js";
import { createPortfolioService } from "../../src/trading/portfolio.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, fakeClock, usd } from "./helpers.js";

const H = 3_600_000;
const D = 24 * H;
const TZ = "America/New_York"; // T0 is 10:00 on Nov 24 there

/**
 * Hand-computed cases (fees are what the exchange charged, ceil to the cent of 0.07·C·P·(1−P)):
 *
 * A  (YES, partial fills, partial sell, then settles YES)
 *    −40d bid 10 @0.40 fee 0.17  → lot 10 YES, cost 4.00
 *    −39d bid  5 @0.50 fee 0.09  → lot  5 YES, cost 2.50
 *    −20d ask 12 @0.60 fee 0.21  → sells 10 (cost 4.00, fee 0.17) + 2 of the second lot (cost 1.00, fee 0.036)
 *                                  P&L = 7.20 − 4.00 − 0.17 − 1.00 − 0.036 − 0.21 = +1.784
 *    −3d  settles YES, 3 held: revenue 3.00 − (1.50 + 0.054)                     = +1.446
 *    check: paid 6.76, received 7.20 − 0.21 + 3.00 = 9.99 → +3.23 = 1.784 + 1.446
 * B  (NO, settled loser) −10d ask 10 @0.70 (buy NO @0.30, cost 3.00, fee 0.15); −5h settles YES: 0 − 3.15 = −3.15
 * C  (NO, sold to zero before settlement)
 *    −2d  ask 4 @0.35 (buy NO @0.65, cost 2.60, fee 0.07)
 *    −11h bid 4 @0.20 (sell NO @0.80, proceeds 3.20, fee 0.05): 3.20 − 2.60 − 0.07 − 0.05 = +0.48
 *    (−11h is 23:00 the day before in New York: in 7 days, not today)
 *    −1h  a settlement row with nothing held: no P&L
 * D  (fill crossing zero) −3h bid 3 @0.50 fee 0.06; −1h ask 5 @0.45 fee 0.09
 *    closes 3 YES: 1.35 − 1.50 − 0.06 − 0.054 (3/5 of the fee) = −0.264; opens 2 NO @0.55 (cost 1.10, fee 0.036)
 */
function seed(fx: SimExchange) {
  const A = "KXA-26NOV01-T1";
  const B = "KXB-26NOV20-T1";
  const C = "KXC-26NOV30-T1";
  const Dk = "KXD-26DEC01-T1";
  fx.addFill({ ticker: A, side: "bid", yesPrice: "0.40", count: 10, fee: "0.17", time: T0 - 40 * D });
  fx.addFill({ ticker: A, side: "bid", yesPrice: "0.50", count: 5, fee: "0.09", time: T0 - 39 * D });
  fx.addFill({ ticker: A, side: "ask", yesPrice: "0.60", count: 12, fee: "0.21", time: T0 - 20 * D });
  fx.addSettlement({
    ticker: A,
    marketResult: "yes",
    yesCount: contracts(3),
    yesTotalCost: usd("1.50"),
    revenue: usd("3.00"),
    settledTime: T0 - 3 * D,
  });
  fx.addFill({ ticker: B, side: "ask", yesPrice: "0.70", count: 10, fee: "0.15", time: T0 - 10 * D });
  fx.addSettlement({
    ticker: B,
    marketResult: "yes",
    noCount: contracts(10),
    noTotalCost: usd("3.00"),
    revenue: usd("0"),
    settledTime: T0 - 5 * H,
  });
  fx.addFill({ ticker: C, side: "ask", yesPrice: "0.35", count: 4, fee: "0.07", time: T0 - 2 * D });
  fx.addFill({ ticker: C, side: "bid", yesPrice: "0.20", count: 4, fee: "0.05", time: T0 - 11 * H });
  fx.addSettlement({ ticker: C, marketResult: "no", revenue: usd("0"), settledTime: T0 - 1 * H });
  fx.addFill({ ticker: Dk, side: "bid", yesPrice: "0.50", count: 3, fee: "0.06", time: T0 - 3 * H });
  fx.addFill({ ticker: Dk, side: "ask", yesPrice: "0.45", count: 5, fee: "0.09", time: T0 - 1 * H });
  return { A, B, C, Dk };
}

describe("FIFO ledger", () => {
  it("interprets fills and realizes P&L as computed by hand", () => {
    const fx = new SimExchange({ now: () => T0 });
    const { A, B, C, Dk } = seed(fx);
    const before = runLedger(fx.fills.filter((f) => f.ticker === A && f.createdTime < T0 - 30 * D));
    expect(summarizeLots(before.lots.get(A))).toEqual({
      side: "yes",
      count: contracts(15),
      cost: usd("6.50"),
      fee: usd("0.26"),
    });
    const r = runLedger(fx.fills, fx.settlements);
    const byT = (t: string) => r.realized.filter((e) => e.ticker === t).map((e) => [e.kind, e.pnl]);
    expect(byT(A)).toEqual([
      ["sell", usd("1.784")],
      ["settlement", usd("1.446")],
    ]);
    expect(byT(B)).toEqual([["settlement", usd("-3.15")]]);
    expect(byT(C)).toEqual([["sell", usd("0.48")]]);
    expect(byT(Dk)).toEqual([["sell", usd("-0.264")]]);
    expect(r.lots.has(A) || r.lots.has(B) || r.lots.has(C)).toBe(false);
    expect(summarizeLots(r.lots.get(Dk))).toEqual({
      side: "no",
      count: contracts(2),
      cost: usd("1.10"),
      fee: usd("0.036"),
    });
    // The crossing fill is two trades.
    const dParts = r.parts.filter((p) => p.fill.ticker === Dk && p.fill.bookSide === "ask");
    expect(dParts.map((p) => [p.outcome, p.action, p.count, p.price, p.fee])).toEqual([
      ["yes", "sell", contracts(3), usd("0.45"), usd("0.054")],
      ["no", "buy", contracts(2), usd("0.55"), usd("0.036")],
    ]);
    // A NO buy shows as "buy NO @ 1 − p".
    const bBuy = r.parts.find((p) => p.fill.ticker === B)!;
    expect([bBuy.outcome, bBuy.action, bBuy.price, bBuy.cost]).toEqual([
      "no",
      "buy",
      usd("0.30"),
      usd("3.00"),
    ]);
  });

  it("a settlement without fills falls back to the settlement's own cost", () => {
    const r = runLedger(
      [],
      [
        {
          ticker: "X",
          eventTicker: "X",
          marketResult: "no",
          yesCount: contracts(0),
          noCount: contracts(5),
          yesTotalCost: usd("0"),
          noTotalCost: usd("2.00"),
          revenue: usd("5.00"),
          fee: usd("0"),
          settledTime: T0,
          value: null,
        },
      ],
    );
    expect(r.realized).toEqual([{ ticker: "X", time: T0, pnl: usd("3.00"), kind: "settlement" }]);
  });
});

describe("portfolio view", () => {
  it("positions, marks, unrealized and realized P&L by period in the display zone", async () => {
    const clock = fakeClock();
    const fx = new SimExchange({ now: clock.now });
    const { A, B, C, Dk } = seed(fx);
    fx.addMarket({ ticker: Dk, title: "D market" });
    fx.setBook(Dk, { yes: [["0.40", 10]], no: [["0.55", 10]] }); // NO sells at its bid, 0.55
    fx.setPosition(Dk, -2, "1.10");
    fx.setBalance("250.00");
    const svc = createPortfolioService({ exchange: fx, now: clock.now, timeZone: TZ });
    const v = await svc.view();
    expect(v.positions).toEqual([
      {
        ticker: Dk,
        title: "D market",
        subTitle: "",
        side: "no",
        count: contracts(2),
        averageEntry: usd("0.55"),
        markPrice: usd("0.55"),
        value: usd("1.10"),
        unrealizedPnl: usd("-0.036"), // 1.10 − 1.10 − 0.036
        settled: false,
      },
    ]);
    expect(v.totalValue).toBe(usd("1.10"));
    expect(v.totalUnrealized).toBe(usd("-0.036"));
    expect(v.total).toBe(usd("251.10"));
    expect(v.reserved).toBe(0);
    expect(v.balance).toBe(usd("250"));
    expect(v.realized.today).toBe(usd("-3.414")); // B −3.15, D −0.264
    expect(v.realized.last7d).toBe(usd("-1.488")); // + A settle 1.446 + C 0.48
    expect(v.realized.last30d).toBe(usd("0.296")); // + A sell 1.784
    expect(v.realized.allTime).toBe(usd("0.296"));
    expect(v.realized.byMarket).toEqual([
      { ticker: A, pnl: usd("3.23") },
      { ticker: B, pnl: usd("-3.15") },
      { ticker: C, pnl: usd("0.48") },
      { ticker: Dk, pnl: usd("-0.264") },
    ]);
    expect(v.notes).toEqual([]);
    expect(v.asOf).toBe(T0);
    // In UTC, C's sale (04:00 UTC on the 24th) is "today".
    const utc = await createPortfolioService({ exchange: fx, now: clock.now, timeZone: "UTC" }).view();
    expect(utc.realized.today).toBe(usd("-2.934"));
  });

  it("settled markets mark at 1 or 0; a market with no price is left out of totals with a note", async () => {
    const fx = new SimExchange({ now: () => T0 });
    fx.addMarket({ ticker: "WIN-1", title: "Winner", status: "determined", result: "yes" });
    fx.addMarket({ ticker: "LOSE-1", title: "Loser", status: "finalized", result: "yes" });
    fx.addMarket({ ticker: "DARK-1", title: "No quotes" });
    fx.addMarket({ ticker: "LAST-1", title: "Last trade only", lastPrice: "0.30" });
    fx.setPosition("WIN-1", 4, "2.00");
    fx.setPosition("LOSE-1", -4, "2.00");
    fx.setPosition("DARK-1", 7, "3.50");
    fx.setPosition("LAST-1", 10, "2.00");
    const v = await createPortfolioService({ exchange: fx, now: () => T0, timeZone: TZ }).view();
    const by = Object.fromEntries(v.positions.map((p) => [p.ticker, p]));
    expect(by["WIN-1"]).toMatchObject({
      markPrice: usd("1"),
      value: usd("4"),
      unrealizedPnl: usd("2"),
      settled: true,
      averageEntry: usd("0.50"),
    });
    expect(by["LOSE-1"]).toMatchObject({
      side: "no",
      markPrice: usd("0"),
      value: usd("0"),
      unrealizedPnl: usd("-2"),
      settled: true,
    });
    expect(by["LAST-1"]).toMatchObject({ markPrice: usd("0.30"), value: usd("3"), unrealizedPnl: usd("1") });
    expect(by["DARK-1"]).toMatchObject({ markPrice: null, value: null, unrealizedPnl: null });
    expect(v.totalValue).toBe(usd("7"));
    expect(v.totalUnrealized).toBe(usd("1"));
    expect(v.notes[0]).toBe("No price is available right now for DARK-1, so it is left out of the totals.");
    expect(v.notes[1]).toContain("comes from the exchange's position cost");
  });

  it("when prices cannot be loaded, positions still show, unpriced, with a note", async () => {
    const fx = new SimExchange({ now: () => T0 });
    fx.addMarket({ ticker: "KXA-1", title: "A" });
    fx.setPosition("KXA-1", 2, "1.00");
    fx.failNext("getMarkets", new Error("503"));
    fx.failNext("getOrderbooks", new Error("503"));
    const v = await createPortfolioService({ exchange: fx, now: () => T0, timeZone: TZ }).view();
    expect(v.positions).toMatchObject([
      { ticker: "KXA-1", title: "KXA-1", count: contracts(2), markPrice: null },
    ]);
    expect(v.totalValue).toBe(0);
    expect(v.notes[0]).toBe("Market prices could not be loaded right now; try again in a moment.");
  });

  it("200 positions cost the same number of requests as 2", async () => {
    async function requestsFor(n: number) {
      const fx = new SimExchange({ now: () => T0 });
      for (let i = 0; i < n; i++) {
        const t = `KXP${i}-26DEC01-T1`;
        fx.addMarket({ ticker: t });
        fx.setBook(t, { yes: [["0.40", 10]], no: [["0.50", 10]] });
        fx.addFill({ ticker: t, side: "bid", yesPrice: "0.45", count: 2, fee: "0.02", time: T0 - D });
        fx.setPosition(t, 2);
      }
      const v = await createPortfolioService({ exchange: fx, now: () => T0, timeZone: TZ }).view();
      expect(v.positions).toHaveLength(n);
      // Valued at the 0.40 YES bid: 2 × 0.40 − 0.90 − 0.02 = −0.12 each.
      expect(v.positions.every((p) => p.markPrice === usd("0.40") && p.averageEntry === usd("0.45"))).toBe(
        true,
      );
      expect(v.totalUnrealized).toBe(micros(-120_000 * n));
      return { calls: { ...fx.calls }, requests: fx.requests };
    }
    const small = await requestsFor(2);
    const big = await requestsFor(200);
    expect(big.calls).toEqual(small.calls);
    expect(big.calls.getMarkets).toBe(1);
    expect(big.calls.getOrderbooks).toBe(1);
    expect(big.calls.getMarket ?? 0).toBe(0);
    expect(big.calls.getOrderbook ?? 0).toBe(0);
    // The adapter batches 100 tickers per request: 2 markets + 2 books instead of 1 + 1.
    expect(big.requests - small.requests).toBe(2);
  });
});

describe("held(ticker)", () => {
  it("says what one market holds (side and count) from one positions read; null when nothing", async () => {
    const fx = new SimExchange({ now: fakeClock().now });
    fx.addMarket({ ticker: "KXH-1", title: "H" });
    fx.addMarket({ ticker: "KXH-2", title: "H2" });
    fx.setPosition("KXH-1", -7);
    const svc = createPortfolioService({ exchange: fx, timeZone: TZ });
    fx.resetCalls();
    expect(await svc.held!("KXH-1")).toEqual({ side: "no", count: contracts(7) });
    expect(await svc.held!("KXH-2")).toBeNull();
    expect(fx.requests).toBe(2);
  });
});
