/**
 * The engine's order books: per market, resting bids and asks in price-time priority (best first),
 * plus the resting orders that carry an expiry. Only the placement rules of a book live here;
 * what an order costs or fills is the engine's business.
 */
import { type Centis, type Micros, centis } from "../../domain/money.js";
import { type BookSide, type SimOrder, SimError } from "./types.js";

export interface Book {
  /** Best first: price desc, then time. */
  bids: SimOrder[];
  /** Best first: price asc, then time. */
  asks: SimOrder[];
}

function better(side: BookSide, a: SimOrder, b: SimOrder): boolean {
  if (a.price !== b.price) return side === "bid" ? a.price > b.price : a.price < b.price;
  return a.seq < b.seq;
}

/** Whether an order on `side` with this limit trades against the resting order. */
export function crosses(side: BookSide, limit: Micros, resting: SimOrder): boolean {
  return side === "bid" ? resting.price <= limit : resting.price >= limit;
}

export class OrderBooks {
  private readonly books = new Map<string, Book>();
  /** Resting orders that carry an expiration time. */
  readonly expiring = new Set<SimOrder>();

  clear(): void {
    this.books.clear();
    this.expiring.clear();
  }

  /** An empty book for a new market. */
  open(ticker: string): void {
    this.books.set(ticker, { bids: [], asks: [] });
  }

  get(ticker: string): Book | undefined {
    return this.books.get(ticker);
  }

  /** The market's book; a 404 `market_not_found` when there is none. */
  require(ticker: string): Book {
    const b = this.books.get(ticker);
    if (!b)
      throw new SimError(404, "market_not_found", "market not found", `no market with ticker ${ticker}`);
    return b;
  }

  /** Puts a resting order in its place: behind every better or earlier order of its side. */
  insert(o: SimOrder): void {
    const book = this.require(o.ticker);
    const arr = o.side === "bid" ? book.bids : book.asks;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (better(o.side, arr[mid] as SimOrder, o)) lo = mid + 1;
      else hi = mid;
    }
    arr.splice(lo, 0, o);
    if (o.expirationTs !== null) this.expiring.add(o);
  }

  remove(o: SimOrder): void {
    const book = this.books.get(o.ticker);
    if (!book) return;
    const arr = o.side === "bid" ? book.bids : book.asks;
    const i = arr.indexOf(o);
    if (i >= 0) arr.splice(i, 1);
    this.expiring.delete(o);
  }

  /** Aggregated levels, best first. */
  levels(ticker: string, side: BookSide): { price: Micros; count: Centis }[] {
    const out: { price: Micros; count: Centis }[] = [];
    for (const o of this.require(ticker)[side === "bid" ? "bids" : "asks"]) {
      const last = out[out.length - 1];
      if (last && last.price === o.price) last.count = centis(last.count + o.remaining);
      else out.push({ price: o.price, count: o.remaining });
    }
    return out;
  }

  /**
   * Kalshi's queue position of a resting order: the contracts resting before it at its own price on
   * its side of the book (price-time priority; better prices are not counted).
   */
  ahead(o: SimOrder): Centis {
    const book = this.books.get(o.ticker);
    let n = 0;
    for (const x of book ? (o.side === "bid" ? book.bids : book.asks) : []) {
      if (x === o) return centis(n);
      if (x.price === o.price) n += x.remaining;
    }
    return centis(n);
  }

  top(ticker: string): { bid: Micros | null; bidSize: Centis; ask: Micros | null; askSize: Centis } {
    const bids = this.levels(ticker, "bid");
    const asks = this.levels(ticker, "ask");
    return {
      bid: bids[0]?.price ?? null,
      bidSize: bids[0]?.count ?? centis(0),
      ask: asks[0]?.price ?? null,
      askSize: asks[0]?.count ?? centis(0),
    };
  }
}
