/** Shared setup for the alert service tests: stub WS server, fake exchange, recording sink, temp DATA_DIR. */
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
import { FakeExchange } from "./fakeExchange.js";

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
  exchange = new FakeExchange();
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
    this.exchange.addFill(w);
    return w;
  }

  /** A fill that happens and is pushed over the socket. */
  push(over: Partial<WireFill> = {}): WireFill {
    const w = this.happen(over);
    this.stub.sendFill(w);
    return w;
  }

  async close(): Promise<void> {
    for (const s of this.services) await s.stop().catch(() => undefined);
    for (const s of this.streams) await s.close().catch(() => undefined);
    await this.stub.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
