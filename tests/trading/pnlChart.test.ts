/**
 * /pnl's picture: a real PNG with readable text (the title drawn with the shipped font), the daily
 * sums in the display zone, and a range without closed trades drawn as a picture that says so.
 */
import { describe, expect, it } from "vitest";
import { micros } from "../../src/domain/money.js";
import type { RealizedEvent } from "../../src/trading/ledger.js";
import { renderPnlChart, TITLE_BOX } from "../../src/trading/pnl/chart.js";
import { dailyRealized } from "../../src/trading/pnl/series.js";
import { decodePng, inkIn } from "../support/png.js";

const NY = "America/New_York";
const ev = (iso: string, dollars: number): RealizedEvent => ({
  ticker: "KXT-1",
  time: Date.parse(iso),
  pnl: micros(Math.round(dollars * 1_000_000)),
  kind: "sell",
});

describe("P&L chart", () => {
  it("sums realized P&L by local day and draws a PNG whose title has text", async () => {
    const now = Date.parse("2026-11-30T20:00:00Z");
    // 02:00 UTC on Nov 30 is still Nov 29 in New York.
    const events = [
      ev("2026-11-30T02:00:00Z", 2),
      ev("2026-11-29T15:00:00Z", 1.5),
      ev("2026-11-30T18:00:00Z", -1),
    ];
    const s = dailyRealized(events, "7d", now, NY);
    expect(s.days).toHaveLength(7);
    expect(s.days.map((d) => d.pnl / 1_000_000)).toEqual([0, 0, 0, 0, 0, 3.5, -1]);
    expect(s.total).toBe(2_500_000);
    const png = await renderPnlChart(s, { envTag: "🧪 SIM", timeZone: NY });
    const px = decodePng(png);
    expect([px.width, px.height]).toEqual([800, 450]);
    expect(inkIn(px, TITLE_BOX)).toBeGreaterThan(200);
    // Nothing is drawn in the blank band between the title and the plot's top.
    expect(inkIn(px, { left: 560, top: 50, width: 100, height: 20 })).toBe(0);
  });

  it("draws a picture that says so for a range with no closed trades", async () => {
    const now = Date.parse("2026-11-30T20:00:00Z");
    const s = dailyRealized([ev("2026-01-02T15:00:00Z", 4)], "30d", now, NY);
    expect(s.events).toBe(0);
    const px = decodePng(await renderPnlChart(s, { envTag: "🔴 LIVE", timeZone: NY }));
    expect(inkIn(px, TITLE_BOX)).toBeGreaterThan(200);
    // The note sits in the middle of the picture.
    expect(inkIn(px, { left: 150, top: 200, width: 500, height: 50 })).toBeGreaterThan(200);
  });

  it("counts a 23-hour and a 25-hour DST day as one day each", () => {
    const spring = dailyRealized(
      [ev("2026-03-08T12:00:00Z", 1)],
      "7d",
      Date.parse("2026-03-10T12:00:00Z"),
      NY,
    );
    expect(spring.days).toHaveLength(7);
    expect(spring.days.find((d) => d.pnl !== 0)!.dayStart).toBe(Date.parse("2026-03-08T05:00:00Z"));
    const fall = dailyRealized([], "all", Date.parse("2026-11-02T12:00:00Z"), NY);
    expect(fall.days).toHaveLength(7);
    expect(fall.days[5]!.dayStart).toBe(Date.parse("2026-11-01T04:00:00Z"));
    expect(fall.days[6]!.dayStart).toBe(Date.parse("2026-11-02T05:00:00Z"));
  });
});
