/**
 * Issue 16, "Lists you can tell apart", in the harness chat: market names with their strike, button
 * labels with the strike first, times with their zone, the settled market card, /history newest first
 * with settlements (and in the CSV), `today` / `yesterday`, one spelling, one unknown-ticker sentence.
 */
import { afterEach, describe, expect, it } from "vitest";
import { usd } from "./world.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const NAME = "Highest temperature in NYC on Nov 25 — 45° to 46°";
const OTHER = "KXHIGHNY-26NOV25-B47";

async function twoStrikes(): Promise<Harness> {
  h = await makeHarness();
  h.world.addMarket({
    ticker: OTHER,
    title: "Highest temperature in NYC on Nov 25",
    yesSubTitle: "47° to 48°",
    yesBid: usd("0.20"),
    yesAsk: usd("0.22"),
  });
  return h;
}

describe("lists you can tell apart", () => {
  it("/portfolio, the quote card and /sell's buttons name the strike, not just the event", async () => {
    await twoStrikes();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    expect(h.last().text).toContain(NAME);
    await h.tap("Confirm");
    await h.say(`/buy ${OTHER} yes 5 @0.30`);
    await h.tap("Confirm");
    await h.say("/portfolio");
    expect(h.last().text).toContain(NAME);
    expect(h.last().text).toContain("Highest temperature in NYC on Nov 25 — 47° to 48°");
    await h.say("/sell");
    const labels = h.buttons().filter((b) => b.includes("YES"));
    expect(labels).toContain("45° to 46° · YES ×10 · Highest…");
    expect(labels).toContain("47° to 48° · YES ×5 · Highest…");
    for (const l of labels) expect(l.length).toBeLessThanOrEqual(32);
  });

  it("the market card's close time carries its zone", async () => {
    h = await makeHarness();
    await h.say(`/market ${TICKER}`);
    // The harness's market closes a day after 10:00 EST on Nov 24.
    expect(h.last().text).toContain("closes Nov 25, 10:00 EST");
    expect(h.last().text).toContain("YES means: 45° to 46°");
  });

  it("a settled market's card shows its result and settlement time instead of a close time", async () => {
    h = await makeHarness();
    h.world.exchange.addMarket({
      ticker: "KXDONE-26NOV24",
      title: "Rain in NYC on Nov 24?",
      yesSubTitle: "Above 0.1 in",
      status: "finalized",
      result: "no",
      closeTime: h.clock.t - 3_600_000,
    });
    await h.say("/market KXDONE-26NOV24");
    const t = h.last().text;
    expect(t).toContain("Settled: NO won · Nov 24, 10:00 EST");
    expect(t).not.toContain("closes");
    // Nothing to trade or read in its book; the ticker can still be copied.
    expect(h.buttons()).toEqual(["📋 Copy ticker"]);
  });

  it("/history lists the newest first, with settlements as rows", async () => {
    h = await makeHarness();
    const day = 86_400_000;
    h.world.addPastFill({ time: h.clock.t - 3 * day, ticker: "KXOLD-A" });
    h.world.addPastFill({ time: h.clock.t - 2 * day, ticker: "KXOLD-B" });
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    h.clock.t += 60_000;
    h.world.exchange.settle(TICKER, "yes", h.clock.t);
    await h.say("/history");
    const t = h.last().text;
    const at = (s: string) => t.indexOf(s);
    expect(at("Settled 10 YES")).toBeGreaterThan(0);
    expect(at("Settled 10 YES")).toBeLessThan(at(`Buy 10 YES ${TICKER}`));
    expect(at(`Buy 10 YES ${TICKER}`)).toBeLessThan(at("KXOLD-B"));
    expect(at("KXOLD-B")).toBeLessThan(at("KXOLD-A"));
    expect(t).toMatch(/Nov 24, 10:01 EST Settled 10 YES/);
  });

  it("/history today and yesterday are days in the display zone", async () => {
    h = await makeHarness();
    // The clock is 10:00 EST on Nov 24.
    h.world.addPastFill({ time: h.clock.t - 9 * 3_600_000, ticker: "KXTODAY-A" }); // 01:00 EST today
    h.world.addPastFill({ time: h.clock.t - 11 * 3_600_000, ticker: "KXYDAY-A" }); // 23:00 EST yesterday
    await h.say("/history today");
    expect(h.last().text).toContain("KXTODAY-A");
    expect(h.last().text).not.toContain("KXYDAY-A");
    expect(h.last().text).toContain("today (America/New_York)");
    await h.say("/history Yesterday");
    expect(h.last().text).toContain("KXYDAY-A");
    expect(h.last().text).not.toContain("KXTODAY-A");
    await h.say("/export yesterday");
    expect(h.last().document!.bytes.toString()).toContain("KXYDAY-A");
  });

  it("/export has settlements as rows with the payout and P&L, and market_title names the strike", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    h.world.exchange.settle(TICKER, "yes", h.clock.t + 60_000);
    h.clock.t += 120_000;
    await h.say("/export");
    const csv = h
      .last()
      .document!.bytes.toString()
      .replace(/^\uFEFF/, "");
    const [header, ...rows] = csv.trim().split("\r\n");
    const cols = header!.split(",");
    expect(cols).toContain("payout");
    const byAction = (a: string) =>
      rows.map((r) => r.split(",")).find((r) => r[cols.indexOf("action")] === a)!;
    const buy = byAction("buy");
    expect(buy[cols.indexOf("market_title")]).toBe(NAME);
    const settled = byAction("settlement");
    expect(settled[cols.indexOf("market_title")]).toBe(NAME);
    expect(settled[cols.indexOf("outcome")]).toBe("YES");
    expect(settled[cols.indexOf("count")]).toBe("10");
    expect(settled[cols.indexOf("payout")]).toBe("10.00");
    const cost = Number(buy[cols.indexOf("cost")]) + Number(buy[cols.indexOf("fee")]);
    expect(Number(settled[cols.indexOf("realized_pnl")])).toBeCloseTo(10 - cost, 2);
    expect(settled[cols.indexOf("source")]).toBe("settlement");
  });

  it("an unknown ticker gets the same sentence from /market and /buy", async () => {
    h = await makeHarness();
    await h.say("/market KXNOPE-26NOV25");
    const sentence = h.last().text.split("\n").slice(1).join("\n");
    expect(sentence).toBe("There is no market with ticker KXNOPE-26NOV25. Find one with /search <words>.");
    await h.say("/buy KXNOPE-26NOV25 yes 1");
    expect(h.botTexts().some((t) => t.endsWith(sentence))).toBe(true);
    expect(h.api.botMessages(USER).filter((m) => m.text.includes("KXNOPE")).length).toBeGreaterThan(1);
    expect(h.botTexts().filter((t) => t.includes("KXNOPE") && !t.endsWith(sentence))).toEqual([]);
  });
});
