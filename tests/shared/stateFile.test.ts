/**
 * The one loader of state files (src/shared/stateFile.ts) and its notices: a damaged file is never
 * overwritten (two damages in the same second get two names), the .bak is the previous good file,
 * an I/O error is not taken for damage, and a notice that could not be sent stays owed.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { bySchema, keepBackup, loadStateFile } from "../../src/shared/stateFile.js";
import { untoldStateNotices } from "../../src/shared/stateNotices.js";
import { writeFileAtomic } from "../../src/shared/atomicFile.js";
import { tellStateNotices } from "../../src/bot/stateNotices.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodSync(d, 0o700);
    rmSync(d, { recursive: true, force: true });
  }
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "statefile-"));
  dirs.push(d);
  return d;
};

const spec = {
  what: "test",
  parse: bySchema(z.object({ n: z.number() })),
  now: () => Date.UTC(2026, 11, 2, 9, 40, 0),
};

describe("loadStateFile", () => {
  it("two damages in the same second are both kept, under two names", () => {
    const dir = tmp();
    const path = join(dir, "x.json");
    writeFileSync(path, "first");
    expect(loadStateFile(path, spec)).toMatchObject({ kind: "reset" });
    writeFileSync(path, "second");
    const r = loadStateFile(path, spec);
    expect(r).toMatchObject({ kind: "reset", movedTo: [`${path}.corrupt-2026-12-02T09-40-00Z-1`] });
    expect(readFileSync(`${path}.corrupt-2026-12-02T09-40-00Z`, "utf8")).toBe("first");
    expect(readFileSync(`${path}.corrupt-2026-12-02T09-40-00Z-1`, "utf8")).toBe("second");
    expect(untoldStateNotices([dir], 1).map((n) => n.notice.text)).toEqual([
      `Your test file was damaged and has been reset; the old file is kept at ${path}.corrupt-2026-12-02T09-40-00Z.`,
      `Your test file was damaged and has been reset; the old file is kept at ${path}.corrupt-2026-12-02T09-40-00Z-1.`,
    ]);
  });

  it("keepBackup makes the file being replaced the .bak; a damaged main is restored from it", () => {
    const dir = tmp();
    const path = join(dir, "x.json");
    writeFileAtomic(path, JSON.stringify({ n: 1 }));
    keepBackup(path);
    writeFileAtomic(path, JSON.stringify({ n: 2 }));
    expect(readFileSync(`${path}.bak`, "utf8")).toBe('{"n":1}');
    writeFileSync(path, '{"n":');
    expect(loadStateFile(path, { ...spec, backup: true })).toMatchObject({
      kind: "restored",
      value: { n: 1 },
    });
    // A missing main file is a fresh start, not a cue to bring back an account the user deleted.
    rmSync(`${path}.corrupt-2026-12-02T09-40-00Z`);
    expect(loadStateFile(path, { ...spec, backup: true })).toEqual({ kind: "missing" });
  });

  it("a file that cannot be read for lack of permission is not damage: nothing is moved", () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const dir = tmp();
    const path = join(dir, "x.json");
    writeFileSync(path, '{"n":1}');
    chmodSync(path, 0o000);
    expect(() => loadStateFile(path, spec)).toThrow(/EACCES/);
    expect(readdirSync(dir)).toEqual(["x.json"]);
  });
});

describe("tellStateNotices", () => {
  it("a notice Telegram did not take stays owed and goes out once at the next start", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "x.json"), "garbage");
    loadStateFile(join(dir, "x.json"), spec);
    const sent: string[] = [];
    const logger = { warn: () => undefined, info: () => undefined };
    const deps = { chatIds: [7], dirs: [dir], envTag: "SIM" as const, logger };
    await tellStateNotices({
      ...deps,
      sendMessage: () => Promise.reject(new Error("Telegram down")),
    });
    const send = (_chat: number, html: string) => {
      sent.push(html);
      return Promise.resolve();
    };
    await tellStateNotices({ ...deps, sendMessage: send });
    await tellStateNotices({ ...deps, sendMessage: send });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("Your test file was damaged and has been reset");
  });
});
