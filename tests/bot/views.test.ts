/** Money on the cards adds up: sub-cent fees are shown as reported, no "-$0.00" or "+$0.00". */
import { describe, expect, it } from "vitest";
import { type Centis, type Micros, parseDollars } from "../../src/domain/money.js";
import { historyTable, marketCard, orderStatusCard, placedCard, quoteCard } from "../../src/bot/views.js";
import type { Order } from "../../src/exchange/port.js";
import { htmlToText } from "../../src/bot/format.js";
import type { HistoryRow, MarketInfo, PlaceResult, Quote, SettlementRow } from "../../src/trading/types.js";

const TZ = "America/New_York";
const d = (s: string) => parseDollars(s);

function row(fee: string, pnl: string | null): HistoryRow {
  return {
    time: Date.UTC(2026, 10, 24, 15, 0, 0),
    ticker: "KXRAIN-26NOV25",
    marketTitle: "Rain",
    outcome: "yes",
    action: "sell",
    count: 100 as Centis,
    price: d("0.05"),
    cost: d("0.05"),
    fee: d(fee),
    realizedPnl: pnl === null ? null : d(pnl),
    orderId: "o1",
    fillId: `f-${fee}-${pnl}`,
    isTaker: true,
    source: "bot",
  };
}

describe("history table money", () => {
  it("shows a sub-cent fee exactly, so the rows add up to the total", () => {
    const text = htmlToText(historyTable([row("0.004", null)], "last 7 days", TZ));
    expect(text).toContain("fee $0.004");
    expect(text).toContain("Total fees $0.004");
    expect(text).not.toContain("$0.00 ");
  });

  it("two fees of $0.004 total $0.008, and whole-cent fees keep two decimals", () => {
    const text = htmlToText(
      historyTable([row("0.004", null), row("0.004", null), row("0.07", null)], "x", TZ),
    );
    expect(text.match(/fee \$0\.004/g)).toHaveLength(2);
    expect(text).toContain("fee $0.07");
    expect(text).toContain("Total fees $0.078");
  });

  it("a P&L that rounds to zero shows no sign", () => {
    const text = htmlToText(historyTable([row("0.01", "-0.004"), row("0.01", "0.003")], "x", TZ));
    expect(text).not.toMatch(/[-+]\$0\.00/);
    expect(text).toContain("P&L $0.00");
    expect(text).toContain("realized $0.00");
  });
});

describe("history table: realized P&L includes settlements", () => {
  const settled = (result: SettlementRow["result"], pnl: string, yes = 0, no = 0): SettlementRow => ({
    time: Date.UTC(2026, 10, 25, 15, 0, 0),
    ticker: "KXRAIN-26NOV25",
    marketTitle: "Rain",
    result,
    yesCount: (yes * 100) as Centis,
    noCount: (no * 100) as Centis,
    revenue: d(result === "yes" ? String(yes) : result === "no" ? String(no) : "0"),
    realizedPnl: d(pnl),
  });

  it("a settlement is a line of its own and its P&L is in the total, split from the trades'", () => {
    const text = htmlToText(
      historyTable([row("0.01", "0.30")], "last 7 days", TZ, [settled("yes", "4.45", 10)]),
    );
    expect(text).toContain("last 7 days · 1 fill, 1 settlement");
    expect(text).toContain("Settled 10 YES KXRAIN-26NOV25: YES won, paid $10.00 P&L +$4.45");
    expect(text).toContain("realized +$4.75 (trades +$0.30, settlements +$4.45)");
    // Newest first (issue 16): the settlement (Nov 25) comes before the fill (Nov 24).
    expect(text.indexOf("Settled")).toBeLessThan(text.indexOf("Sell 1 YES"));
  });

  it("a range with only a settlement (a losing NO) is not 'No trades'", () => {
    const text = htmlToText(historyTable([], "last 7 days", TZ, [settled("yes", "-2.10", 0, 3)]));
    expect(text).toContain("0 fills, 1 settlement");
    expect(text).toContain("Settled 3 NO KXRAIN-26NOV25: YES won, paid $0.00 P&L -$2.10");
    expect(text).toContain("realized -$2.10 (trades $0.00, settlements -$2.10)");
  });
});

