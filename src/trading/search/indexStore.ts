/**
 * The search index on disk (DATA_DIR/search-index.json), written atomically. A file that cannot be
 * read or does not have the expected shape is moved aside and reported as corrupt, so the caller
 * rebuilds it.
 * Version 2 stores events as the index holds them (EventRow: strikes as two joined strings);
 * a version 1 file (a strike list per event) is still read and converted.
 */
import { join } from "node:path";
import { writeJsonAtomic } from "../../shared/jsonFile.js";
import { loadStateFile } from "../../shared/stateFile.js";
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

/** The file's content checked and converted to version 2; throws a sentence naming the problem. */
function parseIndex(raw: unknown): IndexFile {
  const f = raw as { version?: unknown; syncedAt?: unknown; series?: unknown; events?: unknown };
  if (
    typeof f !== "object" ||
    f === null ||
    (f.version !== 1 && f.version !== 2) ||
    typeof f.syncedAt !== "number"
  )
    throw new Error("not a version 1 or 2 search index");
  if (!Array.isArray(f.series) || !f.series.every(validSeries))
    throw new Error("a series entry is malformed");
  if (!Array.isArray(f.events)) throw new Error("an event entry is malformed");
  if (f.version === 2) {
    if (!f.events.every(validRow)) throw new Error("an event entry is malformed");
    return { version: 2, syncedAt: f.syncedAt, series: f.series, events: f.events };
  }
  if (!f.events.every(validV1Event)) throw new Error("an event entry is malformed");
  return { version: 2, syncedAt: f.syncedAt, series: f.series, events: f.events.map(rowOf) };
}

/**
 * The saved index. A damaged one is moved aside (`.corrupt-<time>`, never overwritten) and reported
 * as corrupt: it is derived from the exchange, so the caller rebuilds it and no chat notice is sent.
 */
export function loadIndexFile(dataDir: string): LoadedIndex {
  let loaded;
  try {
    loaded = loadStateFile(indexPath(dataDir), { what: "search index", parse: parseIndex, notify: false });
  } catch (e) {
    return { kind: "corrupt", problem: e instanceof Error ? e.message : String(e) };
  }
  if (loaded.kind === "missing") return { kind: "missing" };
  if (loaded.kind !== "ok") return { kind: "corrupt", problem: loaded.problem };
  return { kind: "ok", file: loaded.value };
}

export function saveIndexFile(dataDir: string, file: IndexFile): void {
  writeJsonAtomic(indexPath(dataDir), file);
}
