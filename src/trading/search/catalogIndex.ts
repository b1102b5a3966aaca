/**
 * The local search index: open events and their series (titles, sub-titles, categories, tags and
 * the strike labels of each event), never markets' prices. Ranking is pure and in memory: words
 * first, then volume, then how soon the event closes. An event with several strikes is one result.
 *
 * Memory: the live catalog has ~3,000 events with ~40,000 strikes, so an event is kept as one flat
 * row (its strikes as two joined strings, no object or array per market; repeated strings shared)
 * and ranking keeps one short word string per event. The `IndexedEvent` with a strike list that
 * callers see is built only for the events a search, a browse page or a card returns.
 */
import type { EventInfo, Market, SeriesInfo } from "../../exchange/port.js";

export interface IndexedSeries {
  ticker: string;
  title: string;
  category: string;
  tags: string[];
}

export interface IndexedEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  category: string;
  /** Earliest close time of its open markets (epoch ms), null if none given. */
  closeTime: number | null;
  /** Total traded volume of its open markets (centi-contracts). */
  volume: number;
  /** Open markets as [ticker, yes sub-title], in the exchange's order. */
  strikes: [string, string][];
}

/**
 * How the index holds an event (and how the index file stores it): the strikes as two strings
 * joined by SEP, `strikeTickers` holding each market ticker without the "<event ticker>-" prefix
 * that Kalshi's market tickers carry (a ticker without that prefix is kept whole, after WHOLE).
 */
export interface EventRow {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  category: string;
  closeTime: number | null;
  volume: number;
  strikeTickers: string;
  strikeLabels: string;
}

export interface EventHit {
  event: IndexedEvent;
  seriesTitle: string;
  score: number;
  /** Tickers of strikes the words named (best first); empty when the words matched the event itself. */
  strikeTickers: string[];
}

/** Separates the strikes inside EventRow's strings (a control character no title or ticker holds). */
export const SEP = "\u001f";
/** Marks a strike ticker kept whole in EventRow.strikeTickers. */
const WHOLE = "\u001e";
const clean = (s: string): string => (s.includes(SEP) ? s.split(SEP).join(" ") : s);

/** Lower-case words of letters, digits and inner dots/commas ("94,999.99" stays one word). */
export function tokenize(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}.,]+/u)
    .map((w) => w.replace(/^[.,]+|[.,]+$/g, "").replace(/,/g, ""))
    .filter(Boolean);
}

/** The [ticker, label] pairs of a row, in the exchange's order. */
export function strikesOf(r: EventRow): [string, string][] {
  if (r.strikeTickers === "") return [];
  const labels = r.strikeLabels.split(SEP);
  const prefix = `${r.eventTicker}-`;
  return r.strikeTickers
    .split(SEP)
    .map((t, i) => [t.startsWith(WHOLE) ? t.slice(1) : prefix + t, labels[i] ?? ""] as [string, string]);
}

export function strikeCount(r: EventRow): number {
  if (r.strikeTickers === "") return 0;
  let n = 1;
  for (let i = r.strikeTickers.indexOf(SEP); i !== -1; i = r.strikeTickers.indexOf(SEP, i + 1)) n++;
  return n;
}

/** Strings that repeat across thousands of events (categories, series tickers) are kept once. */
class Interner {
  private readonly seen = new Map<string, string>();
  get(s: string): string {
    const had = this.seen.get(s);
    if (had !== undefined) return had;
    this.seen.set(s, s);
    return s;
  }
}

/** A market ticker as EventRow.strikeTickers keeps it. */
function tail(ticker: string, prefix: string): string {
  const rest = ticker.startsWith(prefix) ? ticker.slice(prefix.length) : "";
  return rest !== "" && !rest.includes("-") && !rest.includes(SEP) ? rest : WHOLE + clean(ticker);
}

/** The row of an event given as a strike list (tests, old index files). */
export function rowOf(e: IndexedEvent): EventRow {
  const prefix = `${e.eventTicker}-`;
  return {
    eventTicker: e.eventTicker,
    seriesTicker: e.seriesTicker,
    title: e.title,
    subTitle: e.subTitle,
    category: e.category,
    closeTime: e.closeTime,
    volume: e.volume,
    strikeTickers: e.strikes.map(([t]) => tail(t, prefix)).join(SEP),
    strikeLabels: e.strikes.map(([, l]) => clean(l)).join(SEP),
  };
}

export function eventOf(r: EventRow): IndexedEvent {
  return {
    eventTicker: r.eventTicker,
    seriesTicker: r.seriesTicker,
    title: r.title,
    subTitle: r.subTitle,
    category: r.category,
    closeTime: r.closeTime,
    volume: r.volume,
    strikes: strikesOf(r),
  };
}

/** An event's row from the exchange's event with nested markets; null when none of them is open. */
export function eventRowFrom(e: EventInfo, now: number): EventRow | null {
  // Combo (multivariate) events live under /events/multivariate; never index one that slips through.
  if (e.eventTicker.startsWith("KXMVE")) return null;
  const open = (e.markets ?? []).filter(
    (m: Market) =>
      m.status === "active" && (m.closeTime === null || m.closeTime > now) && !m.ticker.startsWith("KXMVE"),
  );
  if (open.length === 0) return null;
  let close: number | null = null;
  for (const m of open)
    if (m.closeTime !== null && (close === null || m.closeTime < close)) close = m.closeTime;
  return rowOf({
    eventTicker: e.eventTicker,
    seriesTicker: e.seriesTicker,
    title: e.title,
    subTitle: e.subTitle,
    category: e.category,
    closeTime: close,
    volume: open.reduce((v, m) => v + m.volume, 0),
    strikes: open.map((m) => [m.ticker, m.yesSubTitle]),
  });
}

