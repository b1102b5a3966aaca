import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALERT_SETTINGS_FILE, createAlertSettingsStore } from "../../src/alerts/settings.js";
import type { AlertMode } from "../../src/domain/alertMode.js";
import { AlertState, FILL_KEYS_LIMIT } from "../../src/alerts/state.js";
import type { Centis, Micros } from "../../src/domain/money.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tmp() {
  const d = await mkdtemp(join(tmpdir(), "alerts-settings-"));
  dirs.push(d);
  return d;
}

describe("alert settings", () => {
  it("defaults to on and keeps /alerts choices across restarts", async () => {
    const dir = await tmp();
    const a = createAlertSettingsStore(dir);
    expect(a.get(1)).toBe("on");
    a.set(1, "silent");
    a.set(2, "off");
    const b = createAlertSettingsStore(dir);
    expect([b.get(1), b.get(2), b.get(3)]).toEqual(["silent", "off", "on"]);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses an unknown mode and survives a corrupt file", async () => {
    const dir = await tmp();
    await writeFile(join(dir, ALERT_SETTINGS_FILE), "{not json");
    const s = createAlertSettingsStore(dir);
    expect(s.get(1)).toBe("on");
    expect(() => s.set(1, "loud" as AlertMode)).toThrow();
    s.set(1, "off");
    expect(createAlertSettingsStore(dir).get(1)).toBe("off");
  });
});

describe("alert state", () => {
  it("keeps at most the newest 5000 fill ids", async () => {
    const dir = await tmp();
    const s = new AlertState(dir);
    const fill = (i: number) => ({
      kind: "fill" as const,
      key: `f:${i}`,
      fill: {
        fillId: String(i),
        tradeId: String(i),
        orderId: "o",
        ticker: "T",
        outcomeSide: "yes" as const,
        bookSide: "bid" as const,
        count: 100 as Centis,
        yesPrice: 1 as Micros,
        noPrice: 1 as Micros,
        isTaker: true,
        fee: 0 as Micros,
        createdTime: i,
      },
      postPosition: null,
      clientOrderId: null,
    });
    s.addMany(
      Array.from({ length: FILL_KEYS_LIMIT + 10 }, (_, i) => fill(i)),
      [],
      1,
    );
    for (let i = FILL_KEYS_LIMIT + 10; i < FILL_KEYS_LIMIT + 20; i++) s.add(fill(i), [], i);
    const again = new AlertState(dir);
    expect(again.has("f:19")).toBe(false);
    expect(again.has("f:20")).toBe(true);
    expect(again.has(`f:${FILL_KEYS_LIMIT + 19}`)).toBe(true);
    expect(again.fillCursorTs).toBe(FILL_KEYS_LIMIT + 19);
  });

  it("moves a corrupt state file aside instead of crashing", async () => {
    const dir = await tmp();
    await writeFile(join(dir, "alerts-state.json"), "{");
    const notes: string[] = [];
    const s = new AlertState(dir, (m) => notes.push(m));
    expect(s.fillCursorTs).toBeNull();
    expect(notes).toHaveLength(1);
    expect((await readdir(dir)).some((f) => f.includes(".corrupt-"))).toBe(true);
  });
});
