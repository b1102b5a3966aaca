import { describe, expect, it } from "vitest";
import { marketName, shortStrike, strikeOrder } from "../../src/domain/marketName.js";

describe("market names (issue 16: lists you can tell apart)", () => {
  it("joins the event's question and the strike's sub-title, so strikes of one event differ", () => {
    const a = marketName({ title: "Bitcoin on Dec 4 at 17:00 EST?", yesSubTitle: "$95,000 or above" });
    const b = marketName({ title: "Bitcoin on Dec 4 at 17:00 EST?", yesSubTitle: "$96,000 or above" });
    expect(a).toBe("Bitcoin on Dec 4 at 17:00 EST — $95,000 or above");
    expect(a).not.toBe(b);
  });
  it("keeps the title alone when there is no sub-title or the title already says it", () => {
    expect(marketName({ title: "Rain in NYC today?", yesSubTitle: "" })).toBe("Rain in NYC today?");
    expect(marketName({ title: "Lakers", yesSubTitle: "Lakers" })).toBe("Lakers");
    expect(marketName({ title: "  ", yesSubTitle: "Lakers", ticker: "KX-1" })).toBe("Lakers");
    expect(marketName({ title: "", yesSubTitle: "", ticker: "KX-1" })).toBe("KX-1");
  });
  it("writes the usual strike phrasings as symbols for buttons", () => {
    expect(shortStrike("$95,000 or above")).toBe("≥ $95,000");
    expect(shortStrike("40° or below")).toBe("≤ 40°");
    expect(shortStrike("Above 4.25%")).toBe("> 4.25%");
    expect(shortStrike("Below $95,000")).toBe("< $95,000");
    expect(shortStrike("41° to 42°")).toBe("41° to 42°");
    expect(shortStrike("Boston Celtics")).toBe("Boston Celtics");
  });
  it("orders strikes by their number, stably, whatever order the exchange listed them in", () => {
    const m = (ticker: string, yesSubTitle: string, floorStrike: number | null = null) => ({
      ticker,
      yesSubTitle,
      floorStrike,
      capStrike: null,
    });
    const listed = [
      m("KXBTC-T97000", "$97,000 or above", 97000),
      m("KXBTC-T95000", "$95,000 or above", 95000),
      m("KXBTC-T96000", "$96,000 or above", 96000),
    ];
    expect([...listed].sort(strikeOrder).map((x) => x.ticker)).toEqual([
      "KXBTC-T95000",
      "KXBTC-T96000",
      "KXBTC-T97000",
    ]);
    // Without strikes from the exchange: the first number in the sub-title; "or below" first.
    const temps = [
      m("B45", "45° to 46°"),
      m("B41", "41° to 42°"),
      m("T49", "49° or above"),
      m("T40", "40° or below"),
    ];
    expect([...temps].sort(strikeOrder).map((x) => x.ticker)).toEqual(["T40", "B41", "B45", "T49"]);
    // Teams (no number) keep the exchange's order.
    const teams = [m("A", "Lakers"), m("B", "Celtics"), m("C", "Knicks")];
    expect([...teams].sort(strikeOrder).map((x) => x.ticker)).toEqual(["A", "B", "C"]);
  });
});
