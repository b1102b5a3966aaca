/**
 * Price alerts and watchlists, per chat, in DATA_DIR/watch.json (atomic writes, one file: an alert's
 * crossing count and its "fired" state are written together). Bounded: MAX_ALERTS_PER_CHAT alerts and
 * MAX_WATCHES_PER_CHAT watched markets per chat, refused with a sentence beyond that.
 *
 * Every change is written before it is reported done; a write that fails changes nothing in memory.
 */
import { join } from "node:path";
import { z } from "zod";
import type { Micros } from "../../domain/money.js";
import { bySchema, loadStateFile } from "../../shared/stateFile.js";
import { writeJsonAtomic } from "../files.js";
import type { AlertRule, PriceAlert } from "./rules.js";

export const WATCH_FILE = "watch.json";
export const MAX_ALERTS_PER_CHAT = 50;
export const MAX_WATCHES_PER_CHAT = 50;

export interface Watch {
  chatId: number;
  ticker: string;
  since: number;
  /** The YES price (ask, else last) when watching began: the watchlist's "change since" reference. */
  startPrice: Micros | null;
}

interface WatchFileV1 {
  version: 1;
  nextId: number;
  alerts: PriceAlert[];
  watches: Watch[];
}

/** What the loader relies on; fields added later pass through. */
const watchFileSchema = z.object({
  version: z.literal(1),
  nextId: z.number().int().optional(),
  alerts: z.array(z.looseObject({ id: z.string(), chatId: z.number().int(), ticker: z.string() })),
  watches: z.array(z.looseObject({ chatId: z.number().int(), ticker: z.string() })),
});

export type AddResult<T> = { ok: true; value: T } | { ok: false; reason: "cap" | "duplicate" };

export class WatchStore {
  private readonly path: string;
  private alerts: PriceAlert[] = [];
  private watches: Watch[] = [];
  private nextId = 1;
  /** Called after every change (the monitor follows the markets of the new set). */
  onChange: () => void = () => undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, WATCH_FILE);
    // Damaged or of another shape: moved aside (never overwritten), started empty, the owner told once.
    const loaded = loadStateFile(this.path, {
      what: "watchlist and price alerts",
      parse: bySchema(watchFileSchema),
      consequence: "Your watchlist and price alerts start empty; /watch and /alert set them again.",
    });
    if (loaded.kind !== "ok") return;
    const f = loaded.value as unknown as WatchFileV1;
    this.alerts = f.alerts;
    this.watches = f.watches;
    this.nextId = f.nextId ?? this.alerts.length + 1;
  }

  private write(alerts: PriceAlert[], watches: Watch[], nextId: number): void {
    writeJsonAtomic(this.path, { version: 1, nextId, alerts, watches } satisfies WatchFileV1);
    this.alerts = alerts;
    this.watches = watches;
    this.nextId = nextId;
    this.onChange();
  }

  alertsOf(chatId: number): PriceAlert[] {
    return this.alerts.filter((a) => a.chatId === chatId);
  }

  alertsOn(ticker: string): PriceAlert[] {
    return this.alerts.filter((a) => a.ticker === ticker);
  }

  alert(id: string): PriceAlert | undefined {
    return this.alerts.find((a) => a.id === id);
  }

  watchesOf(chatId: number): Watch[] {
    return this.watches.filter((w) => w.chatId === chatId);
  }

  isWatching(chatId: number, ticker: string): boolean {
    return this.watches.some((w) => w.chatId === chatId && w.ticker === ticker);
  }

  /** Every market an alert or a watch follows. */
  tickers(): string[] {
    return [...new Set([...this.alerts.map((a) => a.ticker), ...this.watches.map((w) => w.ticker)])];
  }

  addAlert(
    chatId: number,
    ticker: string,
    rule: AlertRule,
    armed: boolean,
    now: number,
  ): AddResult<PriceAlert> {
    if (this.alertsOf(chatId).length >= MAX_ALERTS_PER_CHAT) return { ok: false, reason: "cap" };
    const same = JSON.stringify(rule);
    const dup = this.alertsOf(chatId).find(
      (a) => a.ticker === ticker && a.rule.kind === "level" && JSON.stringify(a.rule) === same,
    );
    if (dup) return { ok: false, reason: "duplicate" };
    const a: PriceAlert = {
      id: this.nextId.toString(36),
      chatId,
      ticker,
      rule,
      armed,
      fired: 0,
      createdAt: now,
    };
    this.write([...this.alerts, a], this.watches, this.nextId + 1);
    return { ok: true, value: a };
  }

  /** Replaces alerts by id (crossings, re-arms) with one write. */
  updateAlerts(changed: PriceAlert[]): void {
    if (changed.length === 0) return;
    const byId = new Map(changed.map((a) => [a.id, a]));
    this.write(
      this.alerts.map((a) => byId.get(a.id) ?? a),
      this.watches,
      this.nextId,
    );
  }

  /** Deletes alerts by id; returns those that existed. */
  removeAlerts(ids: string[]): PriceAlert[] {
    const gone = this.alerts.filter((a) => ids.includes(a.id));
    if (gone.length)
      this.write(
        this.alerts.filter((a) => !ids.includes(a.id)),
        this.watches,
        this.nextId,
      );
    return gone;
  }

  addWatch(chatId: number, ticker: string, startPrice: Micros | null, now: number): AddResult<Watch> {
    if (this.isWatching(chatId, ticker)) return { ok: false, reason: "duplicate" };
    if (this.watchesOf(chatId).length >= MAX_WATCHES_PER_CHAT) return { ok: false, reason: "cap" };
    const w: Watch = { chatId, ticker, since: now, startPrice };
    this.write(this.alerts, [...this.watches, w], this.nextId);
    return { ok: true, value: w };
  }

  /** True when the market was watched. */
  removeWatch(chatId: number, ticker: string): boolean {
    if (!this.isWatching(chatId, ticker)) return false;
    this.write(
      this.alerts,
      this.watches.filter((w) => !(w.chatId === chatId && w.ticker === ticker)),
      this.nextId,
    );
    return true;
  }
}
