/** Money on the cards adds up: sub-cent fees are shown as reported, no "-$0.00" or "+$0.00". */
import { describe, expect, it } from "vitest";
import { type Centis, type Micros, parseDollars } from "../../src/domain/money.js";
import { historyTable, placedCard } from "../../src/bot/views.js";
import { htmlToText } from "../../src/bot/format.js";
import type { HistoryRow, PlaceResult, Quote } from "../../src/trading/types.js";

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
