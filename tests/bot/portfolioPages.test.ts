/** /portfolio's pages: each under Telegram's 4096 characters with its environment header, every position once. */
import { describe, expect, it } from "vitest";
import { type Centis, type Micros, contracts } from "../../src/domain/money.js";
import { envHeader, TELEGRAM_TEXT_LIMIT } from "../../src/bot/format.js";
import { POSITIONS_PER_PAGE, partNote, portfolioPages } from "../../src/bot/portfolioPages.js";
import type { RestingOrderView } from "../../src/trading/holdings.js";
import type { PortfolioView, PositionView } from "../../src/trading/types.js";

const TZ = "America/New_York";
const m = (n: number) => n as Micros;
const ROOM = TELEGRAM_TEXT_LIMIT - envHeader("LIVE", { n: 99, of: 99 }).length - 1;

function view(
  positions: PositionView[],
  resting: RestingOrderView[] = [],
  notes: string[] = [],
): PortfolioView {
  const zero = m(0);
  return {
    positions,
    totalValue: zero,
    totalUnrealized: zero,
    realized: { today: zero, last7d: zero, last30d: zero, allTime: zero, byMarket: [] },
    balance: m(100_000_000),
    reserved: zero,
    restingOrders: resting,
    total: m(100_000_000),
    notes,
    asOf: Date.UTC(2026, 10, 24, 15),
  };
}

function position(i: number, title: string): PositionView {
  return {
    ticker: `KXP-26NOV25-T${i}`,
    title: `${title} ${i}`,
    side: i % 2 ? "yes" : "no",
    count: contracts(i + 1),
    averageEntry: m(400_000),
    markPrice: m(420_000),
    value: m(420_000 * (i + 1)),
    unrealizedPnl: m(20_000),
    settled: false,
  };
}

describe("portfolio pages", () => {
  it("long titles and resting orders: every page fits, every position is on exactly one page, numbered in order", () => {
    const long = "Will the highest temperature <in> NYC & Boston be above the forecast ".repeat(5);
    const ps = Array.from({ length: 45 }, (_, i) => position(i, long));
    const resting: RestingOrderView[] = ps.slice(0, 30).map((p, i) => ({
      orderId: `o${i}`,
      ticker: p.ticker,
      title: p.title,
      action: "sell",
      outcome: p.side,
      price: m(900_000),
      remaining: 100 as Centis,
      reserved: m(0),
    }));
    const lone = { ...resting[0]!, orderId: "lone", ticker: "KXLONE-1", title: "Only an order here" };
    const pages = portfolioPages(view(ps, [...resting, lone], ["A note at the end."]), TZ, ROOM);
    expect(pages.length).toBeGreaterThan(45 / POSITIONS_PER_PAGE);
    const numbers = pages.flatMap((p) => p.positions.map((x) => x.n));
    expect(numbers).toEqual(ps.map((_, i) => i + 1));
    pages.forEach((p, i) => {
      expect(p.html.length).toBeLessThanOrEqual(ROOM);
      expect(p.positions.length).toBeLessThanOrEqual(POSITIONS_PER_PAGE);
      expect(p.html).toContain(`page ${i + 1} of ${pages.length}`);
      // The page shows exactly the positions its buttons are for.
      for (const { n } of p.positions) expect(p.html).toContain(`<b>${n}. `);
      for (const { p: pos } of p.positions) expect(p.html).toContain(pos.ticker);
      expect(p.html).not.toContain("<in>");
    });
    expect(pages[0]!.html).toContain("Cash: $100.00");
    expect(pages.at(-1)!.html).toContain("KXLONE-1");
    expect(pages.at(-1)!.html).toContain("<i>A note at the end.</i>");
  });

  it("a short portfolio is one page without a page mark", () => {
    const pages = portfolioPages(view([position(1, "Rain")]), TZ, ROOM);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.html).not.toContain("page 1");
    expect(pages[0]!.positions.map((x) => x.n)).toEqual([1]);
  });

  it("the quote's note says the rounding only when there is one", () => {
    expect(partNote(contracts(7), 50)).toBe(
      "50% of 7 is 3.5: selling 3 (orders here are in whole contracts; rounded down).",
    );
    expect(partNote(contracts(8), 25)).toBe("25% of 8 is 2.");
  });
});
