/** The quote card and the placed message for a buy that closes a position in the other outcome. */
import { describe, expect, it } from "vitest";
import { contracts, parseDollars } from "../../src/domain/money.js";
import { htmlToText } from "../../src/bot/format.js";
import { placedCard, quoteCard } from "../../src/bot/views.js";
import type { PlaceResult, Quote } from "../../src/trading/types.js";

const usd = parseDollars;

function quote(p: Partial<Quote> & { count: number }): Quote {
  const { count, ...rest } = p;
  return {
    intent: { ticker: "KXT-1", outcome: "yes", action: "buy", count: contracts(count), kind: "market" },
    marketTitle: "Test market",
    price: usd("0.34"),
    wire: { side: "bid", yesPrice: usd("0.34"), timeInForce: "immediate_or_cancel", reduceOnly: false },
    estimatedCost: usd("0"),
    estimatedFee: usd("0.16"),
    maxLoss: usd("0.16"),
    maxPayout: usd("6.60"),
    balance: usd("50"),
    balanceAfter: usd("56.44"),
    expiresAt: 0,
    createdAt: 0,
    clientOrderId: "c-1",
    ...rest,
  };
}

function result(p: Partial<PlaceResult>): PlaceResult {
  return {
    orderId: "o-1",
    clientOrderId: "c-1",
    status: "executed",
    filledCount: contracts(10),
    averagePrice: usd("0.32"),
    fees: usd("0.16"),
    restingCount: contracts(0),
    ...p,
  };
}

describe("cards for a buy that closes the other outcome", () => {
  it("pure close: the card says it sells the NO and buys 0 YES; the result says Sold, not Bought", () => {
    const q = quote({
      count: 10,
      closes: { outcome: "no", count: contracts(10), estimatedProceeds: usd("6.60") },
    });
    const card = htmlToText(quoteCard(q, 30_000));
    expect(card).toContain("Buy 10 contracts YES at market, worst price $0.34");
    expect(card).toContain("This sells your 10 NO (closing them) and buys 0 YES.");
    expect(card).toContain("Est. proceeds from your 10 NO: $6.60 (at $0.66 or better)");
    expect(card).not.toContain("Est. cost");
    expect(card).toContain("Max payout: $6.60\n");
    expect(card).toContain("Balance after: $56.44 (now $50.00)");

    const done = htmlToText(placedCard(q, result({ closed: { outcome: "no", count: contracts(10) } })));
    expect(done).toContain("✅ Sold your 10 NO (closing them) at avg $0.68");
    expect(done).not.toContain("Bought");
  });

  it("partial close: sells the 6 NO, then buys 4 YES, with cost and payout split", () => {
    const q = quote({
      count: 10,
      estimatedCost: usd("1.36"),
      maxLoss: usd("1.52"),
      maxPayout: usd("7.96"),
      balanceAfter: usd("52.44"),
      closes: { outcome: "no", count: contracts(6), estimatedProceeds: usd("3.96") },
    });
    const card = htmlToText(quoteCard(q, 30_000));
    expect(card).toContain("Sells your 6 NO (closing them), then buys 4 YES.");
    expect(card).toContain("Est. proceeds from your 6 NO: $3.96");
    expect(card).toContain("Est. cost of 4 YES: $1.36");
    expect(card).toContain("Max payout: $7.96 ($3.96 now + $4.00 if YES wins)");

    const done = htmlToText(placedCard(q, result({ closed: { outcome: "no", count: contracts(6) } })));
    expect(done).toContain("✅ Sold your 6 NO (closing them), then bought 4 YES; average YES price $0.32");
    // A partial fill that only reached the closing part.
    const part = htmlToText(
      placedCard(
        q,
        result({
          filledCount: contracts(3),
          status: "canceled",
          closed: { outcome: "no", count: contracts(3) },
        }),
      ),
    );
    expect(part).toContain("✅ Sold your 3 NO (closing them) at avg $0.68");
  });

  it("a buy without `closes` keeps the plain card and result", () => {
    const q = quote({ count: 10, estimatedCost: usd("3.40"), maxPayout: usd("10") });
    const card = htmlToText(quoteCard(q, 30_000));
    expect(card).toContain("Est. cost: $3.40");
    expect(card).not.toContain("closing");
    expect(htmlToText(placedCard(q, result({})))).toContain("✅ Bought 10 contracts YES at avg $0.32");
  });
});

describe("why an order did not fill, from the exchange's answer (issue 17.5)", () => {
  const sell = (count: number) =>
    quote({
      count,
      intent: { ticker: "KXT-1", outcome: "yes", action: "sell", count: contracts(count), kind: "market" },
      wire: { side: "ask", yesPrice: usd("0.32"), timeInForce: "immediate_or_cancel", reduceOnly: true },
      price: usd("0.32"),
    });

  it("a second market sell of the same position says the holding was gone, not that no one traded", () => {
    const text = htmlToText(
      placedCard(
        sell(10),
        result({
          status: "canceled",
          filledCount: 0 as never,
          averagePrice: null,
          unfilled: { reason: "no_position", held: 0 as never },
        }),
      ),
    );
    expect(text).toContain("Nothing sold: you no longer held any YES when the order reached Kalshi");
    expect(text).not.toContain("no one traded");
  });

  it("no liquidity at the limit keeps its sentence; a partial fill names the cause of the rest", () => {
    expect(
      htmlToText(
        placedCard(
          sell(10),
          result({
            status: "canceled",
            filledCount: 0 as never,
            averagePrice: null,
            unfilled: { reason: "no_liquidity", held: contracts(10) },
          }),
        ),
      ),
    ).toContain("Nothing filled: no one traded at $0.32 or better");
    const partial = htmlToText(
      placedCard(
        sell(10),
        result({
          status: "canceled",
          filledCount: contracts(4),
          unfilled: { reason: "no_position", held: contracts(4) },
        }),
      ),
    );
    expect(partial).toContain("Sold 4 contracts YES");
    expect(partial).toContain("The other 6 contracts were not sold: you held only 4 contracts.");
  });

  it("a resting sell capped at the holding says so", () => {
    const q = quote({
      count: 10,
      intent: {
        ticker: "KXT-1",
        outcome: "yes",
        action: "sell",
        count: contracts(10),
        kind: "limit",
        limitPrice: usd("0.62"),
      },
      wire: { side: "ask", yesPrice: usd("0.62"), timeInForce: "good_till_canceled", reduceOnly: false },
      price: usd("0.62"),
    });
    const text = htmlToText(
      placedCard(
        q,
        result({
          status: "resting",
          filledCount: 0 as never,
          averagePrice: null,
          restingCount: contracts(4),
          cappedAtHolding: contracts(4),
        }),
      ),
    );
    expect(text).toContain(
      "You now hold only 4 contracts YES, so the sell is for 4 contracts, not 10 contracts.",
    );
    // Capped because other resting orders already sell part of the holding (still 10 held).
    const other = htmlToText(
      placedCard(
        q,
        result({
          status: "resting",
          filledCount: 0 as never,
          averagePrice: null,
          restingCount: contracts(4),
          cappedAtHolding: contracts(4),
          alreadySelling: contracts(6),
        }),
      ),
    );
    expect(other).toContain(
      "6 contracts of your YES already rest to sell in other orders, so this sell is for 4 contracts, not 10 contracts.",
    );
    expect(other).not.toContain("You now hold only");
  });
});
