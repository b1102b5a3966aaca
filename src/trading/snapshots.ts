/**
 * Hand-over of the market and order book the market card just read to the quote that follows, so a
 * /buy that shows the card and then quotes (milliseconds apart) reads each once.
 *
 * The market service puts what info() read; the executor takes it, once: a taken entry is gone, so a
 * second quote (or a retry after "market paused") reads the exchange again. Entries older than
 * `maxAgeMs` (default 2 s) are never handed over; the executor drops a ticker's entries when it creates
 * or cancels an order (its own order changes the book). Nothing that guards money rests on a snapshot
 * alone: the exchange validates every order again, the price re-check of a market order before placing
 * always reads a fresh book, and balance and positions are never cached.
 */
import type { Market, Orderbook } from "../exchange/port.js";

export const SNAPSHOT_MAX_AGE_MS = 2_000;
const MAX_ENTRIES = 500;

interface Entry<T> {
  at: number;
  value: T;
}

export interface MarketSnapshots {
  /** The market put at most maxAgeMs ago, if any; removes it. */
  takeMarket(ticker: string): Market | undefined;
  /** The book put at most maxAgeMs ago, if any; removes it. */
  takeBook(ticker: string): Orderbook | undefined;
  putMarket(m: Market): void;
  putBook(ticker: string, b: Orderbook): void;
  /** Forgets everything about a ticker. */
  drop(ticker: string): void;
  clear(): void;
}

export function createMarketSnapshots(opts: { now?: () => number; maxAgeMs?: number } = {}): MarketSnapshots {
  const now = opts.now ?? Date.now;
  const maxAge = opts.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS;
  const markets = new Map<string, Entry<Market>>();
  const books = new Map<string, Entry<Orderbook>>();
  const key = (t: string) => t.toUpperCase();

  function take<T>(map: Map<string, Entry<T>>, ticker: string): T | undefined {
    const k = key(ticker);
    const e = map.get(k);
    if (!e) return undefined;
    map.delete(k);
    const age = now() - e.at;
    // A clock that went backwards (a test or sim clock) makes the entry stale too.
    return age < 0 || age > maxAge ? undefined : e.value;
  }

  function put<T>(map: Map<string, Entry<T>>, ticker: string, value: T): void {
    const k = key(ticker);
    map.delete(k);
    map.set(k, { at: now(), value });
    if (map.size > MAX_ENTRIES) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }

  return {
    takeMarket: (t) => take(markets, t),
    takeBook: (t) => take(books, t),
    putMarket: (m) => put(markets, m.ticker, m),
    putBook: (t, b) => put(books, t, b),
    drop(t) {
      markets.delete(key(t));
      books.delete(key(t));
    },
    clear() {
      markets.clear();
      books.clear();
    },
  };
}