describe("quote card on a sub-cent market", () => {
  it("shows the estimated cost and fee exactly, so they add up to the cents the balance moves by", () => {
    const q = {
      intent: {
        ticker: "KXCPI-26NOV-T0.4",
        outcome: "yes",
        action: "buy",
        count: 700 as Centis,
        kind: "limit",
      },
      price: d("0.061"),
      marketTitle: "CPI",
      estimatedCost: d("0.427"),
      estimatedFee: d("0.033"),
      maxLoss: d("0.46"),
      maxPayout: d("7"),
      balance: d("10"),
      balanceAfter: d("9.54"),
    } as unknown as Quote;
    const text = htmlToText(quoteCard(q, 30_000));
    expect(text).toContain("Est. cost: $0.427");
    expect(text).toContain("Est. fee: $0.033");
    expect(text).toContain("Max loss: $0.46");
  });
});

describe("market card", () => {
  it("YES and NO prices come from the same book read (the info's best prices), not the market snapshot", () => {
    const info = {
      market: {
        ticker: "KXRAIN-26NOV25",
        title: "Rain",
        yesSubTitle: "",
        status: "active",
        closeTime: null,
        // A stale snapshot: NO 0.48 / 0.50 does not match the book below.
        yesBid: d("0.50"),
        yesAsk: d("0.52"),
        noBid: d("0.48"),
        noAsk: d("0.50"),
        lastPrice: d("0.51"),
        volume24h: 0 as Centis,
      },
      bestYesBid: d("0.55"),
      bestYesAsk: d("0.60"),
      bestNoBid: d("0.40"),
      bestNoAsk: d("0.45"),
      spread: d("0.05"),
    } as unknown as MarketInfo;
    const text = htmlToText(marketCard(info, TZ, 0));
    expect(text).toContain("YES: buy $0.60 · sell $0.55");
    expect(text).toContain("NO: buy $0.45 · sell $0.40");
  });
});

describe("placed card", () => {
  it("shows the reported fee exactly when it has sub-cent digits", () => {
    const q = {
      intent: {
        ticker: "KXRAIN-26NOV25",
        outcome: "yes",
        action: "buy",
        count: 100 as Centis,
        kind: "limit",
      },
      price: d("0.05"),
      marketTitle: "Rain",
    } as unknown as Quote;
    const r = {
      orderId: "o1",
      status: "executed",
      filledCount: 100 as Centis,
      restingCount: 0 as Centis,
      averagePrice: d("0.05"),
      fees: d("0.0035") as Micros,
    } as unknown as PlaceResult;
    expect(htmlToText(placedCard(q, r))).toContain("Fee: $0.0035");
  });
});

