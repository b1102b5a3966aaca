/**
 * The local search index: open events and their series (titles, sub-titles, categories, tags and
 * the strike labels of each event), never markets' prices. Ranking is pure and in memory: words
 * first, then volume, then how soon the event closes. An event with several strikes is one result.
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

export interface EventHit {
  event: IndexedEvent;
  seriesTitle: string;
  score: number;
  /** Tickers of strikes the words named (best first); empty when the words matched the event itself. */
  strikeTickers: string[];
}

/** Lower-case words of letters, digits and inner dots/commas ("94,999.99" stays one word). */
export function tokenize(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}.,]+/u)
    .map((w) => w.replace(/^[.,]+|[.,]+$/g, "").replace(/,/g, ""))
    .filter(Boolean);
}

/** An event row from the exchange's event with nested markets; null when none of them is open. */
export function indexedEventFrom(e: EventInfo, now: number): IndexedEvent | null {
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
  return {
    eventTicker: e.eventTicker,
    seriesTicker: e.seriesTicker,
    title: e.title,
    subTitle: e.subTitle,
    category: e.category,
    closeTime: close,
    volume: open.reduce((v, m) => v + m.volume, 0),
    strikes: open.map((m) => [m.ticker, m.yesSubTitle]),
  };
}

export function indexedSeriesFrom(s: SeriesInfo): IndexedSeries {
  return { ticker: s.ticker, title: s.title, category: s.category, tags: s.tags ?? [] };
}

interface Prepared {
  words: Set<string>;
  wordList: string[];
  text: string;
  tickers: string;
  strikeWords: string[][];
}

export class CatalogIndex {
  readonly events = new Map<string, IndexedEvent>();
  readonly series = new Map<string, IndexedSeries>();
  private prepared = new Map<string, Prepared>();

  upsert(e: IndexedEvent): void {
    this.events.set(e.eventTicker, e);
    this.prepared.delete(e.eventTicker);
  }

  remove(eventTicker: string): boolean {
    this.prepared.delete(eventTicker);
    return this.events.delete(eventTicker);
  }

  putSeries(s: IndexedSeries): void {
    this.series.set(s.ticker, s);
    for (const e of this.events.values())
      if (e.seriesTicker === s.ticker) this.prepared.delete(e.eventTicker);
  }

  private prep(e: IndexedEvent): Prepared {
    let p = this.prepared.get(e.eventTicker);
    if (!p) {
      const s = this.series.get(e.seriesTicker);
      const text = [e.title, e.subTitle, e.category, s?.title ?? "", ...(s?.tags ?? [])].join(" ");
      const words = new Set(tokenize(text));
      p = {
        words,
        wordList: [...words],
        text: text.toLowerCase(),
        tickers: `${e.eventTicker} ${e.seriesTicker}`.toLowerCase(),
        strikeWords: e.strikes.map(([t, label]) => tokenize(`${label} ${t.slice(t.lastIndexOf("-") + 1)}`)),
      };
      this.prepared.set(e.eventTicker, p);
    }
    return p;
  }

  /** The event holding this event or market ticker (case-insensitive), if indexed. */
  byTicker(ticker: string): { event: IndexedEvent; marketTicker: string | null } | null {
    const t = ticker.toUpperCase();
    const ev = this.events.get(t);
    if (ev) return { event: ev, marketTicker: ev.strikes.length === 1 ? (ev.strikes[0]?.[0] ?? null) : null };
    const parent = this.events.get(t.slice(0, t.lastIndexOf("-")));
    if (parent?.strikes.some(([m]) => m === t)) return { event: parent, marketTicker: t };
    return null;
  }

  /**
   * Events matching every word, best first. A word counts in the title, sub-title, category,
   * series title or tags (whole word 3, prefix 2, inside a word 1), in tickers (1.5), or in a
   * strike's label (1.5, and that strike is remembered).
   */
  rank(words: string[], now: number, limit: number): EventHit[] {
    const hits: EventHit[] = [];
    for (const e of this.events.values()) {
      if (e.closeTime !== null && e.closeTime <= now) continue;
      const p = this.prep(e);
      let score = 0;
      let strikeHits: number[] | null = null;
      for (const w of words) {
        let s = 0;
        if (p.words.has(w)) s = 3;
        else if (p.wordList.some((x) => x.startsWith(w))) s = 2;
        else if (p.text.includes(w)) s = 1;
        if (p.tickers.includes(w)) s = Math.max(s, 1.5);
        if (s === 0) {
          const matching = p.strikeWords.flatMap((sw, i) =>
            sw.some((x) => x === w || x.startsWith(w)) ? [i] : [],
          );
          if (matching.length > 0) {
            s = 1.5;
            strikeHits = strikeHits ? strikeHits.filter((i) => matching.includes(i)) : matching;
          }
        }
        if (s === 0) {
          score = 0;
          break;
        }
        score += s;
      }
      if (score === 0) continue;
      const strikeTickers = (strikeHits ?? []).map((i) => e.strikes[i]?.[0] ?? "").filter(Boolean);
      hits.push({
        event: e,
        seriesTitle: this.series.get(e.seriesTicker)?.title ?? "",
        score,
        strikeTickers,
      });
    }
    hits.sort(
      (a, b) =>
        b.score - a.score ||
        b.event.volume - a.event.volume ||
        (a.event.closeTime ?? Infinity) - (b.event.closeTime ?? Infinity) ||
        a.event.eventTicker.localeCompare(b.event.eventTicker),
    );
    return hits.slice(0, Math.max(1, limit));
  }
}
