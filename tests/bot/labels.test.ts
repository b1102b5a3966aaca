import { describe, expect, it } from "vitest";
import { BUTTON_LABEL_MAX, buttonLabel, centsLabel } from "../../src/bot/labels.js";
import { usd } from "./world.js";

describe("button labels (issue 16: distinguishing part first, fits Telegram's width)", () => {
  it("keeps a short label as it is", () => {
    expect(buttonLabel(["≥ $95,000", "61¢"])).toBe("≥ $95,000 · 61¢");
  });
  it("shortens a long name at a word boundary, never mid-word, and keeps the parts before it", () => {
    const title = "Highest temperature in New York City's Central Park on November 25, 2026";
    const label = buttonLabel(["1. 45° to 46°", title]);
    expect(label.length).toBeLessThanOrEqual(BUTTON_LABEL_MAX);
    expect(label.startsWith("1. 45° to 46° · Highest")).toBe(true);
    expect(label.endsWith("…")).toBe(true);
    const kept = label.slice("1. 45° to 46° · ".length, -1).trim();
    // Every word shown is a whole word of the title.
    for (const w of kept.split(" ")) expect(title.split(" ")).toContain(w);
  });
  it("shortens the longest part first, so a trailing price or count survives", () => {
    const label = buttonLabel(["Boston Celtics at Los Angeles Lakers: who wins tonight?", "YES ×10"], 30);
    expect(label.length).toBeLessThanOrEqual(30);
    expect(label.endsWith(" · YES ×10")).toBe(true);
  });
  it("drops a part that has no room rather than cutting a word", () => {
    const label = buttonLabel(["≥ $95,000", "61¢", "KXBTCD-26DEC0417-T95000"], 20);
    expect(label).toBe("≥ $95,000 · 61¢");
  });
  it("a price in cents for buttons", () => {
    expect(centsLabel(usd("0.61"))).toBe("61¢");
    expect(centsLabel(usd("0.615"))).toBe("61.5¢");
    expect(centsLabel(null)).toBe("–");
  });
});
