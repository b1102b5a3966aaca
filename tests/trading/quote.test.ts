/**
 * quote.ts without any I/O: the figures a quote card shows (worst price, cost, fee, payout, balance
 * after) and the sentences that refuse an order, from plain inputs.
 */
import { describe, expect, it } from "vitest";
import { contracts } from "../../src/domain/money.js";
import type { Market } from "../../src/exchange/port.js";
import { type QuoteInputs, checkIntent, closedMessage, priceQuote } from "../../src/trading/quote.js";
import { UserError } from "../../src/trading/types.js";
import { T0, intent, usd } from "./helpers.js";

const TICKER = "KXHIGHNY-26NOV25-B45";

const market: Market = {
  ticker: TICKER,
  eventTicker: "KXHIGHNY-26NOV25",
  marketType: "binary",
  title: "Highest temperature in NYC on Nov 25?",
  yesSubTitle: "45° or above",
  noSubTitle: "below 45°",
  status: "active",
  openTime: T0 - 86_400_000,
  closeTime: T0 + 86_400_000,
  yesBid: usd("0.55"),
  yesAsk: usd("0.60"),
  noBid: usd("0.40"),
  noAsk: usd("0.45"),
  lastPrice: null,
  volume: contracts(0),
  volume24h: contracts(0),
  openInterest: contracts(0),
  priceLevelStructure: "linear_cent",
  priceRanges: [{ start: usd("0"), end: usd("1"), step: usd("0.01") }],
  result: "",
  settlementValue: null,
  rulesPrimary: "",
  rulesSecondary: "",
};

const limits = {
  maxOrderContracts: 100,
  maxOrderCost: usd("100"),
  confirmTimeoutMs: 30_000,
  marketOrderSlippage: usd("0.02"),
};

function inputs(p: Partial<QuoteInputs> = {}): QuoteInputs {
  return {
    intent: intent(),
    market,
    best: { yesBid: usd("0.55"), yesAsk: usd("0.60"), noBid: usd("0.40"), noAsk: usd("0.45") },
    balance: usd("100"),
    position: 0,
    fees: { feeType: "quadratic", multiplier: 1, at: T0 },
    limits,
    now: T0,
    clientOrderId: "c-1",
    ...p,
  };
}

const refusal = (f: () => unknown): { message: string; code: string } => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return { message: e.message, code: e.code };
    throw e;
  }
  throw new Error("not refused");
};

describe("priceQuote", () => {
  it("a market buy of YES: worst price = ask + slippage, IOC on the bid side, cost and payout", () => {
    const q = priceQuote(inputs());
    expect(q.price).toBe(usd("0.62"));
    expect(q.wire).toEqual({
      side: "bid",
      yesPrice: usd("0.62"),
      timeInForce: "immediate_or_cancel",
      reduceOnly: false,
    });
    expect(q.estimatedCost).toBe(usd("6.20"));
    expect(q.maxPayout).toBe(usd("10"));
    expect(q.maxLoss).toBe(usd("6.20") + q.estimatedFee);
    expect(q.balanceAfter).toBe(usd("100") - usd("6.20") - q.estimatedFee);
    expect(q.expiresAt).toBe(T0 + 30_000);
    expect(q.clientOrderId).toBe("c-1");
  });

  it("a market buy of NO goes out as an ask at 1 − (NO ask + slippage)", () => {
    const q = priceQuote(inputs({ intent: intent({ outcome: "no" }) }));
    expect(q.price).toBe(usd("0.47"));
    expect(q.wire).toMatchObject({ side: "ask", yesPrice: usd("0.53") });
  });

  it("a market sell is reduce-only at bid − slippage; a limit sell rests without reduce_only", () => {
    const held = inputs({ position: contracts(10) });
    const m = priceQuote({ ...held, intent: intent({ action: "sell" }) });
    expect(m.price).toBe(usd("0.53"));
    expect(m.wire).toMatchObject({ side: "ask", timeInForce: "immediate_or_cancel", reduceOnly: true });
    const l = priceQuote({ ...held, intent: intent({ action: "sell", limit: "0.70" }) });
    expect(l.wire).toMatchObject({ timeInForce: "good_till_canceled", reduceOnly: false });
    expect(l.estimatedCost).toBe(usd("7"));
  });

  it("a buy of YES while holding NO closes the NO first: only the opening part costs cash", () => {
    const q = priceQuote(inputs({ intent: intent({ limit: "0.60" }), position: -contracts(6) }));
    expect(q.closes).toEqual({ outcome: "no", count: contracts(6), estimatedProceeds: usd("2.40") });
    expect(q.estimatedCost).toBe(usd("2.40")); // 4 opened at 0.60
    expect(q.maxPayout).toBe(usd("4") + usd("2.40"));
  });

  it("refuses with a sentence: no sellers for a market buy, over the cost cap, over the balance", () => {
    const noAsk = { yesBid: usd("0.55"), yesAsk: null, noBid: null, noAsk: usd("0.45") };
    expect(refusal(() => priceQuote(inputs({ best: noAsk })))).toEqual({
      message: "Nobody is selling YES right now, so a market order can't fill; try a limit order.",
      code: "no_liquidity",
    });
    expect(refusal(() => priceQuote(inputs({ limits: { ...limits, maxOrderCost: usd("5") } }))).message).toBe(
      "That order would cost $6.20, above your limit of $5.00 (MAX_ORDER_COST_DOLLARS).",
    );
    expect(refusal(() => priceQuote(inputs({ balance: usd("1") })))).toMatchObject({
      code: "insufficient_balance",
    });
  });

  it("refuses a sell of more than is held, naming the holding", () => {
    const r = refusal(() =>
      priceQuote(inputs({ intent: intent({ action: "sell", limit: "0.60" }), position: contracts(1) })),
    );
    expect(r).toEqual({
      message: "You hold 1 YES contract, so you can sell at most 1.",
      code: "over_position",
    });
  });
});

describe("checkIntent and closedMessage", () => {
  it("upper-cases the ticker and refuses counts that are not whole or above the limit", () => {
    expect(checkIntent(intent({ ticker: " kxhighny-26nov25-b45 " }), limits).ticker).toBe(TICKER);
    expect(refusal(() => checkIntent(intent({ count: contracts(101) }), limits)).message).toBe(
      "That order is for 101 contracts, above your limit of 100 (MAX_ORDER_CONTRACTS).",
    );
    expect(refusal(() => checkIntent(intent({ count: 150 as never }), limits)).code).toBe("invalid_count");
  });

  it("says why a market cannot be traded", () => {
    expect(closedMessage(market, T0)).toBeNull();
    expect(closedMessage(market, T0 + 86_400_000)).toBe(`${TICKER} is closed for trading.`);
    expect(closedMessage({ ...market, status: "inactive" }, T0)).toBe(
      `Trading in ${TICKER} is paused right now.`,
    );
  });
});
