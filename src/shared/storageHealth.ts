/**
 * Storage health: what happens when DATA_DIR or LOG_DIR cannot be written (permissions, a read-only
 * mount, a full disk). At start that is one clear sentence and no start (checkWritableFolder); while
 * running every write that fails for such a reason is reported here (atomic writes, log transports),
 * the app tells the owners in chat at most once an hour (StorageWarnings), and the bot keeps running:
 * the writers keep their data in memory and write it with their next change.
 * No imports of ours: every layer may report.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Error codes that mean "this folder cannot take writes", not "this one file is odd". */
const STORAGE_CODES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
};

export interface StorageFailure {
  path: string;
  code: string;
}

const listeners = new Set<(f: StorageFailure) => void>();

/** Subscribes to write failures; returns the unsubscribe function. */
export function onStorageFailure(listener: (f: StorageFailure) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** A write to `path` failed with `error`; only storage-level causes are passed on. */
export function reportStorageFailure(path: string, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !(code in STORAGE_CODES)) return;
  for (const l of listeners) {
    try {
      l({ path, code });
    } catch {
      // A listener's trouble must not turn a failed write into a different error.
    }
  }
}

/** "permission denied", "the disk is full", … */
export function storageProblem(code: string): string {
  return STORAGE_CODES[code] ?? code;
}

/** The sentence for a user whose action failed on such a write; null for any other error. */
export function describeStorageError(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !(code in STORAGE_CODES)) return null;
  return `That could not be saved: the bot cannot write its files (${storageProblem(code)}), so nothing was changed. Try again once the disk or folder is fixed.`;
}

/**
 * Start-up: creates `dir` if needed and writes a probe file. Returns one sentence naming the folder
 * and what to do, or null when it can be written.
 */
export function checkWritableFolder(setting: string, dir: string): string | null {
  const probe = join(dir, `.write-check-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "ok");
    rmSync(probe, { force: true });
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    const fix =
      code === "ENOSPC" || code === "EDQUOT"
        ? "free some disk space"
        : code === "EROFS"
          ? "mount it writable"
          : "give the user running the bot write access to it (chown or chmod)";
    return `${setting} ${dir} cannot be written (${code in STORAGE_CODES ? storageProblem(code) : code || "unknown error"}): ${fix}, or set ${setting} to a folder the bot can write.`;
  }
}

export const STORAGE_WARNING_INTERVAL_MS = 3_600_000;

/** Tells the owners about write failures, at most once per `intervalMs` (default one hour). */
export class StorageWarnings {
  private lastAt: number | null = null;

  constructor(
    private readonly o: {
      /** Folders watched, by setting name; failures elsewhere are not ours. */
      folders: Record<string, string>;
      warn: (text: string) => void;
      now?: () => number;
      intervalMs?: number;
    },
  ) {}

  note(f: StorageFailure): void {
    const entry = Object.entries(this.o.folders).find(([, dir]) => f.path.startsWith(dir));
    if (!entry) return;
    const now = (this.o.now ?? Date.now)();
    if (this.lastAt !== null && now - this.lastAt < (this.o.intervalMs ?? STORAGE_WARNING_INTERVAL_MS))
      return;
    this.lastAt = now;
    const [setting, dir] = entry;
    this.o.warn(
      `⚠️ I cannot write to ${setting} (${dir}): ${storageProblem(f.code)}. What I save there (${setting === "LOG_DIR" ? "logs and the trade journal" : "alert state, order results, settings"}) may be lost if I restart. Free some disk space or fix the folder's permissions; I keep running and try again with every change. (At most one such warning an hour.)`,
    );
  }
}
