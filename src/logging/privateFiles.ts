/**
 * Log files hold positions, order ids and P&L: they are created owner-only (0600), like the state files.
 * New files get the mode at creation; gzipped archives and files left by an older version (0644) are
 * tightened when seen.
 */
import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import DailyRotateFile from "winston-daily-rotate-file";

export const PRIVATE_FILE_MODE = 0o600;

/** Sets 0600 on a file; a file that is gone or cannot be changed is left as it is. */
export function makePrivate(file: string): void {
  try {
    chmodSync(file, PRIVATE_FILE_MODE);
  } catch {
    // gone (rotated away) or not ours: nothing to tighten
  }
}

/** Tightens every file already in `dir` (logs written by an older version were 0644). */
export function makeDirFilesPrivate(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) makePrivate(path.join(dir, n));
}

/** A DailyRotateFile whose log files, archives and audit file are owner-only. */
export function privateRotatingFile(opts: DailyRotateFile.DailyRotateFileTransportOptions): DailyRotateFile {
  const dir = opts.dirname ?? ".";
  mkdirSync(dir, { recursive: true });
  makeDirFilesPrivate(dir);
  const t = new DailyRotateFile({ ...opts, options: { flags: "a", mode: PRIVATE_FILE_MODE } });
  t.on("new", (file: string) => makePrivate(file));
  t.on("archive", (file: string) => makePrivate(file));
  if (opts.auditFile) t.on("new", () => makePrivate(opts.auditFile!));
  return t;
}
