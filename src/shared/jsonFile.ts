/**
 * Small JSON files the app keeps in DATA_DIR (alert state, settings, outbox, search index): read with
 * "missing" told apart from "corrupt", written atomically through writeFileAtomic. No imports of ours
 * outside src/shared: every layer may use it.
 */
import { readFileSync } from "node:fs";
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
