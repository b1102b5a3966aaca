/**
 * The REAL parts against the REAL sim, for the alert tests, the benchmark and the transcript script:
 * startSim (in-process, port 0) + KalshiClient (signed HTTP) + KalshiStream (signed WebSocket) +
 * createFillAlerts + a real createTradeJournal writing JSON lines to a temp log dir.
 *
 * Fills are made the way a counterparty would: the user rests bids one cent above the market maker's
 * best bid (so they are the top of the book), and `sim.trade` sells into them with IOC at that price,
 * which can only match the user's bids. Each resting order gets a distinct size, so a message
 * ("BUY 3 YES") says which fill it reports.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type winston from "winston";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { KalshiClient } from "../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../src/exchange/kalshi/signer.js";
import {
  KalshiStream,
  sortFillsOldestFirst,
  type KalshiStreamOptions,
  type StreamLogger,
} from "../../src/exchange/kalshi/stream.js";
import type { ExchangePort, Fill, StreamEvent } from "../../src/exchange/port.js";
import { createFillAlerts, type FillAlerts, type FillAlertsOptions } from "../../src/alerts/service.js";
import { createAlertSettingsStore } from "../../src/alerts/settings.js";
import type { AlertSink } from "../../src/alerts/sink.js";
import { telegramDeliveryError } from "../../src/bot/alertSink.js";
import { endJournalLogger } from "./journalFlush.js";
import { createJournalLogger } from "../../src/logging/journalFile.js";
import {
  createTradeJournal,
  readJournal,
  type JournalEntry,
  type JournalEvent,
} from "../../src/trading/journal.js";
import { centis, micros, MICROS_PER_CENT, type Micros } from "../../src/domain/money.js";

export const CHAT_ID = 42;

/** Records what the user would see; can fail the next calls like the Telegram sink does. */
export class SimRecordingSink implements AlertSink {
  /** One entry per message: every text it had (send, then edits). */
  readonly messages: Array<{ messageId: number; texts: string[]; sentAt: number }> = [];
  /** Errors thrown by the next send/edit calls, in turn (shifted on use). */
  readonly failNext: unknown[] = [];
  calls = 0;
  onSend: ((html: string) => void) | null = null;

  async send(_chatId: number, html: string): Promise<{ messageId: number }> {
    this.calls++;
    if (this.failNext.length > 0) throw telegramDeliveryError(this.failNext.shift());
    const messageId = this.messages.length + 1;
    this.messages.push({ messageId, texts: [html], sentAt: Date.now() });
    this.onSend?.(html);
    return { messageId };
  }

  async edit(_chatId: number, messageId: number, html: string): Promise<void> {
    this.calls++;
    if (this.failNext.length > 0) throw telegramDeliveryError(this.failNext.shift());
    const m = this.messages.find((x) => x.messageId === messageId);
    if (!m) throw new Error(`no message ${messageId}`);
    m.texts.push(html);
  }

  finalTexts(): string[] {
    return this.messages.map((m) => m.texts.at(-1)!);
  }

  plainTexts(): string[] {
    return this.finalTexts().map(stripHtml);
  }

  /** The sizes of the fills the fill messages report ("BUY 3 YES" → 3), in message order. */
  fillSizes(): number[] {
    return this.finalTexts().flatMap((t) => {
      const m = /<b>Filled<\/b>: BUY (\d+) YES/.exec(t);
      return m ? [Number(m[1])] : [];
    });
  }

  /** "position now N YES" of each fill message. */
  positions(): number[] {
    return this.finalTexts().flatMap((t) => {
      if (!t.includes("<b>Filled</b>")) return [];
      const m = /position now (\d+) YES/.exec(t);
      return [m ? Number(m[1]) : NaN];
    });
  }
}

