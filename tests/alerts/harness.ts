/** Shared setup for the alert service tests: stub WS server, SimExchange, recording sink, temp DATA_DIR. */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KalshiStream, type KalshiStreamOptions } from "../../src/exchange/kalshi/stream.js";
import { createFillAlerts, type FillAlerts, type FillAlertsOptions } from "../../src/alerts/service.js";
import type { JournalEvent } from "../../src/trading/journal.js";
import type { StreamEvent } from "../../src/exchange/port.js";
import { createAlertSettingsStore } from "../../src/alerts/settings.js";
import type { AlertSink } from "../../src/alerts/sink.js";
import { telegramDeliveryError } from "../../src/bot/alertSink.js";
import { wireFill, type WireFill, WsKalshiStub } from "../support/wsKalshiStub.js";
import { SimExchange } from "../support/simExchange.js";
import { USER } from "../../src/sim/engine.js";
import { type Centis, contracts, formatCount, micros, parseCount } from "../../src/domain/money.js";
import type { SimMarket } from "../../src/sim/fixtures.js";

let keys: { privateKey: KeyObject; publicKey: KeyObject } | null = null;
export function testKeys() {
  keys ??= generateKeyPairSync("rsa", { modulusLength: 2048 });
  return keys;
}
export const KEY_ID = "alerts-test-key";

export interface SentMessage {
  chatId: number;
  messageId: number;
  silent: boolean;
  /** Every text the message had, the first from send, then each edit. */
  texts: string[];
  sentAt: number;
}

/** Records messages; `failures` (Telegram errors) are thrown (in order) by the next calls, send or edit. */
export class RecordingSink implements AlertSink {
  messages: SentMessage[] = [];
  failures: unknown[] = [];
  attempts: number[] = [];
  /** When set, every call throws this until cleared. */
  down: unknown = null;
  private nextId = 100;

  private gate(): void {
    this.attempts.push(Date.now());
    // Thrown as the Telegram sink (src/bot/alertSink.ts) throws them.
    if (this.down) throw telegramDeliveryError(this.down);
    const f = this.failures.shift();
    if (f !== undefined) throw telegramDeliveryError(f);
  }

  async send(chatId: number, html: string, opts: { silent: boolean }): Promise<{ messageId: number }> {
    this.gate();
    const messageId = this.nextId++;
    this.messages.push({ chatId, messageId, silent: opts.silent, texts: [html], sentAt: Date.now() });
    return { messageId };
  }

  async edit(chatId: number, messageId: number, html: string): Promise<void> {
    this.gate();
    const m = this.messages.find((x) => x.chatId === chatId && x.messageId === messageId);
    if (!m) throw new Error("no such message");
    m.texts.push(html);
  }

  /** Final texts of the messages of a chat, in the order they were first sent. */
  finalTexts(chatId?: number): string[] {
    return this.messages
      .filter((m) => chatId === undefined || m.chatId === chatId)
      .map((m) => m.texts.at(-1)!);
  }

  /** Test tickers (KXT-<n>) named in the final texts, in message order. */
  tickers(chatId?: number): string[] {
    return this.finalTexts(chatId).flatMap((t) => [...t.matchAll(/Title (KXT-\d+)/g)].map((m) => m[1]!));
  }
}

export class Harness {
  stub!: WsKalshiStub;
  exchange = new SimExchange();
  sink = new RecordingSink();
  /** Fill events the service handed to journal.record(). */
  journal: Array<Extract<JournalEvent, { type: "fill" }>> = [];
  dataDir = "";
  services: FillAlerts[] = [];
  streams: KalshiStream[] = [];
  /** Every event the harness's streams emitted, in order (the services got each one as well). */
  events: StreamEvent[] = [];
  private n = 0;

  static async create(): Promise<Harness> {
    const h = new Harness();
    const { publicKey } = testKeys();
    h.stub = await WsKalshiStub.start({ publicKey, keyId: KEY_ID });
    h.dataDir = await mkdtemp(join(tmpdir(), "alerts-test-"));
    return h;
  }

  stream(extra: Partial<KalshiStreamOptions> = {}): KalshiStream {
    const s = new KalshiStream({
      wsUrl: this.stub.url,
      keyId: KEY_ID,
      privateKey: testKeys().privateKey,
      backoff: { baseMs: 10, maxMs: 40 },
      connectTimeoutMs: 1000,
      ...extra,
    });
    this.streams.push(s);
    s.on((e) => this.events.push(e));
    return s;
  }

