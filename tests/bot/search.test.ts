/**
 * /search and /browse against the sim with a small generated (live-style) catalog: results are
 * events, a ladder opens a strike picker, /browse walks to a market card, bad input costs nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { makeSimStack, type SimStack } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const STACKY = /\n\s+at |Error:|undefined|\[object/;

async function start(): Promise<SimStack> {
  s = await makeSimStack({ sim: { seed: 4, catalog: { series: 40, openEvents: 120, combos: 300 } } });
  return s;
}

describe("/search and /browse on a generated catalog", () => {
  it("/search shows one result per event; a ladder opens its strike picker, a strike opens the card", async () => {
    const st = await start();
    await st.say("/search highest temperature nyc");
    const list = st.last();
    expect(list.text).toContain("Open markets matching “highest temperature nyc”");
    expect(list.text).toMatch(/Highest temperature in NYC on .*\n.*\d+ strikes · closes/);
    expect(st.exchangeCalls.every((c) => c === "getEventsPage" || c === "getSeriesList")).toBe(true);

    st.exchangeCalls.length = 0;
    await st.tap(/^1\. Highest temperature in NYC/);
    expect(st.last().text).toContain("Pick one. Buttons show the price to buy YES (the ask):");
    expect(st.exchangeCalls).toEqual(["getMarkets"]);
    await st.tap(/°.* · \d+(\.\d+)?¢$/);
    expect(st.last().text).toContain("Highest temperature in NYC");
    expect(st.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);

    // Warm: the next search reads nothing at all.
    st.exchangeCalls.length = 0;
    await st.say("/search bitcoin price");
    expect(st.last().text).toContain("Bitcoin price");
    expect(st.exchangeCalls).toEqual([]);
  });

  it("/browse walks categories → series → events by close time → market card", async () => {
    const st = await start();
    await st.say("/browse");
    expect(st.last().text).toContain("pick a category");
    expect(st.buttons().some((b) => b.startsWith("Crypto ("))).toBe(true);
    await st.tap(/^Climate and Weather \(/);
    expect(st.last().text).toContain("Climate and Weather");
    // Series buttons are shortened at a word boundary to fit a phone: "Highest temperature in NYC… (3)".
    await st.tap(/^Highest temperature in NYC/);
    const events = st.last().text;
    expect(events).toContain("open events, closing soonest first");
    const dates = [...events.matchAll(/closes (.+)$/gm)].map((m) => m[1]);
    expect(dates.length).toBeGreaterThan(1);
    await st.tap(/^1\. /);
    expect(st.last().text).toContain("Pick one");
    await st.tap(/ · \d+(\.\d+)?¢$/);
    expect(st.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);
    expect(st.texts().some((t) => STACKY.test(t))).toBe(false);
  });

  it("/browse says how many events it does not list (15 shown) and how to find them", async () => {
    s = await makeSimStack({ sim: { seed: 4, catalog: { series: 2, openEvents: 60, combos: 10 } } });
    const st = s;
    await st.say("/browse");
    await st.tap(/\(\d+\)$/);
    const big = st.buttons().find((b) => Number(/\((\d+)\)$/.exec(b)?.[1]) > 16);
    expect(big).toBeDefined();
    const n = Number(/\((\d+)\)$/.exec(big!)![1]);
    await st.tap(new RegExp(`^${big!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    expect(st.buttons()).toHaveLength(15);
    expect(st.last().text).toContain(
      `${n - 15} more events, closing later, not shown: find one with /search <words>.`,
    );
  });

  it("bad input gets a sentence and no exchange call", async () => {
    const st = await start();
    st.exchangeCalls.length = 0;
    await st.say("/search");
    expect(st.last().text).toContain("Send /search <words>");
    expect(st.buttons()).toEqual(["Browse"]);
    await st.say(`/search ${"qzx!".repeat(125)}`);
    expect(st.last().text).toContain("That is too long to search for");
    await st.say("/search <b>");
    expect(st.last().text).toContain("Give a few words to search for");
    expect(st.last().text).not.toContain("<b>");
    await st.say("/browse please");
    expect(st.last().text).toContain("Send /browse on its own");
    expect(st.exchangeCalls).toEqual([]);
    expect(st.texts().some((t) => STACKY.test(t))).toBe(false);
  });
});
