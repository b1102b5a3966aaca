/**
 * The search index on disk (DATA_DIR/search-index.json), written atomically. A file that cannot be
 * read or does not have the expected shape is reported as corrupt, so the caller rebuilds it.
 * Version 2 stores events as the index holds them (EventRow: strikes as two joined strings);
 * a version 1 file (a strike list per event) is still read and converted.
 */
import { join } from "node:path";
import { readJsonFile, writeJsonAtomic } from "../../shared/jsonFile.js";
import { type EventRow, type IndexedEvent, type IndexedSeries, rowOf } from "./catalogIndex.js";

const INDEX_FILE = "search-index.json";

export interface IndexFile {
  version: 2;
  /** When the index was last in step with the exchange (epoch ms). */
  syncedAt: number;
  series: IndexedSeries[];
  events: EventRow[];
}

export type LoadedIndex =
  { kind: "missing" } | { kind: "corrupt"; problem: string } | { kind: "ok"; file: IndexFile };

const isStr = (x: unknown): x is string => typeof x === "string";

function validHeader(x: EventRow | IndexedEvent): boolean {
  return (
    typeof x === "object" &&
    x !== null &&
    isStr(x.eventTicker) &&
    isStr(x.seriesTicker) &&
    isStr(x.title) &&
    isStr(x.subTitle) &&
    isStr(x.category) &&
    (x.closeTime === null || typeof x.closeTime === "number") &&
    typeof x.volume === "number"
  );
}

function validRow(e: unknown): e is EventRow {
  const x = e as EventRow;
  return validHeader(x) && isStr(x.strikeTickers) && isStr(x.strikeLabels);
}

function validV1Event(e: unknown): e is IndexedEvent {
  const x = e as IndexedEvent;
  return (
    validHeader(x) &&
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
  const f = raw as { version?: unknown; syncedAt?: unknown; series?: unknown; events?: unknown };
  if (
    typeof f !== "object" ||
    f === null ||
    (f.version !== 1 && f.version !== 2) ||
    typeof f.syncedAt !== "number"
  )
    return { kind: "corrupt", problem: "not a version 1 or 2 search index" };
  if (!Array.isArray(f.series) || !f.series.every(validSeries))
    return { kind: "corrupt", problem: "a series entry is malformed" };
  if (!Array.isArray(f.events)) return { kind: "corrupt", problem: "an event entry is malformed" };
  if (f.version === 2) {
    if (!f.events.every(validRow)) return { kind: "corrupt", problem: "an event entry is malformed" };
    return { kind: "ok", file: { version: 2, syncedAt: f.syncedAt, series: f.series, events: f.events } };
  }
  if (!f.events.every(validV1Event)) return { kind: "corrupt", problem: "an event entry is malformed" };
  return {
    kind: "ok",
    file: { version: 2, syncedAt: f.syncedAt, series: f.series, events: f.events.map(rowOf) },
  };
}

export function saveIndexFile(dataDir: string, file: IndexFile): void {
  writeJsonAtomic(indexPath(dataDir), file);
}