  service(
    extra: Partial<FillAlertsOptions> = {},
    streamExtra: Partial<KalshiStreamOptions> = {},
  ): FillAlerts {
    const svc = createFillAlerts({
      stream: extra.stream ?? this.stream(streamExtra),
      exchange: this.exchange,
      sink: this.sink,
      chatIds: [42],
      settings: createAlertSettingsStore(this.dataDir),
      dataDir: this.dataDir,
      envTag: "sim",
      timeZone: "America/New_York",
      journal: {
        record: (e) => {
          if (e.type !== "fill") throw new Error(`unexpected journal event ${e.type}`);
          this.journal.push(e);
        },
      },
      coalesceWindowMs: 0,
      marketTitle: async (t) => `Title ${t}`,
      retry: { baseMs: 5, maxMs: 20 },
      settlementPollMs: 0,
      orderInfoTimeoutMs: 200,
      ...extra,
    });
    this.services.push(svc);
    return svc;
  }

  /** How many events of `type` the streams emitted so far. */
  count(type: StreamEvent["type"]): number {
    return this.events.filter((e) => e.type === type).length;
  }

  /** A fill of its own order and market (ticker KXT-<n>), happening now: recorded at the exchange. */
  happen(over: Partial<WireFill> = {}): WireFill {
    this.n++;
    const w = wireFill({
      trade_id: `fill-${this.n}`,
      order_id: `order-${this.n}`,
      market_ticker: `KXT-${this.n}`,
      ts_ms: Date.now() + this.n, // strictly increasing
      ...over,
    });
    recordFill(this.exchange, w);
    return w;
  }

  /** A fill that happens and is pushed over the socket. */
  push(over: Partial<WireFill> = {}): WireFill {
    const w = this.happen(over);
    this.stub.sendFill(w);
    return w;
  }

  /** Calls of `method` the exchange got so far (the services' and the polling stream's). */
  calls(method: keyof SimExchange): number {
    return this.exchange.calls[method] ?? 0;
  }

  /** The market settled or closed: the user's position in it is gone (Kalshi lists it no more). */
  flat(ticker: string): void {
    holdPosition(this.exchange, ticker, 0 as Centis);
  }

  /** The user holds `whole` contracts (signed: + YES, − NO) in the market, as of now. */
  hold(ticker: string, whole: number): void {
    holdPosition(this.exchange, ticker, contracts(whole));
  }

  /** The market's status at the exchange (the market is added when the exchange has none). */
  setStatus(ticker: string, status: SimMarket["status"]): void {
    ensureMarket(this.exchange, ticker);
    this.exchange.markets.get(ticker)!.status = status;
  }

  async close(): Promise<void> {
    for (const s of this.services) await s.stop().catch(() => undefined);
    for (const s of this.streams) await s.close().catch(() => undefined);
    await this.stub.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function ensureMarket(ex: SimExchange, ticker: string): void {
  if (!ex.engine.findMarket(ticker)) ex.addMarket({ ticker });
}

/**
 * The user's position in the market as a fill at `at` left it (signed). A position that went to 0 was
 * traded, so it is set in place (getPositions, like Kalshi's default listing, leaves it out);
 * SimExchange.setPosition takes only held positions.
 */
function holdPosition(ex: SimExchange, ticker: string, count: Centis, at = ex.now()): void {
  ensureMarket(ex, ticker);
  if (count !== 0) ex.setPosition(ticker, formatCount(count));
  const p = ex.engine.position(USER, ticker);
  p.position = count;
  if (count === 0) p.cost = micros(0);
  p.lastUpdatedTs = at; // Kalshi's last_updated_ts: when the trade moved it
}

/**
 * Records a wire fill at the exchange as REST lists it (the market added if new), and sets the
 * position to the fill's post position, as the trade left it (a seeded fill moves no position).
 */
export function recordFill(ex: SimExchange, w: WireFill): void {
  ensureMarket(ex, w.market_ticker);
  ex.addFill({
    ticker: w.market_ticker,
    side: w.book_side,
    yesPrice: w.yes_price_dollars,
    count: w.count_fp,
    fee: w.fee_cost,
    time: w.ts_ms,
    orderId: w.order_id,
    fillId: w.trade_id,
    isTaker: w.is_taker,
  });
  holdPosition(ex, w.market_ticker, parseCount(w.post_position_fp), w.ts_ms);
}
