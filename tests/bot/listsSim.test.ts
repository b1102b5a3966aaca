/**
 * Issue 16, "Lists you can tell apart", against the sim with a generated (live-style) catalog: a
 * strike picker in strike order with short labels, the price on its buttons named, and /help's
 * examples taken from markets that exist here.
 */
import { afterEach, describe, expect, it } from "vitest";
import { makeSimStack, type SimStack } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function start(): Promise<SimStack> {
  s = await makeSimStack({ sim: { seed: 4, catalog: { series: 40, openEvents: 120, combos: 300 } } });
  return s;
}

/** The number a strike label starts with ("≥ $95,000 · 61¢" → 95000, "41° to 42° · 3¢" → 41). */
const strikeOf = (label: string): number => Number(/-?\d[\d,]*(?:\.\d+)?/.exec(label)![0].replace(/,/g, ""));

describe("strike pickers and examples you can tell apart", () => {
  it("a ladder's strikes come in strike order, labels strike first and short, the price named", async () => {
    const st = await start();
    await st.say("/search highest temperature nyc");
    await st.tap(/^1\. Highest temperature in NYC/);
    const picker = st.last();
    expect(picker.text).toContain("Buttons show the price to buy YES (the ask)");
    const labels = st.buttons();
    expect(labels.length).toBeGreaterThan(2);
    for (const l of labels) {
      expect(l).toMatch(/^[≤≥<>]? ?-?\$?\d.* · (\d+(\.\d+)?¢|–)$/);
      expect(l.length).toBeLessThanOrEqual(16);
    }
    const strikes = labels.map(strikeOf);
    expect(strikes).toEqual([...strikes].sort((a, b) => a - b));

    await st.say("/search bitcoin price");
    await st.tap(/^1\. Bitcoin/);
    const btc = st.buttons();
    expect(btc.some((l) => l.startsWith("≥ $") || l.startsWith("$"))).toBe(true);
    const btcStrikes = btc.map(strikeOf);
    expect(btcStrikes).toEqual([...btcStrikes].sort((a, b) => a - b));
  });

  it("/help's examples use tickers of markets open here", async () => {
    const st = await start();
    await st.say("/help");
    const help = st.last().text;
    const buy = /e\.g\. \/buy (\S+) yes/.exec(help);
    expect(buy).not.toBeNull();
    expect(help).not.toContain("KXHIGHNY-26NOV25-B45");
    await st.say(`/market ${buy![1]}`);
    expect(st.last().text).toContain(buy![1]!);
    expect(st.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);
    const market = /e\.g\. \/market (\S+)/.exec(help)![1]!;
    await st.say(`/market ${market}`);
    expect(st.buttons()).toEqual(["Buy YES", "Buy NO", "📊 Book", "📋 Copy ticker"]);
  });
});
