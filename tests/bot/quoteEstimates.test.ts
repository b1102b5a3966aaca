/**
 * Quote cards that speak of what the order does (issue 16; issue 13 item 3): a sell shows proceeds at
 * the expected fill (a walk of a hand-built book) with the worst case beside it, the fee at that fill
 * and the P&L against entry, never "max payout" or "max loss"; a resting limit sell says cash moves
 * when it fills; a market buy shows its walk and the part that would not fill within the cap.
 */
import { describe, expect, it } from "vitest";
import { htmlToText } from "../../src/bot/format.js";
import { quoteCard } from "../../src/bot/views.js";
import { contracts } from "../../src/domain/money.js";
import type { Market, Orderbook } from "../../src/exchange/port.js";
import { type QuoteInputs, priceQuote } from "../../src/trading/quote.js";
import { T0, intent, usd } from "../trading/helpers.js";

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

/** YES bids 0.55×4, 0.53×10; NO bids 0.40×3, 0.38×5 (YES asks 0.60×3, 0.62×5): thin on the ask side. */
const book: Orderbook = {
  ticker: TICKER,
  yesBids: [
    { price: usd("0.55"), count: contracts(4) },
    { price: usd("0.53"), count: contracts(10) },
  ],
  noBids: [
    { price: usd("0.40"), count: contracts(3) },
    { price: usd("0.38"), count: contracts(5) },
  ],
};

function card(p: Partial<QuoteInputs>): string {
  const q = priceQuote({
    intent: intent(),
    market,
    best: { yesBid: usd("0.55"), yesAsk: usd("0.60"), noBid: usd("0.40"), noAsk: usd("0.45") },
    book,
    balance: usd("100"),
    position: 0,
    fees: { feeType: "quadratic", multiplier: 1, at: T0 },
    limits: {
      maxOrderContracts: 100,
      maxOrderCost: usd("100"),
      confirmTimeoutMs: 30_000,
      marketOrderSlippage: usd("0.02"),
    },
    now: T0,
    clientOrderId: "c-1",
    ...p,
  });
  return htmlToText(quoteCard(q, 30_000));
}

describe("a sell quote", () => {
  it("market sell of 10 YES held at $0.45: proceeds at the walk, worst case beside, fee at that fill, P&L vs entry", () => {
    const t = card({
      intent: intent({ action: "sell" }),
      position: contracts(10),
      heldCost: usd("4.50"),
    });
    // Walk down to the cap $0.53: 4 @ 0.55 + 6 @ 0.53 = $5.38.
    expect(t).toContain("Fills ≈ 10 at avg $0.538, worst $0.53");
    expect(t).toContain("Est. proceeds: $5.38 (worst case $5.30)");
    // Per level: 0.07·4·0.55·0.45 → $0.07; 0.07·6·0.53·0.47 → $0.11 (each to the cent of the cash).
    expect(t).toContain("Est. fee: $0.18");
    expect(t).toContain("P&L against your entry (avg $0.45): +$0.70");
    expect(t).toContain("Cash after: ≈ $105.20 (now $100.00)");
    expect(t).not.toMatch(/Max payout|Max loss|Balance after/);
  });

  it("a resting limit sell says nothing moves until it fills, and what it brings then", () => {
    const t = card({
      intent: intent({ action: "sell", limit: "0.70" }),
      position: contracts(10),
      heldCost: usd("4.50"),
    });
    expect(t).toContain("Sell 10 contracts YES limit $0.70");
    expect(t).toContain("Rests on the book: no cash moves until a buyer takes it.");
    expect(t).toContain("When it fills: you receive $7.00, fee $0.00");
    expect(t).toContain("P&L against your entry (avg $0.45): +$2.50 if all 10 fill");
    expect(t).not.toMatch(/Max payout|Max loss|Balance after|Cash after/);
  });
});

describe("a market buy quote", () => {
  it("walks the thin book: 8 of 10 fill at avg $0.6125, 2 would not fill within the cap; the fee is for that fill", () => {
    const t = card({ intent: intent({ action: "buy" }) });
    expect(t).toContain("Fills ≈ 8 at avg $0.6125, worst $0.62");
    expect(t).toContain("2 of 10 would not fill at or below $0.62");
    expect(t).toContain("Est. cost: $4.90 (worst case $6.20)");
    // 0.07·3·0.60·0.40 → $0.06; 0.07·5·0.62·0.38 → $0.09; their rounding fees ($0.0096 + $0.0075)
    // pass $0.01, so the order's accumulator refunds a cent (API.md §7): $0.14, as the sim charges.
    expect(t).toContain("Est. fee: $0.14");
  });

  it("a deep enough book: fills all 10, no unfilled sentence", () => {
    const deep: Orderbook = { ...book, noBids: [{ price: usd("0.40"), count: contracts(50) }] };
    const t = card({ intent: intent({ action: "buy" }), book: deep });
    expect(t).toContain("Fills ≈ 10 at avg $0.60, worst $0.60");
    expect(t).not.toContain("would not fill");
  });
});
