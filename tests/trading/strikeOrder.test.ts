/** Issue 16: the strikes of one event come lowest first, whatever order the exchange listed them in. */
import { describe, expect, it } from "vitest";
import { createSearchService } from "../../src/trading/search/service.js";
import { SimExchange } from "../support/simExchange.js";

describe("an event's strikes", () => {
  it("eventMarkets lists them by strike; equal strikes keep the exchange's order", async () => {
    const ex = new SimExchange({ now: () => Date.UTC(2026, 11, 4, 12), balance: "100" });
    const add = (ticker: string, yesSubTitle: string) =>
      ex.addMarket({ ticker, eventTicker: "KXBTCD-26DEC0417", title: "Bitcoin on Dec 4?", yesSubTitle });
    add("KXBTCD-26DEC0417-T97000", "$97,000 or above");
    add("KXBTCD-26DEC0417-T95000", "$95,000 or above");
    add("KXBTCD-26DEC0417-T95000B", "$95,000 or above (B)");
    add("KXBTCD-26DEC0417-T96000", "$96,000 or above");
    const search = createSearchService({ exchange: ex, now: () => Date.UTC(2026, 11, 4, 12) });
    const listed = (await ex.getMarkets({ eventTicker: "KXBTCD-26DEC0417", status: "open" })).map(
      (m) => m.ticker,
    );
    expect(listed).not.toEqual([...listed].sort()); // the double lists them as added, not sorted
    const markets = await search.eventMarkets("KXBTCD-26DEC0417");
    expect(markets.map((m) => m.ticker)).toEqual([
      "KXBTCD-26DEC0417-T95000",
      "KXBTCD-26DEC0417-T95000B",
      "KXBTCD-26DEC0417-T96000",
      "KXBTCD-26DEC0417-T97000",
    ]);
  });
});
