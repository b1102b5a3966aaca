/**
 * Fill alerts: every fill of the account is journaled once and alerted once to each chat, in order,
 * including fills that happened while the socket was down or the bot was stopped; likewise exchange
 * cancels and settlements of held markets.
 *
 * This file only wires the parts and owns their lifecycle:
 * - intake.ts: stream events and REST backfills through one serialized chain (dedupe → journal → owed);
 * - derive.ts / postPosition.ts: the position after a REST fill, which tells BUY/SELL of YES/NO;
 * - settlements.ts: settlement polling;
 * - delivery.ts: per-chat queues, retries, coalescing edits and the crash marks;
 * - lookups.ts / render.ts / reads.ts: what the messages show, never waited on for long.
 * The alert state (state.ts) is what makes all of it exactly-once across restarts.
 */
import type { ExchangePort, ExchangeStream, StreamLogger } from "../exchange/port.js";
import { AlertDelivery } from "./delivery.js";
import { envTagFor } from "./format.js";
import { FillIntake, type FillJournal } from "./intake.js";
import { journalIntentLookup, type OrderIntentLookup } from "./intent.js";
import { AlertLookups } from "./lookups.js";
import type { OrderOwners } from "./outbox.js";
import { AlertReads } from "./reads.js";
import { AlertRenderer } from "./render.js";
import { SettlementPoller } from "./settlements.js";
import type { AlertSettings } from "./settings.js";
import type { AlertSink } from "./sink.js";
import { AlertState, type Notice } from "./state.js";
import { LifecycleWatcher } from "./lifecycle.js";
import { DigestScheduler, type DigestTime } from "./digest.js";
import type { Digest } from "../trading/index.js";

export type { FillJournal } from "./intake.js";

export interface FillAlertsOptions {
  stream: ExchangeStream;
  exchange: ExchangePort;
  sink: AlertSink;
  chatIds: number[];
  settings: AlertSettings;
  dataDir: string;
  /** "sim" | "demo" | "production", or a ready tag such as "🧪 SIM". */
  envTag: string;
  timeZone: string;
  journal?: FillJournal;
  /**
   * The trade journal's directory (LOG_DIR, trades-*.log): what the user asked for (BUY/SELL of YES/NO)
   * is read from it for exchange cancels, and for fills whose direction the position cannot tell
   * (a market settled since). Without it (and without `orderIntent`) those are told in YES terms.
   */
  journalDir?: string;
  /** Overrides the journal lookup (tests). */
  orderIntent?: OrderIntentLookup;
  /**
   * Which chat placed an order (the order outbox). A cancel of such an order goes to that chat only:
   * an exchange cancel always, a user cancel when another chat asked for it (shared Kalshi account).
   */
  owners?: OrderOwners;
  logger?: StreamLogger;
  now?: () => number;
  /** Fills of one order this close to the previous one edit its message (default 10 000 ms). */
  coalesceWindowMs?: number;
  marketTitle?: (ticker: string) => Promise<string>;
  /** Backfill reaches this far before the last delivered fill (default 60 000 ms). */
  overlapMs?: number;
  /** With no saved cursor (first run), backfill this far back (default 60 000 ms). */
  initialLookbackMs?: number;
  /** Settlement polling interval (default 60 000 ms; 0 = off). */
  settlementPollMs?: number;
  /** How far back each settlement poll reaches before the last one seen (default 6 h). */
  settlementOverlapMs?: number;
  /** Delivery retry backoff when Telegram gives no retry_after (default 1 s .. 60 s). */
  retry?: { baseMs: number; maxMs: number };
  /** Longest wait for order details (order X/Y) before sending without them (default 1000 ms). */
  orderInfoTimeoutMs?: number;
  /** Longest wait for a market title / position for a message before using the ticker (default 2000 ms). */
  lookupTimeoutMs?: number;
  /** Deadline for the REST reads the intake waits on (backfill, positions, settlements; default 20 000 ms). */
  restTimeoutMs?: number;
  /** Close the stream in stop() (default true). */
  closeStreamOnStop?: boolean;
  /**
   * While more alerts are queued, how long a "delivered" mark may wait in memory for the next state write
   * (default 25 ms). A crash in that time makes the alert count as interrupted: it is sent again with
   * a note, never silently.
   */
  deliveredFlushMs?: number;
  /**
   * Lifecycle notices of the markets the user is in (closing soon, paused, resumed, closed, determined);
   * absent: none. `pollMs`: how often the watched markets are read (default 60 000 ms).
   */
  lifecycle?: { closeNoticeMinutes: number; pollMs?: number };
  /** The daily digest (absent or time null: none); `collect` builds it (src/trading/digest.ts). */
  digest?: {
    time: DigestTime | null;
    collect: (slot: number, previous: Record<string, number> | null) => Promise<Digest>;
  };
}

export interface FillAlertsStatus {
  connected: boolean;
  /** Deliveries (notice × chat) not yet accepted by Telegram. */
  queueDepth: number;
  /** Time of the last fully delivered fill, epoch ms. */
  lastFillTs: number | null;
}

export interface FillAlerts {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): FillAlertsStatus;
  /**
   * Settles once everything taken in so far is delivered and written: no intake step queued or
   * running, no backfill retry waiting, no delivery queued, under way or waiting for a retry. Tests use it
   * to show that nothing more happened after the events they sent.
   */
  idle(): Promise<void>;
  /**
   * Takes in a notice made elsewhere (price alerts) for `chatIds`: persisted as owed, then delivered
   * like a fill alert. False when its key was taken in before (nothing is done) or alerts are not running.
   */
  notify(notice: Notice, chatIds: number[]): boolean;
}

const noopLogger: StreamLogger = { info() {}, warn() {}, error() {} };

