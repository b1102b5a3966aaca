/**
 * Storage health pieces: the once-an-hour rule of the chat warning (fake timers), which errors count as
 * "the folder cannot take writes", and the start-up check's sentence.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  checkWritableFolder,
  describeStorageError,
  onStorageFailure,
  reportStorageFailure,
  StorageWarnings,
} from "../../src/shared/storageHealth.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("StorageWarnings", () => {
  it("warns at most once an hour, then again after the hour", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const said: string[] = [];
    const w = new StorageWarnings({
      folders: { DATA_DIR: "/srv/bot/data", LOG_DIR: "/srv/bot/logs" },
      warn: (t) => said.push(t),
    });
    w.note({ path: "/srv/bot/data/alerts-state.json", code: "ENOSPC" });
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot write to DATA_DIR \(\/srv\/bot\/data\): the disk is full/);
    vi.advanceTimersByTime(59 * 60_000);
    w.note({ path: "/srv/bot/data/order-outbox.json", code: "ENOSPC" });
    w.note({ path: "/srv/bot/logs/app-2026-12-02.log", code: "ENOSPC" });
    expect(said).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    w.note({ path: "/srv/bot/logs/app-2026-12-02.log", code: "EROFS" });
    expect(said).toHaveLength(2);
    expect(said[1]).toMatch(/LOG_DIR \(\/srv\/bot\/logs\): the file system is read-only/);
  });

  it("ignores failures outside its folders (another app in the same process)", () => {
    const said: string[] = [];
    const w = new StorageWarnings({ folders: { DATA_DIR: "/srv/a" }, warn: (t) => said.push(t) });
    w.note({ path: "/srv/b/alerts-state.json", code: "EACCES" });
    expect(said).toHaveLength(0);
  });
});

describe("reportStorageFailure", () => {
  it("passes on permission, read-only and full-disk errors only", () => {
    const seen: string[] = [];
    const off = onStorageFailure((f) => seen.push(f.code));
    try {
      for (const code of ["EACCES", "EROFS", "ENOSPC", "ENOENT", "EISDIR"]) {
        reportStorageFailure("/x/y.json", Object.assign(new Error(code), { code }));
      }
      reportStorageFailure("/x/y.json", new Error("no code"));
    } finally {
      off();
    }
    expect(seen).toEqual(["EACCES", "EROFS", "ENOSPC"]);
    expect(describeStorageError(Object.assign(new Error("x"), { code: "ENOSPC" }))).toMatch(
      /could not be saved.*disk is full.*nothing was changed/,
    );
    expect(describeStorageError(new Error("other"))).toBeNull();
  });
});

describe("checkWritableFolder", () => {
  it("is quiet for a folder it can create and write; names the setting and the fix otherwise", async () => {
    const dir = await mkdtemp(join(tmpdir(), "storage-check-"));
    try {
      expect(checkWritableFolder("DATA_DIR", join(dir, "data", "deep"))).toBeNull();
      // A file where the folder should be: it cannot be created (root ignores file modes, a file does not).
      await writeFile(join(dir, "taken"), "x");
      const said = checkWritableFolder("LOG_DIR", join(dir, "taken", "logs"));
      expect(said).toMatch(
        /^LOG_DIR .*taken\/logs cannot be written \(ENOTDIR\): .* or set LOG_DIR to a folder/,
      );
      expect(said).not.toMatch(/\n/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
