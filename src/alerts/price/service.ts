/**
 * The watchlist and price alerts as the bot uses them: add, list and delete, each answered with an
 * outcome value the bot renders (nothing is stored on a refusal). Wires the store (store.ts), the
 * monitor (monitor.ts) and the alert queue they deliver through.
 */
import type { Micros } from "../../domain/money.js";
import type { ExchangePort, Market, OutcomeSide, StreamLogger, TickerFeed } from "../../exchange/port.js";
import type { Notice } from "../state.js";
import { PriceMonitor } from "./monitor.js";
import { type AlertRule, holds, type PriceAlert, sidePrice } from "./rules.js";
import { MAX_ALERTS_PER_CHAT, MAX_WATCHES_PER_CHAT, WatchStore } from "./store.js";

export { MAX_ALERTS_PER_CHAT, MAX_WATCHES_PER_CHAT } from "./store.js";
export type { PriceAlert } from "./rules.js";

/** What the user asked for: a level on a side, or a move of the YES price. */
export type AlertSpec =
  { kind: "level"; side: OutcomeSide; op: ">=" | "<="; level: Micros } | { kind: "move"; step: Micros };

export type AddAlertOutcome =
  | { kind: "added"; alert: PriceAlert; price: Micros | null; alreadyTrue: boolean }
  | { kind: "unknownMarket"; ticker: string }
  | { kind: "notOpen"; ticker: string; status: string }
  | { kind: "noPrice"; ticker: string }
  | { kind: "cap"; max: number }
  | { kind: "duplicate" };

export type WatchOutcome =
  | { kind: "added"; ticker: string }
  | { kind: "unknownMarket"; ticker: string }
  | { kind: "cap"; max: number }
  | { kind: "duplicate"; ticker: string };

export interface WatchRow {
  ticker: string;
  title: string;
  status: string;
  yesBid: Micros | null;
  yesAsk: Micros | null;
  lastPrice: Micros | null;
  /** YES price now minus when watching began (null when either is unknown). */
  change: Micros | null;
  since: number;
  closeTime: number | null;
}

export interface PriceWatchOptions {
  dataDir: string;
  feed: TickerFeed;
  exchange: ExchangePort;
  notify: (notice: Notice, chatIds: number[]) => boolean;
  logger: StreamLogger;
  now?: () => number;
  pollMs?: number;
  statusPollMs?: number;
}

/** The YES price a watch compares with: the ask, else the last trade. */
const yesPrice = (q: { yesAsk: Micros | null; lastPrice: Micros | null }) => q.yesAsk ?? q.lastPrice;

export class PriceWatch {
  readonly store: WatchStore;
  readonly monitor: PriceMonitor;
  private readonly now: () => number;

  constructor(private readonly o: PriceWatchOptions) {
    this.now = o.now ?? Date.now;
    this.store = new WatchStore(o.dataDir);
    this.monitor = new PriceMonitor({
      store: this.store,
      feed: o.feed,
      exchange: o.exchange,
      notify: o.notify,
      log: o.logger,
      now: this.now,
      ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
      ...(o.statusPollMs !== undefined ? { statusPollMs: o.statusPollMs } : {}),
    });
  }

  start(): Promise<void> {
    return this.monitor.start();
  }

  stop(): Promise<void> {
    return this.monitor.stop();
  }

  private async market(ticker: string): Promise<Market | null> {
    const found = await this.o.exchange.getMarkets({ tickers: [ticker] });
    return found.find((m) => m.ticker === ticker) ?? null;
  }

  async addAlert(chatId: number, ticker: string, spec: AlertSpec): Promise<AddAlertOutcome> {
    if (this.store.alertsOf(chatId).length >= MAX_ALERTS_PER_CHAT)
      return { kind: "cap", max: MAX_ALERTS_PER_CHAT };
    const m = await this.market(ticker);
    if (!m) return { kind: "unknownMarket", ticker };
    if (m.status !== "active") return { kind: "notOpen", ticker, status: m.status };
    const q = { yesBid: m.yesBid, yesAsk: m.yesAsk, lastPrice: m.lastPrice };
    let rule: AlertRule;
    if (spec.kind === "move") {
      const ref = yesPrice(q);
      if (ref === null) return { kind: "noPrice", ticker };
      rule = { kind: "move", side: "yes", step: spec.step, reference: ref };
    } else rule = { kind: "level", side: spec.side, op: spec.op, level: spec.level };
    const price = rule.kind === "move" ? rule.reference : sidePrice(q, rule.side);
    const alreadyTrue = rule.kind === "level" && price !== null && holds(rule, price);
    const r = this.store.addAlert(chatId, ticker, rule, !alreadyTrue, this.now());
    if (!r.ok) return r.reason === "cap" ? { kind: "cap", max: MAX_ALERTS_PER_CHAT } : { kind: "duplicate" };
    this.monitor.onMarket(m);
    return { kind: "added", alert: r.value, price, alreadyTrue };
  }

  alerts(chatId: number): PriceAlert[] {
    return this.store.alertsOf(chatId);
  }

  /** Deletes the chat's alert; null when it is not (or no longer) there. */
  removeAlert(chatId: number, id: string): PriceAlert | null {
    const a = this.store.alert(id);
    if (!a || a.chatId !== chatId) return null;
    return this.store.removeAlerts([id])[0] ?? null;
  }

  isWatching(chatId: number, ticker: string): boolean {
    return this.store.isWatching(chatId, ticker);
  }

  async watch(chatId: number, ticker: string): Promise<WatchOutcome> {
    if (this.store.isWatching(chatId, ticker)) return { kind: "duplicate", ticker };
    if (this.store.watchesOf(chatId).length >= MAX_WATCHES_PER_CHAT)
      return { kind: "cap", max: MAX_WATCHES_PER_CHAT };
    const m = await this.market(ticker);
    if (!m) return { kind: "unknownMarket", ticker };
    const r = this.store.addWatch(chatId, ticker, yesPrice(m), this.now());
    if (!r.ok)
      return r.reason === "cap" ? { kind: "cap", max: MAX_WATCHES_PER_CHAT } : { kind: "duplicate", ticker };
    return { kind: "added", ticker };
  }

  unwatch(chatId: number, ticker: string): boolean {
    return this.store.removeWatch(chatId, ticker);
  }

  /** The chat's watched markets with fresh prices (one REST read for all). */
  async watchlist(chatId: number): Promise<WatchRow[]> {
    const watches = this.store.watchesOf(chatId);
    if (watches.length === 0) return [];
    const markets = await this.o.exchange.getMarkets({ tickers: watches.map((w) => w.ticker) });
    const byTicker = new Map(markets.map((m) => [m.ticker, m]));
    return watches.map((w) => {
      const m = byTicker.get(w.ticker);
      const now = m ? yesPrice(m) : null;
      return {
        ticker: w.ticker,
        title: m
          ? m.yesSubTitle && m.yesSubTitle !== m.title
            ? `${m.title} — ${m.yesSubTitle}`
            : m.title
          : w.ticker,
        status: m?.status ?? "unknown",
        yesBid: m?.yesBid ?? null,
        yesAsk: m?.yesAsk ?? null,
        lastPrice: m?.lastPrice ?? null,
        change: now !== null && w.startPrice !== null ? ((now - w.startPrice) as Micros) : null,
        since: w.since,
        closeTime: m?.closeTime ?? null,
      };
    });
  }
}
