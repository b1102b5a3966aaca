/**
 * Dollar sizing at its edges (issue 13): the largest whole count whose worst-case cost plus Kalshi's
 * fee fits the amount, exactly at the boundary and one cent below it, with taker and maker fees, on
 * sub-cent prices, and checked against a plain count-by-count scan.
 */
import { describe, expect, it } from "vitest";
import { type Centis, type Micros, contracts } from "../../src/domain/money.js";
import type { Market } from "../../src/exchange/port.js";
import {
  type UnitPrice,
  buyOutlay,
  countForBudget,
  sizeToBudget,
  sizingSentence,
} from "../../src/trading/dollarSizing.js";
import { UserError } from "../../src/trading/types.js";
import { createOrderExecutor } from "../../src/trading/executor.js";
import { SimExchange } from "../support/simExchange.js";
import { EXECUTOR_CONFIG, T0, fakeClock, idSeq, intent, memoryJournal, usd } from "./helpers.js";

const taker = (price: string, multiplier = 1): UnitPrice => ({
  price: usd(price),
  yesPrice: usd(price),
  role: "taker",
  fees: { feeType: "quadratic", multiplier },
});

/** The slow way: count up while the next contract still fits. */
function scan(budget: Micros, u: UnitPrice): number {
  let n = 0;
  for (;;) {
    const o = buyOutlay(contracts(n + 1), u);
    if (o.cost + o.fee > budget) return n;
    n++;
  }
}

describe("countForBudget", () => {
  it("$25 at a worst price of $0.63: 38 contracts, $23.94 + fee $0.63 (39 would need $25.21)", () => {
    const s = countForBudget(usd("25"), taker("0.63"));
    expect(s).toEqual({ budget: usd("25"), count: contracts(38), cost: usd("23.94"), fee: usd("0.63") });
    const next = buyOutlay(contracts(39), taker("0.63"));
    expect(next.cost + next.fee).toBe(usd("25.21"));
  });

  it("an amount exactly the cost + fee of n buys n; one cent less buys n − 1", () => {
    expect(countForBudget(usd("25.21"), taker("0.63")).count).toBe(contracts(39));
    expect(countForBudget(usd("25.20"), taker("0.63")).count).toBe(contracts(38));
  });

  it("less than one contract's cost + fee buys none ($0.50 and $0.64 at $0.63; $0.65 buys one)", () => {
    expect(countForBudget(usd("0.50"), taker("0.63")).count).toBe(0);
    expect(countForBudget(usd("0.64"), taker("0.63")).count).toBe(0);
    expect(countForBudget(usd("0.65"), taker("0.63"))).toMatchObject({
      count: contracts(1),
      cost: usd("0.63"),
      fee: usd("0.02"),
    });
  });

  it("a resting limit on a series without maker fees: the amount buys at the price alone", () => {
    const maker: UnitPrice = { ...taker("0.63"), role: "maker" };
    expect(countForBudget(usd("6.30"), maker)).toMatchObject({ count: contracts(10), fee: 0 });
    expect(countForBudget(usd("6.29"), maker).count).toBe(contracts(9));
  });

  it("the series multiplier and a sub-cent price are in the fee (the rounding fee too)", () => {
    const sub = taker("0.061");
    // 7 at $0.061: $0.427 + trade fee $0.0281 → the balance moves by $0.46 (fee $0.033).
    expect(buyOutlay(contracts(7), sub)).toEqual({ cost: usd("0.427"), fee: usd("0.033") });
    expect(countForBudget(usd("0.46"), sub).count).toBe(contracts(7));
    expect(countForBudget(usd("0.45"), sub).count).toBe(contracts(6));
    expect(countForBudget(usd("10"), taker("0.50", 2)).count).toBe(scan(usd("10"), taker("0.50", 2)) * 100);
  });

  it("agrees with a count-by-count scan over many amounts and prices", () => {
    for (const p of ["0.01", "0.05", "0.33", "0.5", "0.63", "0.97", "0.99"]) {
      for (let cents = 1; cents <= 3000; cents += 37) {
        const budget = (cents * 10_000) as Micros;
        expect(countForBudget(budget, taker(p)).count / 100, `$${cents / 100} at ${p}`).toBe(
          scan(budget, taker(p)),
        );
      }
    }
  });
});

const market = {
  ticker: "KXHIGHNY-26NOV25-B45",
  eventTicker: "KXHIGHNY-26NOV25",
  status: "active",
  closeTime: T0 + 86_400_000,
  priceRanges: [{ start: usd("0"), end: usd("1"), step: usd("0.01") }],
} as Market;
const best = { yesBid: usd("0.60"), yesAsk: usd("0.61"), noBid: usd("0.39"), noAsk: usd("0.40") };
const fees = { feeType: "quadratic" as const, multiplier: 1, at: T0 };
const size = (budget: string, p: Partial<Parameters<typeof intent>[0]> = {}, limits = EXECUTOR_CONFIG) =>
  sizeToBudget({ ...intent(p), count: 0 as Centis, budget: usd(budget) }, { market, best, fees, limits });

