/**
 * What an alert message shows beyond the fill itself, cached and never awaited for long: the market's
 * title, the order's progress (X/Y filled) and what the user asked for (the journal's intent). A lookup
 * that fails or is slow gives the plainer message (the ticker, no progress, YES terms), never a delay.
 */
import { marketName } from "../domain/marketName.js";
import type { Centis } from "../domain/money.js";
import type { ExchangePort, Fill, Order, StreamLogger } from "../exchange/port.js";
import type { OrderIntent, OrderIntentLookup } from "./intent.js";
import { errText, orFallback } from "./timeouts.js";

export interface OrderProgress {
  fillCount: Centis;
  initialCount: Centis;
}

export interface LookupOptions {
  exchange: ExchangePort;
  log: StreamLogger;
  marketTitle?: (ticker: string) => Promise<string>;
  intentLookup: OrderIntentLookup | null;
  /** Longest wait for a market title or an intent (default 2000 ms). */
  lookupTimeoutMs?: number;
  /** Longest wait for order details (default 1000 ms). */
  orderInfoTimeoutMs?: number;
}

const ORDER_CACHE_LIMIT = 2000;

export class AlertLookups {
  private readonly titles = new Map<string, Promise<string>>();
  private readonly orders = new Map<string, OrderProgress>();
  private readonly orderFetches = new Map<string, Promise<OrderProgress | null>>();

  constructor(private readonly opts: LookupOptions) {}

  /** The market title, or the ticker when the lookup fails or is slow. */
  title(ticker: string): Promise<string> {
    return orFallback(this.titleLookup(ticker), this.opts.lookupTimeoutMs ?? 2000, ticker);
  }

  private titleLookup(ticker: string): Promise<string> {
    let p = this.titles.get(ticker);
    if (!p) {
      const lookup =
        this.opts.marketTitle ?? (async (t: string) => marketName(await this.opts.exchange.getMarket(t)));
      p = lookup(ticker).then(
        (t) => t || ticker,
        (e) => {
          this.titles.delete(ticker);
          this.opts.log.warn("alerts: market title lookup failed", { ticker, error: errText(e) });
          return ticker;
        },
      );
      this.titles.set(ticker, p);
    }
    return p;
  }

  /** An order update seen on the stream: its progress, never going backwards. */
  noteOrder(o: Order): void {
    const prev = this.orders.get(o.orderId);
    if (!prev || o.fillCount >= prev.fillCount) {
      this.orders.set(o.orderId, { fillCount: o.fillCount, initialCount: o.initialCount });
    }
    trim(this.orders);
  }

  /** Starts the lookups a fill's message will need, so that delivery rarely waits for them. */
  prefetch(fill: Fill): void {
    void this.title(fill.ticker);
    if (this.orders.has(fill.orderId) || this.orderFetches.has(fill.orderId)) return;
    const p = this.opts.exchange.getOrder(fill.orderId).then(
      (o) => {
        this.noteOrder(o);
        return this.orders.get(o.orderId) ?? null;
      },
      () => null,
    );
    this.orderFetches.set(fill.orderId, p);
    trim(this.orderFetches);
  }

  async orderProgress(orderId: string): Promise<OrderProgress | null> {
    const known = this.orders.get(orderId);
    if (known) return known;
    const p = this.orderFetches.get(orderId);
    if (!p) return null;
    const r = await orFallback(p, this.opts.orderInfoTimeoutMs ?? 1000, null);
    return this.orders.get(orderId) ?? r;
  }

  /** What the user asked for with the order (the journal), or null. */
  async intentFor(orderId: string, clientOrderId: string | null): Promise<OrderIntent | null> {
    const lookup = this.opts.intentLookup;
    if (!lookup) return null;
    const p = lookup({ orderId, clientOrderId }).catch((e: unknown) => {
      this.opts.log.warn("alerts: could not read the journal for an order's intent", {
        orderId,
        error: errText(e),
      });
      return null;
    });
    return orFallback(p, this.opts.lookupTimeoutMs ?? 2000, null);
  }
}

function trim(m: Map<string, unknown>): void {
  if (m.size <= ORDER_CACHE_LIMIT) return;
  const first = m.keys().next().value;
  if (first !== undefined) m.delete(first);
}
