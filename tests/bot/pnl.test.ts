/**
 * /pnl: the chart arrives as a photo (a PNG with text in its title) whose caption gives the range's
 * realized total; a range with no closed trades still gets a picture, and a bad range one sentence.
 */
import { afterEach, describe, expect, it } from "vitest";
import { micros } from "../../src/domain/money.js";
import { TITLE_BOX } from "../../src/trading/pnl/chart.js";
import { decodePng, inkIn } from "../support/png.js";
import { type Harness, makeHarness } from "./harness.js";

let h: Harness;
afterEach(async () => h?.close());

describe("/pnl", () => {
  it("sends the realized P&L chart as a photo with the total in the caption", async () => {
    h = await makeHarness();
    const day = 86_400_000;
    h.world.addPastFill({
      time: h.clock.t - 3 * day,
      ticker: "KXT-1",
      price: micros(400_000),
      fee: micros(0),
    });
    h.world.addPastFill({
      time: h.clock.t - 2 * day,
      ticker: "KXT-1",
      action: "sell",
      price: micros(700_000),
      fee: micros(0),
    });
    await h.say("/pnl");
    const m = h.last();
    expect(m.document?.photo).toBe(true);
    expect(m.document?.fileName).toBe("pnl-7d.png");
    expect(m.text).toContain("🧪 SIM");
    expect(m.text).toContain("Realized P&L, the last 7 days: +$0.30 (1 sell or settlement)");
    expect(inkIn(decodePng(m.document!.bytes), TITLE_BOX)).toBeGreaterThan(200);
    const call = h.api.calls.find((c) => c.method === "sendPhoto")!;
    expect(call.ok).toBe(true);
  });

  it("draws an empty range as a picture that says so, and answers a bad range with a sentence", async () => {
    h = await makeHarness();
    await h.say("/pnl 90d");
    expect(h.last().document?.photo).toBe(true);
    expect(h.last().text).toContain("No trades closed or settled in the last 90 days.");
    const photos = () => h.api.botMessages(1001).filter((m) => m.document?.photo).length;
    await h.say("/pnl 12x");
    expect(h.last().text).toContain("Say /pnl 7d, /pnl 30d, /pnl 90d or /pnl all");
    expect(photos()).toBe(1);
  });
});