describe("sizeToBudget", () => {
  it("a market buy is sized at its worst price (the ask + slippage), and says so", () => {
    const s = size("25");
    expect(s.price).toBe(usd("0.63"));
    expect(s.intent.count).toBe(contracts(38));
    expect(sizingSentence(s.sizing, "yes", s.price)).toBe(
      "$25.00 buys 38 YES contracts at worst $0.63 + fee $0.63",
    );
  });

  it("a limit buy is sized with the taker fee, also one that rests now (the book can move onto it before it reaches Kalshi)", () => {
    // 20 × $0.50 = $10.00 fits with the maker fee (none here), but not with the taker fee it pays if
    // the ask comes down to $0.50 first: 19 × $0.50 = $9.50 + fee $0.34.
    expect(size("10", { kind: "limit", limitPrice: usd("0.50") }).intent.count).toBe(contracts(19));
    // $0.62 crosses the $0.61 ask: 16 × $0.62 = $9.92 + fee $0.27 is over $10; 15 fit.
    expect(size("10", { kind: "limit", limitPrice: usd("0.62") }).intent.count).toBe(contracts(15));
  });

  it("$0.50 when one contract costs more: a sentence, code budget_too_small", () => {
    const e = (() => {
      try {
        size("0.50");
      } catch (x) {
        return x as UserError;
      }
    })();
    expect(e).toBeInstanceOf(UserError);
    expect(e!.code).toBe("budget_too_small");
    expect(e!.message).toBe(
      "$0.50 does not buy one YES contract: one costs $0.63 at worst + fee $0.02 ($0.65). Nothing was placed; send a larger amount or a count.",
    );
  });

  it("the contract cap applies to the count the amount gave, after what it bought", () => {
    expect(() => size("25", {}, { ...EXECUTOR_CONFIG, maxOrderContracts: 20 })).toThrow(
      "$25.00 buys 38 YES contracts at worst $0.63 + fee $0.63. That order is for 38 contracts, above your limit of 20 (MAX_ORDER_CONTRACTS).",
    );
  });

  it("a sell or a non-positive amount is refused", () => {
    expect(() => size("25", { action: "sell" })).toThrow("A dollar amount sizes buys only");
    expect(() => size("0")).toThrow("Send a dollar amount above $0");
  });
});

describe("the executor with a dollar amount", () => {
  function setup(balance = "100") {
    const clock = fakeClock();
    const fx = new SimExchange({ now: clock.now, balance });
    fx.addMarket({
      ticker: market.ticker,
      title: "Highest temperature in NYC on Nov 25?",
      closeTime: T0 + 86_400_000,
    });
    fx.setBook(market.ticker, { yes: [["0.55", 100]], no: [["0.40", 100]] }); // YES ask $0.60
    const exec = createOrderExecutor({
      exchange: fx,
      journal: memoryJournal(),
      config: EXECUTOR_CONFIG,
      now: clock.now,
      newId: idSeq(),
    });
    return { fx, exec };
  }
  const dollars = (budget: string) => ({ ...intent(), count: 0 as Centis, budget: usd(budget) });

  it("quotes the sized count, never more than the amount, and places that count", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(dollars("10"));
    // Worst $0.62: 15 cost $9.30 + fee $0.25 = $9.55; 16 would be $10.19.
    expect(q.intent.count).toBe(contracts(15));
    expect(q.sizing).toEqual({
      budget: usd("10"),
      count: contracts(15),
      cost: usd("9.30"),
      fee: usd("0.25"),
    });
    expect(q.estimatedCost + q.estimatedFee).toBeLessThanOrEqual(usd("10"));
    const out = await exec.place(q);
    expect(out.kind).toBe("placed");
    expect(fx.orders[0]!.initialCount).toBe(contracts(15));
  });

  it("a price move re-quotes the amount at the new worst price", async () => {
    const { fx, exec } = setup();
    const q = await exec.quote(dollars("10"));
    fx.setBook(market.ticker, { yes: [["0.55", 100]], no: [["0.35", 100]] }); // ask now $0.65
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "requote", reason: "price_moved" });
    // Worst $0.67: 14 cost $9.38 + fee $0.22 = $9.60; 15 would be $10.05.
    if (out.kind === "requote") expect(out.quote.intent.count).toBe(contracts(14));
    expect(fx.orders).toHaveLength(0);
  });

  it("the balance is checked after the conversion, with what the amount bought", async () => {
    const { exec } = setup("5");
    await expect(exec.quote(dollars("10"))).rejects.toThrow(
      "$10.00 buys 15 YES contracts at worst $0.62 + fee $0.25. That order would cost $9.55 including fees, but your balance is $5.00.",
    );
  });
});
