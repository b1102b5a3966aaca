/**
 * Search and browse over the local index of open events (src/trading/search/catalogIndex.ts):
 * filled once from GET /events?status=open (200 per page, nested markets) and GET /series, then
 * kept fresh with GET /events?min_updated_ts=… (the spec's way to poll changes), saved in DATA_DIR
 * so a restart reuses it. Ranking needs no exchange request; an event's markets (prices) are read
 * only when the event is opened. The whole market catalog is never held in memory.
 */
import { strikeOrder } from "../../domain/marketName.js";
import type { ExchangePort, Market } from "../../exchange/port.js";
import { UserError } from "../types.js";
import {
  CatalogIndex,
  type EventHit,
  type EventRow,
  eventOf,
  type IndexedEvent,
  eventRowFrom,
  indexedSeriesFrom,
  tokenize,
} from "./catalogIndex.js";
import { type IndexFile, loadIndexFile, saveIndexFile } from "./indexStore.js";

export interface SearchLogger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
}

export interface SearchServiceDeps {
  exchange: ExchangePort;
  /** Where the index file lives (DATA_DIR); none = memory only. */
  dataDir?: string;
  now?: () => number;
  logger?: SearchLogger;
  /** Older than this, a search first asks the exchange what changed (default 60 s). */
  refreshAfterMs?: number;
}

export interface SearchResult {
  hits: EventHit[];
  /** When the index was last in step with the exchange (epoch ms). */
  asOf: number;
}

export interface CategoryRow {
  category: string;
  tags: string[];
  events: number;
}

export interface SeriesRow {
  ticker: string;
  title: string;
  events: number;
  volume: number;
}

export interface SearchService {
  search(words: string, limit?: number): Promise<SearchResult>;
  /** The open markets of one event (one request), lowest strike first, for its strike picker or card. */
  eventMarkets(eventTicker: string): Promise<Market[]>;
  event(eventTicker: string): Promise<IndexedEvent | null>;
  categories(): Promise<{ rows: CategoryRow[]; asOf: number }>;
  seriesIn(category: string): Promise<{ rows: SeriesRow[]; asOf: number }>;
  /** Open events of a series, soonest close first. */
  eventsIn(seriesTicker: string): Promise<{ rows: IndexedEvent[]; seriesTitle: string; asOf: number }>;
  /** Index size, for diagnostics and benchmarks. */
  stats(): { events: number; series: number; asOf: number | null };
  /** A real open market for /help's examples: a middle strike of the most traded open event; null if none. */
  example(): Promise<{ ticker: string } | null>;
}

const MAX_QUERY_CHARS = 200;
/** Polls overlap by this much so a change stamped in the same second is not missed. */
const POLL_OVERLAP_MS = 60_000;

/** The query's words, or a sentence for the user when there is nothing sensible to search for. */
export function queryWords(raw: string): string[] {
  const text = raw.trim();
  if (text.length > MAX_QUERY_CHARS)
    throw new UserError(
      `That is too long to search for (${text.length} characters). Use a few words, like: bitcoin price.`,
      "search_too_long",
    );
  const words = tokenize(text)
    .filter((w) => w.length >= 2 || /\d/.test(w))
    .map(spelledOut);
  if (words.length === 0)
    throw new UserError("Give a few words to search for, like: bitcoin price.", "empty_search");
  if (words.length > 12) throw new UserError("Use at most 12 words to search for.", "search_too_long");
  return words;
}

/** "100k" as strikes are written ("100000"; "2.5k" → "2500", "1m" → "1000000"); other words unchanged. */
function spelledOut(w: string): string {
  const m = /^(\d+(?:\.\d+)?)([km])$/.exec(w);
  if (!m) return w;
  const n = Number(m[1]) * (m[2] === "k" ? 1_000 : 1_000_000);
  return Number.isSafeInteger(n) ? String(n) : w;
}

