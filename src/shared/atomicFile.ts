/**
 * Writing a file so that a crash never leaves half of it: the data goes to a temporary file beside
 * it, is flushed to disk (fsync), and then renamed over the old one (rename is atomic on one file
 * system). No imports of ours: every layer may use it.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { reportStorageFailure } from "./storageHealth.js";

/** Writes `data` to `path` atomically, creating the folder if needed. New files get `mode` (default owner-only). */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(tmp, "w", mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // A folder that cannot take writes (permissions, full disk): the app tells the owners (storageHealth.ts).
    reportStorageFailure(path, e);
    rmSync(tmp, { force: true });
    throw e;
  }
}