describe("order status card: what the order paid or received", () => {
  /**
   * Worked example. "Sell 10 YES @ $0.60" goes to Kalshi as an ask (sell YES ≡ buy NO), so its
   * outcome_side is "no" and its fill costs are in NO prices (the sim books them so; the client's
   * orderAverages reads them so). It filled 10 at YES $0.62 = NO $0.38: taker_fill_cost $3.80 is what
   * the NO side of that trade cost, while the seller of YES received 10 × $0.62 = $6.20.
   */
  const t = Date.UTC(2026, 10, 24, 15, 0, 0);
  function order(p: Partial<Order>): Order {
    return {
      orderId: "o-1",
      clientOrderId: "c-1",
      ticker: "KXRAIN-26NOV25",
      outcomeSide: "no",
      bookSide: "ask",
      status: "executed",
      yesPrice: d("0.60"),
      noPrice: d("0.40"),
      fillCount: 1000 as Centis,
      remainingCount: 0 as Centis,
      initialCount: 1000 as Centis,
      takerFillCost: d("3.80"),
      makerFillCost: 0 as Micros,
      takerFees: d("0.17"),
      makerFees: 0 as Micros,
      createdTime: t,
      lastUpdateTime: t,
      expirationTime: null,
      ...p,
    };
  }

  it("a filled Sell 10 YES @ $0.60 (ask, NO cost $3.80) shows received $6.20, not the NO side's cost", () => {
    const text = htmlToText(orderStatusCard(order({}), TZ, { action: "sell", outcome: "yes" }));
    expect(text).toContain("Sell 10 YES @ $0.60");
    expect(text).toContain("Filled 10 of 10 (received $6.20, fees $0.17)");
    expect(text).not.toContain("$3.80");
    expect(text).not.toMatch(/cost/);
  });

  it("a filled Sell NO (a bid, YES cost) shows what the NO contracts brought in", () => {
    // Sell 4 NO @ $0.70 = bid YES @ $0.30; filled at YES $0.28 (NO $0.72): YES cost 4 × $0.28 = $1.12.
    const o = order({
      outcomeSide: "yes",
      bookSide: "bid",
      yesPrice: d("0.30"),
      noPrice: d("0.70"),
      fillCount: 400 as Centis,
      initialCount: 400 as Centis,
      takerFillCost: d("1.12"),
      takerFees: d("0.06"),
    });
    const text = htmlToText(orderStatusCard(o, TZ, { action: "sell", outcome: "no" }));
    expect(text).toContain("Filled 4 of 4 (received $2.88, fees $0.06)");
  });

  it("sub-cent amounts keep their digits: received $0.1234, cost $0.0125", () => {
    // Sell 1 YES on a deci-cent market, filled at YES $0.1234 = NO $0.8766 (maker).
    const sell = order({
      yesPrice: d("0.12"),
      noPrice: d("0.88"),
      fillCount: 100 as Centis,
      initialCount: 100 as Centis,
      takerFillCost: 0 as Micros,
      makerFillCost: d("0.8766"),
      takerFees: 0 as Micros,
      makerFees: d("0.0016"),
    });
    expect(htmlToText(orderStatusCard(sell, TZ, { action: "sell", outcome: "yes" }))).toContain(
      "Filled 1 of 1 (received $0.1234, fees $0.0016)",
    );
    // Buy 1 YES at $0.0125 (a bid): cost is in YES prices.
    const buy = order({
      outcomeSide: "yes",
      bookSide: "bid",
      yesPrice: d("0.0125"),
      noPrice: d("0.9875"),
      fillCount: 100 as Centis,
      initialCount: 100 as Centis,
      takerFillCost: d("0.0125"),
      takerFees: d("0.0001"),
    });
    expect(htmlToText(orderStatusCard(buy, TZ, { action: "buy", outcome: "yes" }))).toContain(
      "Filled 1 of 1 (cost $0.0125, fees $0.0001)",
    );
  });

  it("an order of unknown intent shows both readings of the money, like its headline", () => {
    const text = htmlToText(orderStatusCard(order({}), TZ, null));
    expect(text).toContain("Buy NO @ $0.40 = Sell YES @ $0.60");
    expect(text).toContain("Filled 10 of 10 (NO cost $3.80 = YES received $6.20, fees $0.17)");
  });

  it("nothing filled: no money line beyond the counts", () => {
    const o = order({
      status: "resting",
      fillCount: 0 as Centis,
      remainingCount: 1000 as Centis,
      takerFillCost: 0 as Micros,
      takerFees: 0 as Micros,
    });
    const text = htmlToText(orderStatusCard(o, TZ, { action: "sell", outcome: "yes" }));
    expect(text).toContain("Filled 0 of 10");
    expect(text).toContain("Resting 10");
  });
});
