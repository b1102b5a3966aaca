/**
 * DATA_DIR stops taking writes while the bot runs (a full disk, a folder made read-only): the failing
 * writes are injected at the fs boundary (openSync under DATA_DIR answers EACCES; root ignores file
 * modes, so chmod cannot stand in for it here). The owner gets one chat warning, the bot does not crash
 * and still answers; once the folder works again the next change is written.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import type * as NodeFs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AppHarness, OWNER, startAppHarness } from "./support/appHarness.js";

const broken = { dir: null as string | null };

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  const openSync = ((path: unknown, ...rest: unknown[]) => {
    if (broken.dir && String(path).startsWith(broken.dir)) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), {
        code: "EACCES",
        path: String(path),
      });
    }
    return (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, openSync, default: { ...fs, openSync } };
});

let h: AppHarness | undefined;
afterEach(async () => {
  broken.dir = null;
  await h?.stop();
  h = undefined;
});

const warnings = (hh: AppHarness) =>
  hh.botMessages(OWNER).filter((m) => /cannot write to DATA_DIR/.test(m.text));

describe("DATA_DIR unwritable while running", () => {
  it("warns the owner once, does not crash, still answers /help, and writes again once the folder works", async () => {
    h = await startAppHarness({ transport: "inprocess" });
    broken.dir = h.config.dataDir;
    const answer = await h.ask("/alerts off", /could not be saved/);
    expect(answer).toMatch(/nothing was changed/);
    expect(answer).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace in chat
    await h.api.waitForCall("sendMessage", (c) => /cannot write to DATA_DIR/.test(String(c.params.text)));
    const [warning] = warnings(h);
    expect(warning!.text).toMatch(/permission denied/);
    expect(warning!.text).toContain(h.config.dataDir);
    // More failing writes within the hour: no second warning; the bot keeps answering.
    await h.ask("/alerts silent", /could not be saved/);
    await h.ask("/help", /\/buy/);
    expect(warnings(h)).toHaveLength(1);
    // The folder works again: the next change is written.
    broken.dir = null;
    await h.ask("/alerts off", /.+/);
    const saved = JSON.parse(readFileSync(join(h.config.dataDir, "alert-settings.json"), "utf8")) as {
      chats: Record<string, string>;
    };
    expect(saved.chats[String(OWNER)]).toBe("off");
  });
});
