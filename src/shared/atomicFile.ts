/**
 * Writing a file so that a crash never leaves half of it: the data goes to a temporary file beside
 * it, is flushed to disk (fsync), and then renamed over the old one (rename is atomic on one file
 * system). No imports of ours: every layer may use it.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
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

/** A temporary file written and flushed by prepareFileAtomic, not yet in place. */
export interface PreparedFile {
  /** Renames it over the target (synchronous, so it is ordered with writeFileAtomic calls). */
  commit(): void;
  /** Removes it: a newer write made it stale. */
  discard(): void;
}

/**
 * The slow half of writeFileAtomic (write and fsync of the temporary file) off the event loop, for a
 * write that may run beside other work; the caller then commits it, or discards it when a newer
 * write of the same file came meanwhile.
 */
export async function prepareFileAtomic(path: string, data: string, mode = 0o600): Promise<PreparedFile> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fh = await open(tmp, "w", mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return {
    commit: () => {
      try {
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    },
    discard: () => rmSync(tmp, { force: true }),
  };
}