export function stripHtml(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

export interface SimAlertsHarnessOptions {
  /** Living market: off by default. */
  livingMarket?: false | { intervalMs: number };
  logger?: StreamLogger;
}

export class SimAlertsHarness {
  sim!: SimServer;
  client!: KalshiClient;
  /** The exchange handed to the alert service (the client, possibly wrapped by a test). */
  exchange!: ExchangePort;
  sink = new SimRecordingSink();
  dataDir = "";
  logDir = "";
  ticker = "";
  /** The YES price the user's resting bids sit at (one cent above the market maker's best bid). */
  price: Micros = micros(0);
  /** Journal events handed to journal.record(), across all instances. */
  readonly recorded: JournalEvent[] = [];
  readonly services: FillAlerts[] = [];
  readonly streams: KalshiStream[] = [];
  /** Every event the harness's streams emitted, in order (the services got each one as well). */
  readonly events: StreamEvent[] = [];
  /** Calls of each exchange method the services made (through `exchange` as created). */
  readonly calls = new Map<string, number>();
  /** Another open market, for sentinel orders that must not touch `ticker`. */
  private sentinelTicker = "";
  private readonly loggers: winston.Logger[] = [];
  private readonly privateKey;

  private constructor(sim: SimServer) {
    this.sim = sim;
    this.privateKey = loadPrivateKey(sim.privateKeyPem);
  }

  static async create(o: SimAlertsHarnessOptions = {}): Promise<SimAlertsHarness> {
    const sim = await startSim({ livingMarket: o.livingMarket ?? false, rateLimit: false });
    const h = new SimAlertsHarness(sim);
    try {
      h.client = new KalshiClient({
        baseUrl: sim.baseUrl,
        keyId: sim.keyId,
        privateKey: h.privateKey,
        rateLimit: false,
        retry: { baseDelayMs: 10, maxDelayMs: 50 },
        timeoutMs: 5000,
      });
      h.exchange = countCalls(h.client, h.calls);
      h.dataDir = await mkdtemp(join(tmpdir(), "alerts-sim-"));
      h.logDir = join(h.dataDir, "logs");
      h.pickMarket();
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  /** An open linear-cent market (no maker fees) with at least two cents between best bid and ask. */
  private pickMarket(): void {
    for (const m of this.sim.engine.markets()) {
      if (m.status !== "active" || !m.ticker.startsWith("KXHIGHNY-")) continue;
      const top = this.sim.engine.top(m.ticker);
      if (top.bid === null || top.ask === null || top.ask - top.bid < 2 * MICROS_PER_CENT) continue;
      if (this.ticker === "") {
        this.ticker = m.ticker;
        this.price = micros(top.bid + MICROS_PER_CENT);
      } else if (top.bid > MICROS_PER_CENT) {
        this.sentinelTicker = m.ticker;
        return;
      }
    }
    throw new Error("no suitable sim markets");
  }

  /** Rests a bid for `count` contracts at `price` through the real client; returns the order id. */
  async rest(count: number): Promise<string> {
    const r = await this.client.createOrder({
      ticker: this.ticker,
      side: "bid",
      count: centis(count * 100),
      price: this.price,
      timeInForce: "good_till_canceled",
      clientOrderId: randomUUID(),
    });
    if (r.remainingCount !== count * 100) throw new Error(`order ${r.orderId} did not rest`);
    return r.orderId;
  }

  /** Another account sells `count` into the user's oldest resting bid (sim control `trade`, IOC). */
  fill(count: number): void {
    const r = this.sim.trade({ ticker: this.ticker, side: "ask", price: this.price, count });
    if (r.order.filled !== count * 100)
      throw new Error(`sim trade filled ${r.order.filled / 100} of ${count}`);
  }

  stream(extra: Partial<KalshiStreamOptions> = {}): KalshiStream {
    const s = new KalshiStream({
      wsUrl: this.sim.wsUrl,
      keyId: this.sim.keyId,
      privateKey: this.privateKey,
      backoff: { baseMs: 10, maxMs: 40 },
      connectTimeoutMs: 2000,
      ...extra,
    });
    this.streams.push(s);
    s.on((e) => this.events.push(e));
    return s;
  }

  /**
   * A new service instance, as after a process start: its own stream and its own journal
   * (createTradeJournal + createJournalLogger on the shared log dir), the shared DATA_DIR.
   */
  service(
    extra: Partial<FillAlertsOptions> = {},
    streamExtra: Partial<KalshiStreamOptions> = {},
  ): FillAlerts {
    const logger = createJournalLogger(this.logDir);
    this.loggers.push(logger);
    const journal = createTradeJournal({ logger, environment: "sim", timeZone: "America/New_York" });
    const svc = createFillAlerts({
      stream: extra.stream ?? this.stream(streamExtra),
      exchange: this.exchange,
      sink: this.sink,
      chatIds: [CHAT_ID],
      settings: createAlertSettingsStore(this.dataDir),
      dataDir: this.dataDir,
      envTag: "sim",
      timeZone: "America/New_York",
      journal: {
        record: (e) => {
          this.recorded.push(e);
          journal.record(e);
        },
      },
      coalesceWindowMs: 0,
      retry: { baseMs: 5, maxMs: 20 },
      settlementPollMs: 0,
      orderInfoTimeoutMs: 500,
      ...extra,
    });
    this.services.push(svc);
    return svc;
  }

  /**
   * Shows that nothing more will happen: a sentinel order (a 1¢ bid on another market, which neither
   * fills nor alerts) is placed; once the stream has brought its update, every message the sim sent
   * before it has been taken in, and once the services are idle, delivered.
   */
  async nothingMore(): Promise<void> {
    const stream = this.streams.at(-1)!;
    await until(() => stream.connected, "the stream subscribed");
    const r = await this.client.createOrder({
      ticker: this.sentinelTicker,
      side: "bid",
      count: centis(100),
      price: micros(MICROS_PER_CENT),
      timeInForce: "good_till_canceled",
      clientOrderId: randomUUID(),
    });
    const seen = () => this.events.some((e) => e.type === "order" && e.order.orderId === r.orderId);
    await until(seen, "the sentinel order's update");
    for (const s of this.services) await s.idle();
  }

  /** Fill ids the exchange has for the user, oldest first. */
  async exchangeFillIds(): Promise<string[]> {
    const fills: Fill[] = await this.client.getFills({});
    return sortFillsOldestFirst(fills).map((f) => f.fillId);
  }

  /** Flushes every journal logger and reads the journal files back. */
  async journalEntries(): Promise<JournalEntry[]> {
    await this.flushJournals();
    const out: JournalEntry[] = [];
    for await (const e of readJournal(this.logDir)) out.push(e);
    return out;
  }

  private async flushJournals(): Promise<void> {
    await Promise.all(this.loggers.splice(0).map((l) => endJournalLogger(l)));
  }

  async close(): Promise<void> {
    for (const s of this.services) await s.stop().catch(() => undefined);
    for (const s of this.streams) await s.close().catch(() => undefined);
    await this.flushJournals().catch(() => undefined);
    await this.client?.close().catch(() => undefined);
    await this.sim.close().catch(() => undefined);
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** `exchange` with each method call counted in `calls` by name. */
function countCalls(exchange: ExchangePort, calls: Map<string, number>): ExchangePort {
  return new Proxy(exchange, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...a: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, a);
      };
    },
  });
}

/** Polls `cond` (sync or async) every 5 ms until it holds or `timeoutMs` passes. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
