/**
 * Small JSON files the app keeps in DATA_DIR (alert state, settings, outbox, search index): read with
 * "missing" told apart from "corrupt", written atomically through writeFileAtomic. No imports of ours
 * outside src/shared: every layer may use it.
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import { writeFileAtomic } from "./atomicFile.js";

/** Writes `value` as JSON to `path` atomically (owner-only for a new file). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value));
}

/** The parsed file, `undefined` when it does not exist. Throws on unreadable or corrupt JSON. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return JSON.parse(text) as unknown;
}

/** `2026-12-02T09-40-00Z`: sorts by time and is a legal file name everywhere. */
export function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
}

/** Moves `path` to `<path>.corrupt-<time>` (a free name: never over an earlier one); the new path. */
export function moveAside(path: string, nowMs: number): string {
  const base = `${path}.corrupt-${stamp(nowMs)}`;
  let target = base;
  for (let i = 1; existsSync(target); i++) target = `${base}-${i}`;
  renameSync(path, target);
  return target;
}
