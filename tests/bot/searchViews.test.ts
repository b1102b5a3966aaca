/** Texts of /search and /browse: index age, escaping, one line per event. */
import { describe, expect, it } from "vitest";
import { eventHitsText, indexAge } from "../../src/bot/searchViews.js";

const MIN = 60_000;

describe("search texts", () => {
  it("say how old the index is only once it is more than a minute or so old", () => {
    expect(indexAge(0, 90_000)).toBe("");
    expect(indexAge(0, 2 * MIN)).toBe("(markets as of 2 min ago)");
    expect(indexAge(0, 150 * MIN)).toBe("(markets as of 2 h ago)");
  });

  it("list events with their strike count and close, escape the words and add the age when stale", () => {
    const hit = {
      event: {
        eventTicker: "KXHIGHNY-26DEC06",
        seriesTicker: "KXHIGHNY",
        title: "Highest temperature in NYC on Dec 6, 2026?",
        subTitle: "On Dec 6, 2026",
        category: "Climate and Weather",
        closeTime: Date.UTC(2026, 11, 7, 5),
        volume: 100,
        strikes: [
          ["KXHIGHNY-26DEC06-T38", "38° or below"],
          ["KXHIGHNY-26DEC06-B39", "39° to 40°"],
        ] as [string, string][],
      },
      seriesTitle: "Highest temperature in NYC today?",
      score: 6,
      strikeTickers: [],
    };
    const text = eventHitsText("nyc <b>", [hit], 0, 5 * MIN, "America/New_York");
    expect(text).toContain("nyc &lt;b&gt;");
    expect(text).toContain("<b>Highest temperature in NYC on Dec 6, 2026?</b> — On Dec 6, 2026");
    expect(text).toContain("2 strikes · closes");
    expect(text).toContain("(markets as of 5 min ago)");
    expect(eventHitsText("zebra", [], 0, 0, "UTC")).toBe(
      "No open markets match “zebra”. Try other words, or /browse.",
    );
  });
});
