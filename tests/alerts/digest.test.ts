/**
 * The daily digest: sent at DIGEST_TIME in the display zone, also across a DST change in New York;
 * a digest missed while the bot was down is sent once at start-up, marked late; it goes through the
 * same queue as fill alerts (quiet for /alerts off, without sound for silent) with its 7-day chart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DigestScheduler, lastSlot, nextSlot } from "../../src/alerts/digest.js";
import { createFillAlerts } from "../../src/alerts/service.js";
import { createAlertSettingsStore } from "../../src/alerts/settings.js";
import type { Notice } from "../../src/alerts/state.js";
import type { ExchangeStream } from "../../src/exchange/port.js";
import { buildDigest, type Digest } from "../../src/trading/index.js";
import { SimExchange } from "../support/simExchange.js";
import { RecordingSink } from "./harness.js";

const NY = "America/New_York";
const NINE_PM = { hour: 21, minute: 0 };
let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "digest-"));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const emptyDigest = (slot: number): Digest =>
  buildDigest({
    slot,
    now: slot,
    timeZone: NY,
    fills: [],
    settlements: [],
    positions: [],
    resting: [],
    markets: [],
    previous: null,
  });

/** A scheduler over a recording intake (steps run at once, in order). */
function scheduler() {
  const taken: Notice[] = [];
  const slots: number[] = [];
  let chain = Promise.resolve();
  const s = new DigestScheduler({
    collect: async (slot) => {
      slots.push(slot);
      return emptyDigest(slot);
    },
    intake: {
      run: (step) => void (chain = chain.then(step)),
      takeNotices: (ns) => void taken.push(...ns),
    },
    log: { info() {}, warn() {}, error() {} },
    now: () => Date.now(),
    dataDir: dir,
    timeZone: NY,
    time: NINE_PM,
  });
  return { s, taken, slots, settled: () => chain };
}

describe("digest schedule", () => {
  it("comes at 21:00 New York time on both sides of the end of DST", async () => {
    expect(lastSlot(Date.parse("2026-11-01T12:00:00Z"), NINE_PM, NY)).toBe(
      Date.parse("2026-11-01T01:00:00Z"),
    );
    expect(nextSlot(Date.parse("2026-11-01T12:00:00Z"), NINE_PM, NY)).toBe(
      Date.parse("2026-11-02T02:00:00Z"),
    );
    vi.useFakeTimers({ now: Date.parse("2026-10-31T20:00:00Z") }); // Sat 16:00 EDT
    const first = scheduler();
    first.s.start(); // first run: nothing missed
    await vi.advanceTimersByTimeAsync(0);
    expect(first.slots).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 86_400_000); // through Sunday's 25-hour day to Monday
    await first.settled();
    first.s.stop();
    expect(first.slots.map((t) => new Date(t).toISOString())).toEqual([
      "2026-11-01T01:00:00.000Z", // Sat 21:00 EDT
      "2026-11-02T02:00:00.000Z", // Sun 21:00 EST
    ]);
    const digests = first.taken.filter((n) => n.kind === "digest");
    expect(digests.map((n) => n.kind === "digest" && n.late)).toEqual([false, false]);
    expect(first.taken.filter((n) => n.kind === "chart")).toHaveLength(2);
  });

  it("sends a digest missed while the bot was down once at start-up, marked late", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-11-24T20:00:00Z") }); // Tue 15:00 EST
    const before = scheduler();
    before.s.start();
    before.s.stop();
    vi.setSystemTime(Date.parse("2026-11-27T14:00:00Z")); // down for three digest times; Fri 09:00
    const after = scheduler();
    after.s.start();
    await after.settled();
    after.s.stop();
    expect(after.slots).toEqual([Date.parse("2026-11-27T02:00:00Z")]); // only the latest: Thu 21:00
    expect(after.taken.map((n) => n.kind === "digest" && n.late)).toEqual([true, false]);
    const again = scheduler();
    again.s.start();
    await again.settled();
    again.s.stop();
    expect(again.slots).toEqual([]);
  });
});

/** A stream that never connects (the alerts then poll; nothing here needs it). */
function quietStream(): ExchangeStream {
  return {
    start: async () => undefined,
    on: () => () => undefined,
    connected: false,
    close: async () => undefined,
  };
}

describe("digest delivery", () => {
  it("arrives as text then the chart photo, without sound when silent, and not at all when off", async () => {
    vi.useFakeTimers({
      now: Date.parse("2026-11-24T20:00:00Z"),
      toFake: ["setTimeout", "clearTimeout", "Date"],
    });
    const run = async (mode: "on" | "silent" | "off") => {
      vi.setSystemTime(Date.parse("2026-11-24T20:00:00Z")); // Tue 15:00 EST, a fresh DATA_DIR each
      const d = await mkdtemp(join(dir, `${mode}-`));
      const settings = createAlertSettingsStore(d);
      settings.set(7, mode);
      const sink = new RecordingSink();
      const photos: Array<{ bytes: number; caption: string; silent: boolean }> = [];
      Object.assign(sink, {
        sendPhoto: async (_chat: number, png: Uint8Array, caption: string, o: { silent: boolean }) => {
          photos.push({ bytes: png.length, caption, silent: o.silent });
          return { messageId: 900 + photos.length };
        },
      });
      const alerts = createFillAlerts({
        stream: quietStream(),
        exchange: new SimExchange({ now: () => Date.now() }),
        sink,
        chatIds: [7],
        settings,
        dataDir: d,
        envTag: "sim",
        timeZone: NY,
        settlementPollMs: 0,
        digest: { time: NINE_PM, collect: async (slot) => emptyDigest(slot) },
      });
      await alerts.start();
      await vi.advanceTimersByTimeAsync(7 * 3_600_000); // past 21:00 EST (02:00 UTC)
      await alerts.idle();
      await alerts.stop();
      return { texts: sink.messages, photos };
    };
    const on = await run("on");
    expect(on.texts).toHaveLength(1);
    expect(on.texts[0]!.texts[0]).toContain("Daily digest · Tue, Nov 24");
    expect(on.texts[0]!.texts[0]).toContain("Today: realized $0.00");
    expect(on.texts[0]!.silent).toBe(false);
    expect(on.photos).toHaveLength(1);
    expect(on.photos[0]!.bytes).toBeGreaterThan(1000);
    expect(on.photos[0]!.caption).toContain("P&amp;L, last 7 days");
    const silent = await run("silent");
    expect([silent.texts[0]!.silent, silent.photos[0]!.silent]).toEqual([true, true]);
    const off = await run("off");
    expect([off.texts.length, off.photos.length]).toEqual([0, 0]);
  });
});
