/**
 * Lifecycle notices on the real sim (signed client, signed WebSocket with market_lifecycle_v2): a held
 * market is moved close to its close, paused, resumed, determined and settled. Each step is told once,
 * the notices agree with the fill alert and the settlement notice on what was held, a restart between
 * the events and their delivery sends each once, and a restart after delivery sends nothing again.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LIFECYCLE_STATE_FILE } from "../../src/alerts/lifecycle.js";
import { SimAlertsHarness, until } from "./simHarness.js";

let h: SimAlertsHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const LIFE = { lifecycle: { closeNoticeMinutes: 60, pollMs: 60_000 }, settlementPollMs: 60_000 };
const STREAM = { marketLifecycle: true };

describe("lifecycle notices", () => {
  it("tells each step of a held market that settles once, agreeing with the fill and settlement alerts", async () => {
    h = await SimAlertsHarness.create();
    const svc = h.service(LIFE, STREAM);
    await svc.start();
    await h.rest(3);
    h.fill(3);
    const file = join(h.dataDir, LIFECYCLE_STATE_FILE);
    const t = h.ticker;
    await until(() => existsSync(file) && readFileSync(file, "utf8").includes(t), "the market is watched");

    const m = h.sim.engine.market(t);
    m.closeTime = h.sim.engine.now() + 30 * 60_000;
    h.sim.engine.emit("lifecycle", { ticker: t, type: "close_date_updated", closeTs: m.closeTime });
    h.sim.engine.pause(t, true);
    h.sim.engine.pause(t, false);
    h.sim.engine.determine(t, "yes");
    h.sim.settle(t, "yes");
    const texts = () => h!.sink.plainTexts();
    await until(() => texts().some((x) => x.includes("Settled:")), "the settlement notice");
    await h.nothingMore();

    const heads = texts().map((x) => x.split("\n")[1]!.split(":")[0]);
    expect(heads).toEqual([
      "Filled",
      "⏰ Closing soon",
      "⏸ Trading paused",
      "▶️ Trading resumed",
      "🔒 Market closed",
      "🏁 Result determined",
      "Settled",
    ]);
    const find = (head: string) => texts().find((x) => x.includes(head))!;
    expect(find("Filled:")).toContain("position now 3 YES");
    expect(find("Closing soon")).toMatch(/closes .* \(in 30 min\) · you hold 3 YES/);
    expect(find("Result determined")).toContain("result YES · you hold 3 YES · pays $3.00 at settlement");
    expect(find("Settled:")).toContain("you held 3 YES · payout $3.00 credited to your cash");

    // A restart after delivery: nothing is told again.
    await svc.stop();
    const before = h.sink.messages.length;
    const again = h.service(LIFE, STREAM);
    await again.start();
    await h.nothingMore();
    expect(h.sink.messages.length).toBe(before);
  });

  it("a restart between the event and its delivery sends the notice once", async () => {
    h = await SimAlertsHarness.create();
    const first = h.service(LIFE, STREAM);
    await first.start();
    await h.rest(2);
    h.fill(2);
    const file = join(h.dataDir, LIFECYCLE_STATE_FILE);
    await until(
      () => existsSync(file) && readFileSync(file, "utf8").includes(h!.ticker),
      "the market is watched",
    );
    await until(() => h!.sink.messages.length === 1, "the fill alert");
    // Telegram is down: the pause is taken in but cannot be delivered before the stop.
    for (let i = 0; i < 1000; i++) h.sink.failNext.push(new Error("socket hang up"));
    h.sim.engine.pause(h.ticker, true);
    await until(() => h!.sink.calls > 2, "a failed delivery attempt");
    await first.stop();
    h.sink.failNext.length = 0;

    const second = h.service(LIFE, STREAM);
    await second.start();
    await until(() => h!.sink.plainTexts().some((x) => x.includes("Trading paused")), "the pause notice");
    await h.nothingMore();
    expect(h.sink.plainTexts().filter((x) => x.includes("Trading paused"))).toHaveLength(1);
  });
});