export function indexedSeriesFrom(s: SeriesInfo): IndexedSeries {
  return { ticker: s.ticker, title: s.title, category: s.category, tags: s.tags ?? [] };
}

/**
 * What ranking reads of one event, as strings searched with includes():
 * `words` " w1 w2 … " (each distinct word once), `text` the lower-case text (words inside words),
 * `tickers`, and `strikes` with one line " w1 w2" per strike (label words and the ticker's tail).
 */
interface Prepared {
  words: string;
  text: string;
  tickers: string;
  strikes: string;
}

export class CatalogIndex {
  private readonly rows = new Map<string, EventRow>();
  readonly series = new Map<string, IndexedSeries>();
  private prepared = new Map<string, Prepared>();
  private readonly interned = new Interner();

  get size(): number {
    return this.rows.size;
  }

  upsert(e: IndexedEvent): void {
    this.upsertRow(rowOf(e));
  }

  upsertRow(r: EventRow): void {
    const row: EventRow = {
      ...r,
      seriesTicker: this.interned.get(r.seriesTicker),
      category: this.interned.get(r.category),
    };
    this.rows.set(row.eventTicker, row);
    this.prepared.delete(row.eventTicker);
  }

  remove(eventTicker: string): boolean {
    this.prepared.delete(eventTicker);
    return this.rows.delete(eventTicker);
  }

  has(eventTicker: string): boolean {
    return this.rows.has(eventTicker);
  }

  /** The event with its strike list, if indexed. */
  get(eventTicker: string): IndexedEvent | undefined {
    const r = this.rows.get(eventTicker);
    return r && eventOf(r);
  }

  /** Every indexed event as the index holds it (no strike lists built). */
  allRows(): IterableIterator<EventRow> {
    return this.rows.values();
  }

  putSeries(s: IndexedSeries): void {
    this.series.set(s.ticker, { ...s, category: this.interned.get(s.category) });
    for (const e of this.rows.values()) if (e.seriesTicker === s.ticker) this.prepared.delete(e.eventTicker);
  }

  private prep(e: EventRow): Prepared {
    let p = this.prepared.get(e.eventTicker);
    if (!p) {
      const s = this.series.get(e.seriesTicker);
      const text = [e.title, e.subTitle, e.category, s?.title ?? "", ...(s?.tags ?? [])].join(" ");
      const labels = e.strikeLabels.split(SEP);
      p = {
        words: ` ${[...new Set(tokenize(text))].join(" ")} `,
        text: text.toLowerCase(),
        tickers: `${e.eventTicker} ${e.seriesTicker}`.toLowerCase(),
        strikes:
          e.strikeTickers === ""
            ? ""
            : e.strikeTickers
                .split(SEP)
                .map(
                  (t, i) => ` ${tokenize(`${labels[i] ?? ""} ${t.slice(t.lastIndexOf("-") + 1)}`).join(" ")}`,
                )
                .join("\n"),
      };
      this.prepared.set(e.eventTicker, p);
    }
    return p;
  }

  /** The event holding this event or market ticker (case-insensitive), if indexed. */
  byTicker(ticker: string): { event: IndexedEvent; marketTicker: string | null } | null {
    const t = ticker.toUpperCase();
    const ev = this.get(t);
    if (ev) return { event: ev, marketTicker: ev.strikes.length === 1 ? (ev.strikes[0]?.[0] ?? null) : null };
    const parent = this.get(t.slice(0, t.lastIndexOf("-")));
    if (parent?.strikes.some(([m]) => m === t)) return { event: parent, marketTicker: t };
    return null;
  }

  /**
   * Events matching every word, best first. A word counts in the title, sub-title, category,
   * series title or tags (whole word 3, prefix 2, inside a word 1), in tickers (1.5), or in a
   * strike's label (1.5, and that strike is remembered).
   */
  rank(words: string[], now: number, limit: number): EventHit[] {
    const found: { row: EventRow; score: number; strikeHits: number[] | null }[] = [];
    for (const e of this.rows.values()) {
      if (e.closeTime !== null && e.closeTime <= now) continue;
      const p = this.prep(e);
      let score = 0;
      let strikeHits: number[] | null = null;
      for (const w of words) {
        let s = 0;
        if (p.words.includes(` ${w} `)) s = 3;
        else if (p.words.includes(` ${w}`)) s = 2;
        else if (p.text.includes(w)) s = 1;
        if (p.tickers.includes(w)) s = Math.max(s, 1.5);
        if (s === 0 && p.strikes.includes(` ${w}`)) {
          // A strike's line holds " word word…", so " w" inside it is a word that is or starts with w.
          const matching = p.strikes.split("\n").flatMap((line, i) => (line.includes(` ${w}`) ? [i] : []));
          s = 1.5;
          strikeHits = strikeHits ? strikeHits.filter((i) => matching.includes(i)) : matching;
        }
        if (s === 0) {
          score = 0;
          break;
        }
        score += s;
      }
      if (score > 0) found.push({ row: e, score, strikeHits });
    }
    found.sort(
      (a, b) =>
        b.score - a.score ||
        b.row.volume - a.row.volume ||
        (a.row.closeTime ?? Infinity) - (b.row.closeTime ?? Infinity) ||
        a.row.eventTicker.localeCompare(b.row.eventTicker),
    );
    return found.slice(0, Math.max(1, limit)).map(({ row, score, strikeHits }) => {
      const event = eventOf(row);
      return {
        event,
        seriesTitle: this.series.get(row.seriesTicker)?.title ?? "",
        score,
        strikeTickers: (strikeHits ?? []).map((i) => event.strikes[i]?.[0] ?? "").filter(Boolean),
      };
    });
  }
}
