import { describe, expect, it } from "vitest";
import {
  envTagFor,
  formatFillMessage,
  formatSettlementMessage,
  interpretFill,
  settlementPnl,
} from "../../src/alerts/format.js";
import type { Fill, Settlement } from "../../src/exchange/port.js";
import type { OrderIntent } from "../../src/alerts/intent.js";
import type { Centis, Micros } from "../../src/domain/money.js";

function fill(over: Partial<Fill> = {}): Fill {
  return {
    fillId: "f",
    tradeId: "f",
    orderId: "o",
    ticker: "KX",
    outcomeSide: "yes",
    bookSide: "bid",
    count: 1000 as Centis,
    yesPrice: 550_000 as Micros,
    noPrice: 450_000 as Micros,
    isTaker: true,
    fee: 170_000 as Micros,
    createdTime: Date.UTC(2026, 5, 1, 12, 0),
    ...over,
  };
}

const legs = (f: Fill, post: number | null) =>
  interpretFill(f, post as Centis | null).map(
    (l) => `${l.action} ${l.count / 100} ${l.outcome} @${l.cost / l.count / 10_000}`,
  );

describe("reading a fill as BUY/SELL of YES/NO", () => {
  it("bid from flat or long = BUY YES at the YES price", () => {
    expect(legs(fill(), 1000)).toEqual(["buy 10 yes @0.55"]);
    expect(legs(fill(), 2500)).toEqual(["buy 10 yes @0.55"]);
  });
  it("bid while short = SELL NO at 1 − YES price", () => {
    expect(legs(fill(), -500)).toEqual(["sell 10 no @0.45"]);
  });
  it("bid crossing from NO to YES = SELL the NO, BUY YES with the rest", () => {
    expect(legs(fill(), 400)).toEqual(["sell 6 no @0.45", "buy 4 yes @0.55"]);
  });
  it("ask while long = SELL YES; from flat or short = BUY NO", () => {
    const ask = fill({ bookSide: "ask", outcomeSide: "no" });
    expect(legs(ask, 500)).toEqual(["sell 10 yes @0.55"]);
    expect(legs(ask, -1000)).toEqual(["buy 10 no @0.45"]);
    expect(legs(ask, -300)).toEqual(["sell 7 yes @0.55", "buy 3 no @0.45"]);
  });
  it("unknown position: told in YES terms, which is always true on the single book", () => {
    expect(legs(fill({ bookSide: "ask" }), null)).toEqual(["sell 10 yes @0.55"]);
  });
  it("unknown position with the journal's intent: told as placed, if the intent fits the book side", () => {
    const ask = fill({ bookSide: "ask", outcomeSide: "no" });
    const show = (f: Fill, intent: OrderIntent) =>
      interpretFill(f, null, intent).map((l) => `${l.action} ${l.outcome} @${l.cost / l.count / 10_000}`);
    expect(show(ask, { action: "buy", outcome: "no" })).toEqual(["buy no @0.45"]);
    expect(show(fill(), { action: "sell", outcome: "no" })).toEqual(["sell no @0.45"]);
    // an intent that cannot be this order (buy YES is a bid) is ignored
    expect(show(ask, { action: "buy", outcome: "yes" })).toEqual(["sell yes @0.55"]);
    // a known position wins over the intent
    expect(interpretFill(ask, 500 as Centis, { action: "buy", outcome: "no" })[0]!.action).toBe("sell");
  });
});

describe("messages", () => {
  const ctx = { envTag: envTagFor("production"), timeZone: "Europe/Berlin" };

  it("escapes HTML in market titles and shows the live tag in the display time zone", () => {
    const text = formatFillMessage(
      ctx,
      'S&P <500> "up"',
      [{ fill: fill(), postPosition: 1000 as Centis }],
      null,
    );
    expect(text).toBe(
      "🔴 LIVE · Jun 1, 14:00 GMT+2\n<b>Filled</b>: BUY 10 YES · S&amp;P &lt;500&gt; &quot;up&quot; · @ $0.55 · fee $0.17 · position now 10 YES",
    );
  });

  it("shows fractional counts, a closed position and order progress", () => {
    const text = formatFillMessage(
      ctx,
      "T",
      [{ fill: fill({ count: 250 as Centis, bookSide: "ask" }), postPosition: 0 as Centis }],
      { fillCount: 250 as Centis, initialCount: 1000 as Centis },
    );
    expect(text).toContain("SELL 2.5 YES · T · @ $0.55 · fee $0.17 · position closed · order 2.5/10");
  });

  it("settlement P&L = revenue − cost of contracts held − fees", () => {
    const s: Settlement = {
      ticker: "KX",
      eventTicker: "K",
      marketResult: "no",
      yesCount: 0 as Centis,
      noCount: 2000 as Centis,
      yesTotalCost: 0 as Micros,
      noTotalCost: 12_400_000 as Micros,
      revenue: 0 as Micros,
      fee: 300_000 as Micros,
      settledTime: Date.UTC(2026, 5, 1, 12, 0),
      value: 0 as Micros,
    };
    expect(settlementPnl({ ...s, marketResult: "yes" })).toBe(-12_700_000);
    const won = { ...s, revenue: 20_000_000 as Micros };
    expect(formatSettlementMessage(ctx, "T", won)).toContain(
      "result NO · you held 20 NO · payout $20.00 credited to your cash · P&amp;L +$7.30",
    );
  });
});