export function createFillAlerts(opts: FillAlertsOptions): FillAlerts {
  return new FillAlertsService(opts);
}

interface Parts {
  state: AlertState;
  intake: FillIntake;
  delivery: AlertDelivery;
  settlements: SettlementPoller;
  lifecycle: LifecycleWatcher | null;
  digest: DigestScheduler | null;
}

class FillAlertsService implements FillAlerts {
  private readonly log: StreamLogger;
  private readonly now: () => number;
  private parts: Parts | null = null;
  private unsubscribe: (() => void) | null = null;
  private running = false;
  private stopped = false;

  constructor(private readonly opts: FillAlertsOptions) {
    this.log = opts.logger ?? noopLogger;
    this.now = opts.now ?? Date.now;
  }

  status(): FillAlertsStatus {
    return {
      connected: this.opts.stream.connected,
      queueDepth: this.parts?.state.pendingCount() ?? 0,
      lastFillTs: this.parts?.state.lastFillTs ?? null,
    };
  }

  notify(notice: Notice, chatIds: number[]): boolean {
    const p = this.parts;
    const chats = chatIds.filter((c) => this.opts.chatIds.includes(c));
    if (!p || this.stopped || p.state.has(notice.key)) return false;
    p.state.add(notice, chats, this.now());
    for (const c of chats) p.delivery.enqueue(c, notice.key);
    return true;
  }

  async idle(): Promise<void> {
    const p = this.parts;
    if (!p || this.stopped) return;
    while (p.intake.isBusy || !p.delivery.isIdle) {
      await p.intake.drained();
      await p.delivery.idle();
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.stopped) throw new Error("fill alerts were stopped; create a new instance");
    this.running = true;
    const p = this.build(this.now());
    this.parts = p;
    // Deliveries owed from before a restart go first.
    for (const owed of p.state.pendingEntries()) {
      p.intake.remember(owed.notice);
      for (const chatId of owed.chats) {
        p.delivery.restoreEditedGroup(chatId, owed.notice);
        p.delivery.enqueue(chatId, owed.notice.key);
      }
    }
    let sawConnected = false;
    this.unsubscribe = this.opts.stream.on((e) => {
      if (e.type === "connected") sawConnected = true;
      p.intake.onStreamEvent(e);
      p.lifecycle?.onStreamEvent(e);
    });
    p.settlements.pollSoon(0);
    p.lifecycle?.start();
    p.digest?.start();
    await this.opts.stream.start();
    if (!sawConnected) p.intake.run(() => p.intake.backfill());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.unsubscribe?.();
    const p = this.parts;
    if (p) {
      p.settlements.stop();
      p.lifecycle?.stop();
      p.digest?.stop();
      p.intake.stop();
      p.delivery.stop();
      await p.intake.drained().catch(() => undefined);
      await p.delivery.close();
    }
    if (this.opts.closeStreamOnStop !== false) await this.opts.stream.close();
  }

  /** The state (loaded, cursors set on a first run) and the parts over it. */
  private build(startedAt: number): Parts {
    const o = this.opts;
    const log = this.log;
    const lookbackMs = o.initialLookbackMs ?? 60_000;
    const retry = o.retry ?? { baseMs: 1000, maxMs: 60_000 };
    const state = new AlertState(o.dataDir, (m) => log.error(m));
    state.restrictTo(o.chatIds);
    if (state.fillCursorTs === null) state.fillCursorTs = startedAt - lookbackMs;
    if (state.settlementCursorTs === null) state.settlementCursorTs = startedAt - lookbackMs;
    state.save();

    const reads = new AlertReads(o.exchange, log, o.restTimeoutMs ?? 20_000);
    const intentLookup = o.orderIntent ?? (o.journalDir ? journalIntentLookup(o.journalDir) : null);
    const lookups = new AlertLookups({ ...o, log, intentLookup });
    const ctx = { envTag: envTagFor(o.envTag), timeZone: o.timeZone };
    const render = new AlertRenderer(ctx, lookups, o.exchange, log, o.lookupTimeoutMs);
    const delivery = new AlertDelivery(
      {
        state,
        sink: o.sink,
        settings: o.settings,
        render,
        log,
        now: this.now,
        coalesceWindowMs: o.coalesceWindowMs ?? 10_000,
        retry,
        deliveredFlushMs: o.deliveredFlushMs ?? 25,
      },
      o.chatIds,
    );
    const intake = new FillIntake({
      ...o,
      state,
      reads,
      lookups,
      log,
      now: this.now,
      deliver: (chatId, key) => delivery.enqueue(chatId, key),
      startedAt,
      lookbackMs,
      overlapMs: o.overlapMs ?? 60_000,
      retry,
    });
    const settlements = new SettlementPoller({
      state,
      reads,
      intake,
      log,
      startedAt,
      pollMs: o.settlementPollMs ?? 60_000,
      overlapMs: o.settlementOverlapMs ?? 6 * 3600_000,
    });
    const lifecycle = o.lifecycle
      ? new LifecycleWatcher({
          exchange: o.exchange,
          intake,
          log,
          now: this.now,
          dataDir: o.dataDir,
          closeNoticeMs: o.lifecycle.closeNoticeMinutes * 60_000,
          pollMs: o.lifecycle.pollMs ?? 60_000,
          onSettled: () => settlements.nudge(),
        })
      : null;
    const digest = o.digest?.time
      ? new DigestScheduler({
          collect: o.digest.collect,
          intake,
          log,
          now: this.now,
          dataDir: o.dataDir,
          timeZone: o.timeZone,
          time: o.digest.time,
        })
      : null;
    return { state, intake, delivery, settlements, lifecycle, digest };
  }
}
