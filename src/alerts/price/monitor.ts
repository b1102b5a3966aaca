/**
 * Follows the prices of every market with a price alert or on a watchlist and turns crossings into
 * notices.
 *
 * - Live: the `ticker` channel (TickerFeed), subscribed to exactly the followed markets; the set is
 *   updated whenever an alert or a watch is added or removed.
 * - While the socket is down: REST polling of those markets every `pollMs` (default 5 s).
 * - On every (re)connect: one REST read of all of them (the backfill), so a crossing that happened in
 *   the gap still fires, once.
 * - Every `statusPollMs` (default 60 s) and with every REST read: markets that closed or settled lose
 *   their alerts, with a note to the chat.
 *
 * Exactly once: the crossing's notice (keyed by the alert's crossing number) is taken in by the alert
 * queue (persisted) BEFORE the alert's new state is written; after a crash in between, the same
 * crossing is seen again, its key is already known, and only the alert's state is written.
 */
import type {
  ExchangePort,
  Market,
  StreamLogger,
  TickerEvent,
  TickerFeed,
  TickerUpdate,
} from "../../exchange/port.js";
import type { Notice } from "../state.js";
import { priceGoneKey, priceKey } from "./notice.js";
import { type PriceAlert, type Quote, step } from "./rules.js";
import type { WatchStore } from "./store.js";

export interface PriceMonitorDeps {
  store: WatchStore;
  feed: TickerFeed;
  exchange: ExchangePort;
  /** The alert queue (FillAlerts.notify): false when the key was taken in before. */
  notify: (notice: Notice, chatIds: number[]) => boolean;
  log: StreamLogger;
  now: () => number;
  pollMs?: number;
  statusPollMs?: number;
}

export interface KnownQuote extends Quote {
  ts: number;
}

const OPEN_STATUSES = new Set(["active", "initialized", "inactive"]);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class PriceMonitor {
  private readonly quotes = new Map<string, KnownQuote>();
  private pollTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private readonly reads = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  /** Crossings told (for measurements and tests). */
  fired = 0;

  constructor(private readonly d: PriceMonitorDeps) {}

  async start(): Promise<void> {
    const { store, feed } = this.d;
    store.onChange = () => feed.setMarkets(store.tickers());
    this.unsubscribe = feed.on((e) => this.onFeed(e));
    feed.setMarkets(store.tickers());
    await feed.start();
    if (!feed.connected) this.startPolling();
    const statusMs = this.d.statusPollMs ?? 60_000;
    if (statusMs > 0) {
      const tick = () => {
        this.statusTimer = setTimeout(() => {
          this.readAll("status");
          tick();
        }, statusMs);
      };
      tick();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.stopPolling();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.d.store.onChange = () => undefined;
    await Promise.allSettled([...this.reads]);
  }

  /** The last prices seen for a market (socket or REST), if any. */
  quote(ticker: string): KnownQuote | undefined {
    return this.quotes.get(ticker);
  }

  /** Settles once no REST read is under way (tests). */
  async idle(): Promise<void> {
    while (this.reads.size > 0) await Promise.allSettled([...this.reads]);
  }

  private onFeed(e: TickerEvent): void {
    if (this.stopped) return;
    if (e.type === "ticker") return this.onQuote(e.update.ticker, e.update);
    if (e.type === "connected") {
      this.stopPolling();
      this.readAll("backfill");
    } else this.startPolling();
  }

  private startPolling(): void {
    if (this.pollTimer || this.stopped) return;
    this.d.log.warn("price alerts: polling prices while the socket is down", {
      intervalMs: this.d.pollMs ?? 5000,
    });
    const tick = () => {
      this.readAll("poll");
      this.pollTimer = setTimeout(tick, this.d.pollMs ?? 5000);
    };
    tick();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** One REST read of every followed market: prices evaluated, closed markets' alerts removed. */
  private readAll(why: string): void {
    const tickers = this.d.store.tickers();
    if (tickers.length === 0 || this.stopped) return;
    const p = this.d.exchange
      .getMarkets({ tickers })
      .then((markets) => {
        if (this.stopped) return;
        for (const m of markets) this.onMarket(m);
      })
      .catch((e: unknown) => this.d.log.warn(`price alerts: ${why} read failed`, { error: errText(e) }))
      .finally(() => this.reads.delete(p));
    this.reads.add(p);
  }

  /** A market read through REST. */
  onMarket(m: Market): void {
    if (!OPEN_STATUSES.has(m.status)) return this.marketGone(m.ticker, m.status);
    if (m.status !== "active") return; // paused: its book is not live
    this.onQuote(m.ticker, {
      yesBid: m.yesBid,
      yesAsk: m.yesAsk,
      lastPrice: m.lastPrice,
      ts: this.d.now(),
    });
  }

  /** A new quote: every alert of the market takes one step; crossings are told, then written. */
  onQuote(ticker: string, q: Omit<TickerUpdate, "ticker">): void {
    const known = this.quotes.get(ticker);
    if (known && q.ts < known.ts) return; // an older REST answer after a newer frame
    this.quotes.set(ticker, { yesBid: q.yesBid, yesAsk: q.yesAsk, lastPrice: q.lastPrice, ts: q.ts });
    const changed: PriceAlert[] = [];
    for (const a of this.d.store.alertsOn(ticker)) {
      const s = step(a, q);
      if (s.kind === "rearm") changed.push({ ...a, armed: true });
      if (s.kind !== "fire") continue;
      const notice: Notice = {
        kind: "price",
        key: priceKey(a, s.next.fired),
        alert: a,
        price: s.price,
        quote: { yesBid: q.yesBid, yesAsk: q.yesAsk, lastPrice: q.lastPrice },
        at: this.d.now(),
      };
      if (this.d.notify(notice, [a.chatId])) this.fired++;
      changed.push(s.next);
    }
    this.write(() => this.d.store.updateAlerts(changed));
  }

  /** The market closed or settled: its alerts are deleted, each chat told once. */
  private marketGone(ticker: string, status: string): void {
    const alerts = this.d.store.alertsOn(ticker);
    if (alerts.length === 0) return;
    const at = this.d.now();
    for (const chatId of new Set(alerts.map((a) => a.chatId))) {
      const mine = alerts.filter((a) => a.chatId === chatId);
      const key = priceGoneKey(chatId, ticker, mine.map((a) => a.id).join("+"));
      this.d.notify({ kind: "priceGone", key, ticker, alerts: mine, status, at }, [chatId]);
    }
    this.write(() => this.d.store.removeAlerts(alerts.map((a) => a.id)));
  }

  private write(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // The notice is owed already; the alert's state is written with the next change or seen again.
      this.d.log.error("price alerts: could not write the alert state", { error: errText(e) });
    }
  }
}
