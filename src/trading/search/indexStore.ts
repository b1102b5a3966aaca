/**
 * The search index on disk (DATA_DIR/search-index.json), written atomically. A file that cannot be
 * read or does not have the expected shape is reported as corrupt, so the caller rebuilds it.
 */
import { join } from "node:path";
import { readJsonFile, writeJsonAtomic } from "../../alerts/files.js";
import type { IndexedEvent, IndexedSeries } from "./catalogIndex.js";

export const INDEX_FILE = "search-index.json";

export interface IndexFile {
  version: 1;
  /** When the index was last in step with the exchange (epoch ms). */
  syncedAt: number;
  series: IndexedSeries[];
  events: IndexedEvent[];
}

export type LoadedIndex =
  { kind: "missing" } | { kind: "corrupt"; problem: string } | { kind: "ok"; file: IndexFile };

const isStr = (x: unknown): x is string => typeof x === "string";

function validEvent(e: unknown): e is IndexedEvent {
  const x = e as IndexedEvent;
  return (
    typeof x === "object" &&
    x !== null &&
    isStr(x.eventTicker) &&
    isStr(x.seriesTicker) &&
    isStr(x.title) &&
    isStr(x.subTitle) &&
    isStr(x.category) &&
    (x.closeTime === null || typeof x.closeTime === "number") &&
    typeof x.volume === "number" &&
    Array.isArray(x.strikes) &&
    x.strikes.every((s) => Array.isArray(s) && isStr(s[0]) && isStr(s[1]))
  );
}

function validSeries(s: unknown): s is IndexedSeries {
  const x = s as IndexedSeries;
  return (
    typeof x === "object" &&
    x !== null &&
    isStr(x.ticker) &&
    isStr(x.title) &&
    isStr(x.category) &&
    Array.isArray(x.tags) &&
    x.tags.every(isStr)
  );
}

export function indexPath(dataDir: string): string {
  return join(dataDir, INDEX_FILE);
}

export function loadIndexFile(dataDir: string): LoadedIndex {
  let raw: unknown;
  try {
    raw = readJsonFile(indexPath(dataDir));
  } catch (e) {
    return { kind: "corrupt", problem: e instanceof Error ? e.message : String(e) };
  }
  if (raw === undefined) return { kind: "missing" };
  const f = raw as IndexFile;
  if (typeof f !== "object" || f === null || f.version !== 1 || typeof f.syncedAt !== "number")
    return { kind: "corrupt", problem: "not a version 1 search index" };
  if (!Array.isArray(f.events) || !f.events.every(validEvent))
    return { kind: "corrupt", problem: "an event entry is malformed" };
  if (!Array.isArray(f.series) || !f.series.every(validSeries))
    return { kind: "corrupt", problem: "a series entry is malformed" };
  return { kind: "ok", file: f };
}

export function saveIndexFile(dataDir: string, file: IndexFile): void {
  writeJsonAtomic(indexPath(dataDir), file);
}
