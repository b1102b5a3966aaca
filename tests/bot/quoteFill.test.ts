/**
 * The fill estimate through the bot against the sim (issue 13 item 3): a market order's quote walks
 * a hand-built book (each level, the average, the worst price reached, the part that would not fill
 * within the slippage cap) and shows the fee for that walk; Confirm then fills exactly what the quote
 * said, at that average and for that fee (the sim charges as Kalshi does, API.md §7).
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TICKER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("a market order's quote walks the book", () => {
  it("buy 10 YES: 3 @ $0.60 + 5 @ $0.62 within the $0.02 cap, 2 would not fill; the fill matches the quote", async () => {
    h = await makeHarness();
    // YES asks are $1 − NO bids: 0.60 × 3, 0.62 × 5, then 0.70 × 50 (past the cap of $0.60 + $0.02).
    h.world.exchange.setBook(TICKER, {
      yes: [["0.55", 40]],
      no: [
        ["0.40", 3],
        ["0.38", 5],
        ["0.30", 50],
      ],
    });
    await h.say(`/buy ${TICKER} yes 10`);
    await h.tap("Market");
    const quote = h.last().text;
    expect(quote).toContain("Buy 10 contracts YES at market, worst price $0.62");
    expect(quote).toContain("Fills ≈ 8 at avg $0.6125, worst $0.62");
    expect(quote).toContain("2 of 10 would not fill at or below $0.62 (a market order cancels that part)");
    expect(quote).toContain("Est. cost: $4.90 (worst case $6.20)");
    // Per level $0.06 + $0.09; their rounding fees pass a cent, which the order gets back.
    expect(quote).toContain("Est. fee: $0.14");
    await h.tap("Confirm");
    const result = h.last().text;
    expect(result).toContain("Bought 8 contracts YES at avg $0.6125");
    expect(result).toContain("The other 2 contracts did not fill");
    expect(result).toContain("Fee: $0.14");
  });

  it("sell 12 YES: 4 @ $0.60 + 5 @ $0.58, 3 unfilled; proceeds, worst case and fee are for the 9 that fill", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 12 @0.56`);
    await h.tap("Confirm");
    h.world.exchange.setBook(TICKER, {
      yes: [
        ["0.60", 4],
        ["0.58", 5],
        ["0.50", 20],
      ],
      no: [["0.35", 50]],
    });
    await h.say(`/sell ${TICKER} yes 12`);
    await h.tap("Market");
    const quote = h.last().text;
    expect(quote).toContain("Fills ≈ 9 at avg $0.5889, worst $0.58");
    expect(quote).toContain("3 of 12 would not fill at or above $0.58 (a market order cancels that part)");
    // Worst case of the part that fills: 9 × $0.58 (all 12 at $0.58 would be more than the estimate).
    expect(quote).toContain("Est. proceeds: $5.30 (worst case $5.22 for the 9 that fill)");
    expect(quote).toContain("Est. fee: $0.16");
    expect(quote).toContain("P&L against your entry (avg $0.56): +$0.10");
    await h.tap("Confirm");
    const result = h.last().text;
    expect(result).toContain("Sold 9 contracts YES at avg $0.5889");
    expect(result).toContain("Fee: $0.16");
  });

  it("buy NO walks the YES bids seen from the NO side ($1 − YES bid)", async () => {
    h = await makeHarness();
    h.world.exchange.setBook(TICKER, {
      yes: [
        ["0.60", 4],
        ["0.58", 5],
      ],
      no: [["0.35", 50]],
    });
    await h.say(`/buy ${TICKER} no 6`);
    await h.tap("Market");
    const quote = h.last().text;
    expect(quote).toContain("Buy 6 contracts NO at market, worst price $0.42");
    expect(quote).toContain("Fills ≈ 6 at avg $0.4067, worst $0.42");
    expect(quote).not.toContain("would not fill");
    await h.tap("Confirm");
    expect(h.last().text).toContain("Bought 6 contracts NO at avg $0.4067");
  });
});