export function createSearchService(deps: SearchServiceDeps): SearchService {
  const { exchange } = deps;
  const now = deps.now ?? Date.now;
  const refreshAfter = deps.refreshAfterMs ?? 60_000;
  const index = new CatalogIndex();
  let syncedAt: number | null = null;
  let tags: Record<string, string[]> | null = null;
  let inflight: Promise<void> | null = null;

  function save(): void {
    if (!deps.dataDir || syncedAt === null) return;
    const file: IndexFile = {
      version: 2,
      syncedAt,
      series: [...index.series.values()],
      events: [...index.allRows()],
    };
    try {
      saveIndexFile(deps.dataDir, file);
    } catch (e) {
      deps.logger?.warn("search index: could not save", {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  function loadFromDisk(): boolean {
    if (!deps.dataDir) return false;
    const loaded = loadIndexFile(deps.dataDir);
    if (loaded.kind === "missing") return false;
    if (loaded.kind === "corrupt") {
      deps.logger?.warn("search index: the saved index is unreadable; rebuilding it from the exchange", {
        problem: loaded.problem,
      });
      return false;
    }
    for (const s of loaded.file.series) index.putSeries(s);
    for (const e of loaded.file.events) index.upsertRow(e);
    syncedAt = loaded.file.syncedAt;
    deps.logger?.info("search index: loaded from disk", { events: index.size });
    return true;
  }

  async function loadSeries(): Promise<void> {
    for (const s of await exchange.getSeriesList()) index.putSeries(indexedSeriesFrom(s));
  }

  async function fill(): Promise<void> {
    const started = now();
    await loadSeries();
    let cursor = "";
    do {
      const page = await exchange.getEventsPage({
        status: "open",
        withNestedMarkets: true,
        limit: 200,
        cursor,
      });
      for (const e of page.events) {
        const row = eventRowFrom(e, started);
        if (row) index.upsertRow(row);
      }
      cursor = page.cursor;
    } while (cursor);
    syncedAt = started;
    deps.logger?.info("search index: built", { events: index.size, series: index.series.size });
    save();
  }

  async function refresh(since: number): Promise<void> {
    const started = now();
    let cursor = "";
    let unknownSeries = false;
    do {
      const page = await exchange.getEventsPage({
        minUpdatedTs: since - POLL_OVERLAP_MS,
        withNestedMarkets: true,
        limit: 200,
        cursor,
      });
      for (const e of page.events) {
        const row = eventRowFrom(e, started);
        if (row) {
          index.upsertRow(row);
          if (!index.series.has(row.seriesTicker)) unknownSeries = true;
        } else index.remove(e.eventTicker);
      }
      cursor = page.cursor;
    } while (cursor);
    if (unknownSeries) await loadSeries();
    syncedAt = started;
    save();
  }

  /** Loads (disk, else the exchange) and refreshes when older than refreshAfter; one at a time. */
  function ready(): Promise<void> {
    if (inflight) return inflight;
    const run = async (): Promise<void> => {
      if (syncedAt === null && !loadFromDisk()) return fill();
      if (syncedAt !== null && now() - syncedAt >= refreshAfter) return refresh(syncedAt);
    };
    inflight = run().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /** Ready, but an index we already have is better than an error: answer from it when a refresh fails. */
  async function readyOrStale(): Promise<number> {
    try {
      await ready();
    } catch (e) {
      if (syncedAt === null) throw e;
      deps.logger?.warn("search index: refresh failed; answering from the saved index", {
        error: e instanceof Error ? e.message : String(e),
      });
    }
    return syncedAt ?? now();
  }

  return {
    async search(raw, limit = 8) {
      const words = queryWords(raw);
      const asOf = await readyOrStale();
      const exact = raw.trim().includes("-") ? index.byTicker(raw.trim()) : null;
      if (exact) {
        const hit: EventHit = {
          event: exact.event,
          seriesTitle: index.series.get(exact.event.seriesTicker)?.title ?? "",
          score: Infinity,
          strikeTickers: exact.marketTicker ? [exact.marketTicker] : [],
        };
        return { hits: [hit], asOf };
      }
      return { hits: index.rank(words, now(), limit), asOf };
    },

    async eventMarkets(eventTicker) {
      const markets = await exchange.getMarkets({ eventTicker, status: "open" });
      return markets.filter((m) => m.status === "active").sort(strikeOrder);
    },

    async event(eventTicker) {
      await readyOrStale();
      return index.get(eventTicker) ?? null;
    },

    async categories() {
      const asOf = await readyOrStale();
      tags ??= await exchange.getTagsByCategories();
      const counts = new Map<string, number>();
      for (const e of index.allRows())
        if (e.closeTime === null || e.closeTime > now())
          counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
      const rows = [...counts.entries()]
        .map(([category, events]) => ({ category, events, tags: tags?.[category] ?? [] }))
        .sort((a, b) => b.events - a.events || a.category.localeCompare(b.category));
      return { rows, asOf };
    },

    async seriesIn(category) {
      const asOf = await readyOrStale();
      const bySeries = new Map<string, SeriesRow>();
      for (const e of index.allRows()) {
        if (e.category !== category || (e.closeTime !== null && e.closeTime <= now())) continue;
        const row = bySeries.get(e.seriesTicker) ?? {
          ticker: e.seriesTicker,
          title: index.series.get(e.seriesTicker)?.title ?? e.seriesTicker,
          events: 0,
          volume: 0,
        };
        row.events += 1;
        row.volume += e.volume;
        bySeries.set(e.seriesTicker, row);
      }
      const rows = [...bySeries.values()].sort(
        (a, b) => b.volume - a.volume || a.title.localeCompare(b.title),
      );
      return { rows, asOf };
    },

    async eventsIn(seriesTicker) {
      const asOf = await readyOrStale();
      const rows = [...index.allRows()]
        .filter((e) => e.seriesTicker === seriesTicker && (e.closeTime === null || e.closeTime > now()))
        .sort((a, b) => (a.closeTime ?? Infinity) - (b.closeTime ?? Infinity))
        .map(eventOf);
      return { rows, seriesTitle: index.series.get(seriesTicker)?.title ?? seriesTicker, asOf };
    },

    async example() {
      await readyOrStale();
      const soon = now() + 3_600_000;
      let best: EventRow | null = null;
      for (const r of index.allRows())
        if ((r.closeTime === null || r.closeTime > soon) && (!best || r.volume > best.volume)) best = r;
      if (!best) return null;
      const strikes = eventOf(best)
        .strikes.map(([ticker, yesSubTitle]) => ({ ticker, yesSubTitle }))
        .sort(strikeOrder);
      const pick = strikes[Math.floor((strikes.length - 1) / 2)];
      return pick ? { ticker: pick.ticker } : null;
    },

    stats() {
      return { events: index.size, series: index.series.size, asOf: syncedAt };
    },
  };
}
