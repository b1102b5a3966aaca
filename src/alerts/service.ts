/**
 * Fill alerts: every fill of the account is journaled once and alerted once to each chat, in order,
 * including fills that happened while the socket was down or the bot was stopped.
 *
 * Flow: stream events and REST backfills go through one serialized intake (dedupe by fill id →
 * journal → persisted as pending) and then into one better-queue per chat (one delivery at a time,
 * batches of whatever is waiting). A fill is delivered only once the sink (Telegram) accepted it;
 * failed deliveries are retried with backoff, honouring Telegram's retry_after, until stop().
 * The first fill of an order is sent at once; later fills of the same order within
 * `coalesceWindowMs` of the previous one edit that message instead of sending another.
 *
 * Crash safety: before each call to Telegram the notices it carries are written as "sending" (one atomic
 * write, which also carries the "delivered" mark of the send before it when sends follow each other;
 * when the queue is idle, "delivered" is written at once). A notice found "sending" after a restart may or may not have reached the
 * chat, so it is sent again with a visible note; likewise a retry after a send whose answer was lost.
 */
import Queue from "better-queue";
import type { Centis } from "../domain/money.js";
import type {
  ExchangePort,
  ExchangeStream,
  Fill,
  MarketStatus,
  Order,
  Position,
  Settlement,
  StreamEvent,
} from "../exchange/port.js";
import { sortFillsOldestFirst, type StreamLogger } from "../exchange/kalshi/stream.js";
import { fillEvent, type TradeJournal } from "../trading/journal.js";
import {
  envTagFor,
  escapeHtml,
  fillDelta,
  formatCancelMessage,
  formatFillMessage,
  formatSettlementMessage,
  isExchangeCancel,
  OTHER_USER_CANCEL,
  type FillForMessage,
  type MessageContext,
  RESENT_AFTER_ERROR_NOTE,
  RESENT_AFTER_RESTART_NOTE,
  type SettlementPnl,
  settlementPnlFromFills,
  wasHeld,
  withNote,
} from "./format.js";
import { intentFits, journalIntentLookup, type OrderIntent, type OrderIntentLookup } from "./intent.js";
import type { OrderOwners } from "./outbox.js";
import type { AlertMode, AlertSettings } from "./settings.js";
import { AlertDeliveryError, type AlertSink, toDeliveryError } from "./sink.js";
import { AlertState, cancelKey, fillKey, type Notice, settlementKey } from "./state.js";

/** The trade core's journal (createTradeJournal), or anything with its record(). Fills go in as fillEvent(). */
export type FillJournal = Pick<TradeJournal, "record">;

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
}

interface Task {
  id: string;
  key: string;
}

interface Group {
  orderId: string;
  messageId: number | null;
  items: FillForMessage[];
  lastAt: number;
  /** The message carries a "sent again" note (kept on every edit). */
  note: string | null;
}

/** A fill being taken in; `postPosition` null when REST gave none and it could not be derived. */
interface FillItem {
  fill: Fill;
  postPosition: Centis | null;
  clientOrderId: string | null;
  intent?: OrderIntent | null;
}

/** Market statuses after which the current position no longer says anything about earlier fills. */
const SETTLED_STATUSES: ReadonlySet<MarketStatus> = new Set([
  "determined",
  "disputed",
  "amended",
  "finalized",
]);

interface OrderProgress {
  fillCount: Centis;
  initialCount: Centis;
}

class StoppedError extends Error {
  constructor() {
    super("alerts stopped");
  }
}

const noopLogger: StreamLogger = { info() {}, warn() {}, error() {} };
const RECENT_FILLS_LIMIT = 5000;
const ORDER_CACHE_LIMIT = 2000;

export function createFillAlerts(opts: FillAlertsOptions): FillAlerts {
  return new FillAlertsService(opts);
}

class FillAlertsService implements FillAlerts {
  private readonly log: StreamLogger;
  private readonly now: () => number;
  private readonly ctx: MessageContext;
  private readonly window: number;
  private readonly overlapMs: number;
  private readonly lookbackMs: number;
  private readonly retry: { baseMs: number; maxMs: number };
  private readonly restTimeoutMs: number;
  private state: AlertState | null = null;
  private queues = new Map<number, Queue<Task>>();
  private groups = new Map<number, Map<string, Group>>();
  private intake: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private running = false;
  private stopped = false;
  private taskSeq = 0;
  private startedAt = 0;
  private settlementTimer: NodeJS.Timeout | null = null;
  private backfillRetryTimer: NodeJS.Timeout | null = null;
  private backfillFailures = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Tasks queued per chat and not yet handed to deliverBatch. */
  private readonly waiting = new Map<number, number>();
  private readonly sleepers = new Set<() => void>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly titles = new Map<string, Promise<string>>();
  private readonly orders = new Map<string, OrderProgress>();
  private readonly orderFetches = new Map<string, Promise<OrderProgress | null>>();
  private readonly recentFills: Array<{ id: string; ticker: string; ts: number; delta: number }> = [];
  /** Fills the stream gave without a post position (polling fallback), waiting to be taken in as one batch. */
  private restFills: Fill[] = [];
  private readonly intentLookup: OrderIntentLookup | null;

  constructor(private readonly opts: FillAlertsOptions) {
    this.log = opts.logger ?? noopLogger;
    this.now = opts.now ?? Date.now;
    this.ctx = { envTag: envTagFor(opts.envTag), timeZone: opts.timeZone };
    this.window = opts.coalesceWindowMs ?? 10_000;
    this.overlapMs = opts.overlapMs ?? 60_000;
    this.lookbackMs = opts.initialLookbackMs ?? 60_000;
    this.retry = opts.retry ?? { baseMs: 1000, maxMs: 60_000 };
    this.restTimeoutMs = opts.restTimeoutMs ?? 20_000;
    this.intentLookup = opts.orderIntent ?? (opts.journalDir ? journalIntentLookup(opts.journalDir) : null);
  }

  status(): FillAlertsStatus {
    return {
      connected: this.opts.stream.connected,
      queueDepth: this.state?.pendingCount() ?? 0,
      lastFillTs: this.state?.lastFillTs ?? null,
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.stopped) throw new Error("fill alerts were stopped; create a new instance");
    this.running = true;
    this.startedAt = this.now();
    const state = new AlertState(this.opts.dataDir, (m) => this.log.error(m));
    this.state = state;
    state.restrictTo(this.opts.chatIds);
    if (state.fillCursorTs === null) state.fillCursorTs = this.startedAt - this.lookbackMs;
    if (state.settlementCursorTs === null) state.settlementCursorTs = this.startedAt - this.lookbackMs;
    state.save();

    for (const chatId of this.opts.chatIds) {
      this.groups.set(chatId, new Map());
      this.queues.set(
        chatId,
        new Queue<Task>({
          process: (tasks: Task[], cb: (err?: unknown) => void) => {
            this.waiting.set(chatId, Math.max(0, (this.waiting.get(chatId) ?? 0) - tasks.length));
            const p = this.deliverBatch(chatId, tasks).then(
              () => cb(),
              (e) => {
                if (!(e instanceof StoppedError)) this.redeliverLater(chatId, tasks, e);
                cb();
              },
            );
            this.inFlight.add(p);
            void p.finally(() => this.inFlight.delete(p));
          },
          batchSize: 100,
          concurrent: 1,
          maxRetries: 0,
        }),
      );
    }

    // Deliveries owed from before a restart go first. An edit cut off by the restart is made again on
    // the same message (which may already show the fill), never as a new message repeating it.
    for (const p of state.pendingEntries()) {
      this.rememberFill(p.notice);
      for (const chatId of p.chats) {
        this.restoreEditedGroup(chatId, p.notice);
        this.enqueue(chatId, p.notice.key);
      }
    }

    let sawConnected = false;
    this.unsubscribe = this.opts.stream.on((e) => {
      if (e.type === "connected") sawConnected = true;
      this.onStreamEvent(e);
    });
    this.pollSettlementsSoon(0);
    await this.opts.stream.start();
    if (!sawConnected) this.runIntake(() => this.backfill());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.unsubscribe?.();
    if (this.settlementTimer) clearTimeout(this.settlementTimer);
    if (this.backfillRetryTimer) clearTimeout(this.backfillRetryTimer);
    for (const wake of this.sleepers) wake();
    for (const t of this.retryTimers) clearTimeout(t);
    for (const q of this.queues.values()) q.pause();
    await this.intake.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.queues.values()].map((q) => new Promise<void>((r) => q.destroy(() => r()))));
    this.queues.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushState();
    if (this.opts.closeStreamOnStop !== false) await this.opts.stream.close();
  }

  private restoreEditedGroup(chatId: number, notice: Notice): void {
    const edit = notice.kind === "fill" ? this.state!.interruptedEdit(notice.key, chatId) : null;
    const groups = this.groups.get(chatId);
    if (!edit || !groups || notice.kind !== "fill" || groups.has(notice.fill.orderId)) return;
    groups.set(notice.fill.orderId, {
      orderId: notice.fill.orderId,
      messageId: edit.messageId,
      items: [...edit.shown],
      lastAt: this.now(),
      note: null,
    });
  }

  // ---------------------------------------------------------------- intake

  private runIntake(step: () => Promise<void>): void {
    this.intake = this.intake
      .then(() => (this.stopped ? undefined : step()))
      .catch((e) => this.log.error("alerts: intake step failed", { error: errText(e) }));
  }

  private onStreamEvent(e: StreamEvent): void {
    if (this.stopped) return;
    switch (e.type) {
      case "connected":
        this.runIntake(() => this.backfill());
        return;
      case "fill":
        if (e.postPosition !== null) {
          const item = { fill: e.fill, postPosition: e.postPosition, clientOrderId: e.clientOrderId };
          this.runIntake(async () => this.takeFill(item, "stream"));
          return;
        }
        // No post position (polled over REST): the fills of one poll come one after another, synchronously.
        // They are taken in together, by a backfill that includes them, so that each one's direction is
        // derived with every later fill known (see derivePostPositions).
        this.restFills.push(e.fill);
        if (this.restFills.length === 1) {
          this.runIntake(async () => {
            const polled = this.takeRestFills().filter((f) => !this.state!.has(fillKey(f.fillId)));
            if (polled.length > 0) await this.backfill(polled);
          });
        }
        return;
      case "order": {
        this.noteOrder(e.order);
        const order = e.order;
        const owner = this.opts.owners?.ownerOf(order) ?? null;
        const chats = owner !== null && this.opts.chatIds.includes(owner) ? [owner] : this.opts.chatIds;
        let reason: string | null = null;
        if (isExchangeCancel(order, e.reason)) reason = e.reason!;
        else if (
          // A user's cancel is a decrease to zero; who asked is known only to the bot.
          order.status === "canceled" &&
          e.reason === "Decrease" &&
          owner !== null &&
          chats.length === 1 &&
          !this.opts.owners!.askedToCancel(order.orderId, owner)
        )
          reason = OTHER_USER_CANCEL;
        if (reason !== null) {
          const notice: Notice = {
            kind: "cancel",
            key: cancelKey(order.orderId),
            order,
            reason,
            at: this.now(),
          };
          this.runIntake(async () => this.takeNotices([notice], chats));
        }
        return;
      }
      default:
        return;
    }
  }

  private takeRestFills(): Fill[] {
    const out = this.restFills;
    this.restFills = [];
    return out;
  }

  /**
   * REST fills since the last delivered fill (minus an overlap), oldest first, together with `extra`
   * (fills the stream polled, which the listing normally includes as well).
   */
  private async backfill(extra: Fill[] = []): Promise<void> {
    const state = this.state!;
    const minTs = (state.fillCursorTs ?? this.startedAt - this.lookbackMs) - this.overlapMs;
    // Positions first: a fill made between the two reads is then listed by getFills but not yet in the
    // position, and the position's last update time tells it apart (see derivePostPositions).
    const positions = await this.readPositions();
    let fills: Fill[];
    try {
      fills = await withTimeout(this.opts.exchange.getFills({ minTs }), this.restTimeoutMs, "getFills");
    } catch (e) {
      this.backfillFailures++;
      const delay = Math.min(
        this.retry.maxMs,
        this.retry.baseMs * 2 ** Math.min(this.backfillFailures - 1, 10),
      );
      this.log.warn("alerts: backfilling fills failed; will retry", { error: errText(e), retryInMs: delay });
      if (this.backfillRetryTimer) clearTimeout(this.backfillRetryTimer);
      this.backfillRetryTimer = setTimeout(() => {
        this.backfillRetryTimer = null;
        this.runIntake(() => this.backfill());
      }, delay);
      if (extra.length > 0) {
        // Polled fills are not held back: without the full listing their post positions cannot be
        // derived safely, so they are told as placed (journal) or in YES terms.
        const items: FillItem[] = byTime(extra).map((fill) => ({
          fill,
          postPosition: null,
          clientOrderId: null,
        }));
        await this.addIntents(items);
        this.takeFills(items, "backfill");
      }
      return;
    }
    this.backfillFailures = 0;
    const ordered = mergeOldestFirst(sortFillsOldestFirst(fills), byTime(extra));
    const fresh: FillItem[] = ordered
      .filter((f) => !state.has(fillKey(f.fillId)))
      .map((fill) => ({ fill, postPosition: null, clientOrderId: null }));
    if (fresh.length === 0) return;
    await this.derivePostPositions(fresh, ordered, positions);
    this.log.info("alerts: backfilled fills", { count: fresh.length });
    this.takeFills(fresh, "backfill");
  }

  /** Every open position, or null when they cannot be read. */
  private async readPositions(ticker?: string): Promise<Position[] | null> {
    try {
      return await withTimeout(
        this.opts.exchange.getPositions(ticker ? { ticker } : {}),
        this.restTimeoutMs,
        "getPositions",
      );
    } catch (e) {
      this.log.warn("alerts: could not read positions for fill messages", { ticker, error: errText(e) });
      return null;
    }
  }

  /**
   * REST fills carry no post position. It is derived for a whole batch at once, per market:
   * - The market has settled since the first of them (getSettlements lists it): the current position is
   *   0 and says nothing about the fills. The market's whole fill history (recent and historical), summed
   *   from zero, gives each fill's post position, when it adds up to the settlement's net count
   *   (yes_count − no_count); otherwise those fills are left null.
   * - Else from the current position: minus the moves of the known fills after this one that the
   *   position already reflects, plus the moves of this and earlier fills it does not reflect yet (made
   *   after the position was read: later than the position's last update). Ties in time keep the
   *   exchange's order. A position of 0 is used only when the market is not settled (its status, or, when
   *   that cannot be read, no settlement listed). Left null when the position cannot be read.
   * Fills left null are told as the user placed the order (the journal's intent) or in YES terms.
   *
   * `ordered`: the REST list the items come from, oldest first (ties in exchange order).
   * `positions`: a snapshot read before `ordered` was listed (rows without a last update time are
   * read again now).
   */
  private async derivePostPositions(
    items: FillItem[],
    ordered: Fill[],
    positions: Position[] | null,
  ): Promise<void> {
    const open = items.filter((i) => i.postPosition === null);
    const tickers = [...new Set(open.map((i) => i.fill.ticker))];
    if (tickers.length > 0) {
      const since = open.reduce((m, i) => Math.min(m, i.fill.createdTime), Infinity);
      const settlements = await this.readSettlements(since);
      for (const ticker of tickers) {
        const mine = open.filter((i) => i.fill.ticker === ticker);
        const first = mine.reduce((m, i) => Math.min(m, i.fill.createdTime), Infinity);
        const settled = settlements?.find((s) => s.ticker === ticker && s.settledTime >= first);
        if (settled) await this.deriveFromSettlement(mine, settled);
        else await this.deriveFromPosition(ticker, mine, ordered, positions, settlements !== null);
      }
    }
    await this.addIntents(items);
  }

  /** Settlements since `minTs`, or null when they cannot be read. */
  private async readSettlements(minTs: number): Promise<Settlement[] | null> {
    try {
      return await withTimeout(
        this.opts.exchange.getSettlements({ minTs }),
        this.restTimeoutMs,
        "getSettlements",
      );
    } catch (e) {
      this.log.warn("alerts: could not read settlements for fill messages", { error: errText(e) });
      return null;
    }
  }

  private async deriveFromSettlement(items: FillItem[], s: Settlement): Promise<void> {
    let history: Fill[];
    try {
      history = await withTimeout(this.marketFills(s.ticker), this.restTimeoutMs, "fills of the market");
    } catch (e) {
      this.log.warn("alerts: could not read the fills of a settled market; fills told as placed", {
        ticker: s.ticker,
        error: errText(e),
      });
      return;
    }
    const post = new Map<string, number>();
    let position = 0;
    for (const f of history) {
      if (f.ticker !== s.ticker || f.createdTime > s.settledTime) continue;
      position += fillDelta(f);
      post.set(f.fillId, position);
    }
    const sound = !(s.yesCount > 0 && s.noCount > 0) && position === s.yesCount - s.noCount;
    if (!sound) {
      this.log.warn(
        "alerts: the fills of a settled market do not add up to its settlement; fills told as placed",
        {
          ticker: s.ticker,
        },
      );
      return;
    }
    for (const i of items) {
      const p = post.get(i.fill.fillId);
      if (p !== undefined) i.postPosition = p as Centis;
    }
  }

  private async deriveFromPosition(
    ticker: string,
    items: FillItem[],
    ordered: Fill[],
    positions: Position[] | null,
    settlementsRead: boolean,
  ): Promise<void> {
    // The snapshot is usable only with its last update time; otherwise read the position now, after the
    // fills were listed, and take it as reflecting all of them.
    let row = positions?.find((r) => r.ticker === ticker && r.lastUpdatedTs !== null);
    let cutoff: number | null = row?.lastUpdatedTs ?? null;
    if (!row) {
      const rows = await this.readPositions(ticker);
      if (rows === null) return;
      row = rows.find((r) => r.ticker === ticker);
      cutoff = null;
    }
    const current = row?.position ?? 0;
    if (current === 0) {
      // Settling zeroes the position: a 0 then says nothing about the fills before it.
      const status = await this.marketStatus(ticker);
      const trusted = status !== null ? !SETTLED_STATUSES.has(status) : settlementsRead;
      if (!trusted) {
        this.log.info("alerts: market settled or settling; fills told as placed", { ticker, status });
        return;
      }
    }
    // Known fills of this market in exchange order: taken in earlier, then the REST list, then the items.
    const seq: Array<{ id: string; ts: number; delta: number }> = [];
    const ids = new Set<string>();
    const add = (id: string, ts: number, delta: number) => {
      if (ids.has(id)) return;
      ids.add(id);
      seq.push({ id, ts, delta });
    };
    const listed = new Set(ordered.map((f) => f.fillId));
    for (const r of this.recentFills) if (r.ticker === ticker && !listed.has(r.id)) add(r.id, r.ts, r.delta);
    for (const f of ordered) if (f.ticker === ticker) add(f.fillId, f.createdTime, fillDelta(f));
    for (const i of items) add(i.fill.fillId, i.fill.createdTime, fillDelta(i.fill));
    const sorted = seq.map((m, k) => ({ m, k })).sort((a, b) => a.m.ts - b.m.ts || a.k - b.k);
    const rank = new Map(sorted.map((x, r) => [x.m.id, r]));
    const reflected = (ts: number) => cutoff === null || ts <= cutoff;
    for (const i of items) {
      const mine = rank.get(i.fill.fillId)!;
      let post = current;
      for (const [r, { m }] of sorted.entries()) {
        if (r > mine && reflected(m.ts)) post -= m.delta;
        else if (r <= mine && !reflected(m.ts)) post += m.delta;
      }
      i.postPosition = post as Centis;
    }
  }

  /** The market's status, or null when it cannot be read. */
  private async marketStatus(ticker: string): Promise<MarketStatus | null> {
    try {
      return (await withTimeout(this.opts.exchange.getMarket(ticker), this.restTimeoutMs, "getMarket"))
        .status;
    } catch (e) {
      this.log.warn("alerts: could not read a market's status for fill messages", {
        ticker,
        error: errText(e),
      });
      return null;
    }
  }

  /** For fills whose post position is unknown: the user's intent for the order, from the journal. */
  private async addIntents(items: FillItem[]): Promise<void> {
    for (const i of items) {
      if (i.postPosition !== null) continue;
      const intent = await this.intentFor(i.fill.orderId, i.clientOrderId);
      if (intentFits(i.fill.bookSide, intent)) i.intent = intent;
    }
  }

  private async intentFor(orderId: string, clientOrderId: string | null): Promise<OrderIntent | null> {
    const lookup = this.intentLookup;
    if (!lookup) return null;
    const p = lookup({ orderId, clientOrderId }).catch((e: unknown) => {
      this.log.warn("alerts: could not read the journal for an order's intent", {
        orderId,
        error: errText(e),
      });
      return null;
    });
    return orFallback(p, this.opts.lookupTimeoutMs ?? 2000, null);
  }

  private takeFill(item: FillItem, source: "stream" | "backfill"): void {
    this.takeFills([item], source);
  }

  /** Journals each new fill once, then persists them as owed to every chat (one write) and queues them. */
  private takeFills(items: FillItem[], source: "stream" | "backfill"): void {
    const state = this.state!;
    const notices: Notice[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = fillKey(item.fill.fillId);
      if (state.has(key) || seen.has(key)) continue;
      seen.add(key);
      this.log.debug?.("alerts: new fill", { fillId: item.fill.fillId, orderId: item.fill.orderId, source });
      try {
        this.opts.journal?.record(fillEvent(item.fill, item.clientOrderId));
      } catch (e) {
        this.log.error("alerts: the journal refused a fill", { fillId: item.fill.fillId, error: errText(e) });
      }
      const notice: Notice = { kind: "fill", key, ...item };
      this.rememberFill(notice);
      this.prefetch(item.fill);
      notices.push(notice);
    }
    this.takeNotices(notices);
  }

  private takeNotice(notice: Notice): void {
    this.takeNotices([notice]);
  }

  private takeNotices(notices: Notice[], chats: number[] = this.opts.chatIds): void {
    const state = this.state!;
    const fresh = notices.filter((n) => !state.has(n.key));
    if (fresh.length === 0) return;
    state.addMany(fresh, chats, this.now());
    for (const n of fresh) for (const chatId of chats) this.enqueue(chatId, n.key);
  }

  private rememberFill(n: Notice): void {
    if (n.kind !== "fill") return;
    this.recentFills.push({
      id: n.fill.fillId,
      ticker: n.fill.ticker,
      ts: n.fill.createdTime,
      delta: fillDelta(n.fill),
    });
    if (this.recentFills.length > RECENT_FILLS_LIMIT) this.recentFills.shift();
  }

  private enqueue(chatId: number, key: string): void {
    const q = this.queues.get(chatId);
    if (!q) return;
    this.waiting.set(chatId, (this.waiting.get(chatId) ?? 0) + 1);
    q.push({ id: `t${++this.taskSeq}`, key });
  }

  // ---------------------------------------------------------------- settlements

  private pollSettlementsSoon(delayMs: number): void {
    const every = this.opts.settlementPollMs ?? 60_000;
    if (every <= 0 || this.stopped) return;
    this.settlementTimer = setTimeout(() => {
      this.runIntake(async () => {
        await this.pollSettlements();
        this.pollSettlementsSoon(every);
      });
    }, delayMs);
  }

  private async pollSettlements(): Promise<void> {
    const state = this.state!;
    const overlap = this.opts.settlementOverlapMs ?? 6 * 3600_000;
    try {
      const minTs = (state.settlementCursorTs ?? this.startedAt) - overlap;
      const list = await withTimeout(
        this.opts.exchange.getSettlements({ minTs }),
        this.restTimeoutMs,
        "getSettlements",
      );
      list.sort((a, b) => a.settledTime - b.settledTime);
      for (const s of list) {
        if (wasHeld(s) && !state.has(settlementKey(s))) {
          const pnl = await this.settlementPnl(s);
          this.takeNotice({ kind: "settlement", key: settlementKey(s), settlement: s, pnl });
        }
        if (state.settlementCursorTs === null || s.settledTime > state.settlementCursorTs) {
          state.settlementCursorTs = s.settledTime;
          state.save();
        }
      }
    } catch (e) {
      this.log.warn("alerts: polling settlements failed", { error: errText(e) });
    }
  }

  /**
   * The settlement's realized P&L from the market's fills (recent and historical), as /portfolio
   * computes it; null when the fills cannot be read (the message then shows Kalshi's approximation).
   */
  private async settlementPnl(s: Settlement): Promise<SettlementPnl | null> {
    try {
      const fills = await withTimeout(this.marketFills(s.ticker), this.restTimeoutMs, "fills of the market");
      return settlementPnlFromFills(s, fills);
    } catch (e) {
      this.log.warn("alerts: could not read the fills of a settled market; P&L approximated", {
        ticker: s.ticker,
        error: errText(e),
      });
      return null;
    }
  }

  private async marketFills(ticker: string): Promise<Fill[]> {
    const ex = this.opts.exchange;
    const edge = (await ex.getHistoricalCutoff()).tradesCreatedTs;
    const [recent, old] = await Promise.all([
      ex.getFills(edge > 0 ? { ticker, minTs: edge } : { ticker }),
      edge > 0 ? ex.getHistoricalFills({ ticker, maxTs: edge }) : Promise.resolve([] as Fill[]),
    ]);
    const seen = new Set<string>();
    return [...sortFillsOldestFirst(old), ...sortFillsOldestFirst(recent)].filter(
      (f) => !seen.has(f.fillId) && seen.add(f.fillId),
    );
  }

  // ---------------------------------------------------------------- delivery

  private async deliverBatch(chatId: number, tasks: Task[]): Promise<void> {
    const state = this.state!;
    const entries = tasks
      .map((t) => state.get(t.key))
      .filter((p): p is NonNullable<typeof p> => p !== undefined && p.chats.includes(chatId));
    if (entries.length === 0 || this.stopped) return;
    let mode: AlertMode;
    try {
      mode = await this.opts.settings.get(chatId);
    } catch (e) {
      this.log.error("alerts: could not read the alert setting; using on", { chatId, error: errText(e) });
      mode = "on";
    }
    if (mode === "off") {
      state.markDelivered(
        entries.map((e) => e.notice.key),
        chatId,
      );
      return;
    }
    const silent = mode === "silent";
    const groups = this.groups.get(chatId)!;
    const now = this.now();
    for (const [id, g] of groups) if (now - g.lastAt > this.window && g.messageId !== null) groups.delete(id);

    type Action =
      | { kind: "group"; group: Group; keys: string[]; isNew: boolean }
      | { kind: "single"; notice: Notice; keys: string[] };
    const actions: Action[] = [];
    const newInBatch = new Set<Group>();
    for (const { notice } of entries) {
      if (notice.kind !== "fill") {
        actions.push({ kind: "single", notice, keys: [notice.key] });
        continue;
      }
      const item = { fill: notice.fill, postPosition: notice.postPosition, intent: notice.intent ?? null };
      let g = groups.get(notice.fill.orderId);
      if (g && (newInBatch.has(g) || g.messageId !== null)) {
        // A fill the message already shows (queued again after a failure) is not added twice.
        if (!g.items.some((i) => i.fill.fillId === notice.fill.fillId)) g.items.push(item);
        const existing = actions.find((a) => a.kind === "group" && a.group === g);
        if (existing) existing.keys.push(notice.key);
        else actions.push({ kind: "group", group: g, keys: [notice.key], isNew: false });
      } else {
        g = { orderId: notice.fill.orderId, messageId: null, items: [item], lastAt: now, note: null };
        groups.set(g.orderId, g);
        newInBatch.add(g);
        actions.push({ kind: "group", group: g, keys: [notice.key], isNew: true });
      }
    }

    for (const [i, a] of actions.entries()) {
      if (this.stopped) throw new StoppedError();
      // More sends follow at once: the next one's "sending" write carries this one's "delivered" mark.
      const more = () => i < actions.length - 1 || (this.waiting.get(chatId) ?? 0) > 0;
      const interrupted = a.keys.some((k) => state.wasInterrupted(k, chatId));
      if (a.kind === "single") {
        const html = await this.renderSingle(a.notice).catch((e: unknown) => {
          this.log.error("alerts: could not format an alert", { key: a.notice.key, error: errText(e) });
          return `${escapeHtml(this.ctx.envTag)}\n${a.notice.kind === "settlement" ? "A market you held has settled" : "An order was canceled by the exchange"} (details could not be shown).`;
        });
        const note = interrupted ? RESENT_AFTER_RESTART_NOTE : null;
        await this.sendOrGiveUp(chatId, html, note, silent, a.keys, more);
        continue;
      }
      const g = a.group;
      if (interrupted) g.note ??= RESENT_AFTER_RESTART_NOTE;
      const html = await this.renderGroup(g);
      if (!a.isNew && g.messageId !== null) {
        const messageId = g.messageId;
        try {
          // An edit repeated after a crash only rewrites the same message: no note needed for it, but the
          // mark keeps the fills from being sent as a new message silently.
          const shown = g.items.filter((i) => !a.keys.includes(fillKey(i.fill.fillId)));
          state.markSending(a.keys, chatId, { messageId, shown });
          const text = g.note ? withNote(html, g.note) : html;
          await this.withRetry(() => this.opts.sink.edit(chatId, messageId, text));
          g.lastAt = this.now();
          this.delivered(a.keys, chatId, more());
          continue;
        } catch (e) {
          if (e instanceof StoppedError) throw e;
          this.log.warn("alerts: could not edit the fill message; sending a new one", { error: errText(e) });
        }
      }
      const sent = await this.sendOrGiveUp(chatId, html, g.note, silent, a.keys, more);
      g.messageId = sent?.messageId ?? null;
      g.note = sent?.note ?? g.note;
      g.lastAt = this.now();
      if (sent === null) groups.delete(g.orderId);
    }
  }

  /**
   * Delivered to the chat. Written now when nothing else is about to be sent; otherwise with the next
   * state write (the next send's "sending" mark), or `deliveredFlushMs` later at the latest.
   */
  private delivered(keys: string[], chatId: number, more: boolean): void {
    this.state!.markDelivered(keys, chatId, { defer: more });
    if (this.flushTimer || !this.state!.hasUnsavedChanges) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushState();
    }, this.opts.deliveredFlushMs ?? 25);
  }

  private flushState(): void {
    try {
      this.state?.flush();
    } catch (e) {
      this.log.error("alerts: could not write the alert state; will try with the next change", {
        error: errText(e),
      });
    }
  }

  /**
   * An unexpected failure (e.g. the state file could not be written): the alerts stay owed and are
   * queued again after a pause.
   */
  private redeliverLater(chatId: number, tasks: Task[], e: unknown): void {
    this.log.error("alerts: delivery failed unexpectedly; will try again", { chatId, error: errText(e) });
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.stopped) return;
      for (const task of tasks)
        if (this.state!.get(task.key)?.chats.includes(chatId)) this.enqueue(chatId, task.key);
    }, this.retry.maxMs);
    this.retryTimers.add(t);
  }

  /**
   * Marks the notices "sending" (durably), then sends with retries; marks them delivered on success,
   * or after a permanent refusal (logged). A retry after an attempt whose answer was lost carries a note,
   * as does a send with `note`. Returns the message id and the note the message went out with.
   */
  private async sendOrGiveUp(
    chatId: number,
    html: string,
    note: string | null,
    silent: boolean,
    keys: string[],
    more: () => boolean,
  ): Promise<{ messageId: number; note: string | null } | null> {
    const state = this.state!;
    state.markSending(keys, chatId);
    let shown = note;
    let maybeDelivered = false;
    try {
      const { messageId } = await this.withRetry(
        () => this.opts.sink.send(chatId, shown ? withNote(html, shown) : html, { silent }),
        (de) => {
          if (!de.maybeDelivered) return;
          maybeDelivered = true;
          shown ??= RESENT_AFTER_ERROR_NOTE;
        },
      );
      this.delivered(keys, chatId, more());
      return { messageId, note: shown };
    } catch (e) {
      if (e instanceof StoppedError) {
        // Stopped between attempts: if no attempt can have arrived, the next run need not add a note.
        if (!maybeDelivered) state.clearSending(keys, chatId);
        throw e;
      }
      this.log.error("alerts: Telegram refused an alert; giving up on it", { chatId, error: errText(e) });
      state.markDelivered(keys, chatId);
      return null;
    }
  }

  private async withRetry<T>(fn: () => Promise<T>, onError?: (e: AlertDeliveryError) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new StoppedError();
      try {
        return await fn();
      } catch (e) {
        const de = toDeliveryError(e);
        onError?.(de);
        if (!de.retryable) throw de;
        if (this.stopped) throw new StoppedError();
        const exp = Math.min(this.retry.maxMs, this.retry.baseMs * 2 ** Math.min(attempt, 20));
        const delay = de.retryAfterMs ?? Math.round(exp / 2 + (Math.random() * exp) / 2);
        this.log.warn("alerts: delivery failed; retrying", {
          error: de.message,
          retryInMs: delay,
          attempt: attempt + 1,
        });
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  // ---------------------------------------------------------------- rendering

  /** The market title, or the ticker when the lookup fails or is slow (an alert never waits long for it). */
  private title(ticker: string): Promise<string> {
    return orFallback(this.titleLookup(ticker), this.opts.lookupTimeoutMs ?? 2000, ticker);
  }

  private titleLookup(ticker: string): Promise<string> {
    let p = this.titles.get(ticker);
    if (!p) {
      const lookup =
        this.opts.marketTitle ?? (async (t: string) => marketLabel(await this.opts.exchange.getMarket(t)));
      p = lookup(ticker).then(
        (t) => t || ticker,
        (e) => {
          this.titles.delete(ticker);
          this.log.warn("alerts: market title lookup failed", { ticker, error: errText(e) });
          return ticker;
        },
      );
      this.titles.set(ticker, p);
    }
    return p;
  }

  private noteOrder(o: Order): void {
    const prev = this.orders.get(o.orderId);
    if (!prev || o.fillCount >= prev.fillCount) {
      this.orders.set(o.orderId, { fillCount: o.fillCount, initialCount: o.initialCount });
    }
    if (this.orders.size > ORDER_CACHE_LIMIT) {
      const first = this.orders.keys().next().value;
      if (first !== undefined) this.orders.delete(first);
    }
  }

  private prefetch(fill: Fill): void {
    void this.title(fill.ticker);
    if (!this.orders.has(fill.orderId) && !this.orderFetches.has(fill.orderId)) {
      const p = this.opts.exchange.getOrder(fill.orderId).then(
        (o) => {
          this.noteOrder(o);
          return this.orders.get(o.orderId) ?? null;
        },
        () => null,
      );
      this.orderFetches.set(fill.orderId, p);
      if (this.orderFetches.size > ORDER_CACHE_LIMIT) {
        const first = this.orderFetches.keys().next().value;
        if (first !== undefined) this.orderFetches.delete(first);
      }
    }
  }

  private async orderProgress(orderId: string): Promise<OrderProgress | null> {
    const known = this.orders.get(orderId);
    if (known) return known;
    const p = this.orderFetches.get(orderId);
    if (!p) return null;
    const r = await orFallback(p, this.opts.orderInfoTimeoutMs ?? 1000, null);
    return this.orders.get(orderId) ?? r;
  }

  private async renderGroup(g: Group): Promise<string> {
    const first = g.items[0]!.fill;
    const [title, order] = await Promise.all([this.title(first.ticker), this.orderProgress(g.orderId)]);
    const shown = g.items.reduce((n, i) => n + i.fill.count, 0);
    if (order && order.initialCount > 0 && shown > order.initialCount) {
      // Cannot happen with fills de-duplicated by id; say so loudly if it ever does.
      this.log.error("alerts: the fills shown for an order add up to more than its size", {
        orderId: g.orderId,
        shown,
        size: order.initialCount,
      });
    }
    try {
      return formatFillMessage(this.ctx, title, g.items, order);
    } catch (e) {
      // Never let one odd fill block the queue: say what we can.
      this.log.error("alerts: could not format a fill message", { orderId: g.orderId, error: errText(e) });
      return `${escapeHtml(this.ctx.envTag)}\n<b>Filled</b>: order ${escapeHtml(g.orderId)} · ${escapeHtml(title)} · ${g.items.length} fill(s) (details could not be shown)`;
    }
  }

  private async renderSingle(n: Notice): Promise<string> {
    if (n.kind === "settlement") {
      return formatSettlementMessage(this.ctx, await this.title(n.settlement.ticker), n.settlement, n.pnl);
    }
    if (n.kind === "cancel") {
      let position: Centis | null = null;
      try {
        const rows = await withTimeout(
          this.opts.exchange.getPositions({ ticker: n.order.ticker }),
          this.opts.lookupTimeoutMs ?? 2000,
          "getPositions",
        );
        position = rows.find((r) => r.ticker === n.order.ticker)?.position ?? (0 as Centis);
      } catch {
        position = null;
      }
      const intent = await this.intentFor(n.order.orderId, n.order.clientOrderId);
      return formatCancelMessage(
        this.ctx,
        await this.title(n.order.ticker),
        n.order,
        n.reason,
        position,
        n.at,
        intent,
      );
    }
    return formatFillMessage(
      this.ctx,
      await this.title(n.fill.ticker),
      [n],
      await this.orderProgress(n.fill.orderId),
    );
  }
}

/**
 * "title — YES subtitle", as the bot shows markets: the brackets of one event share a title
 * ("Highest temperature in NYC on Nov 25?") and only the subtitle ("40° or below") tells them apart.
 */
export function marketLabel(m: { title: string; yesSubTitle: string }): string {
  const sub = m.yesSubTitle.trim();
  return sub && !m.title.includes(sub) ? `${m.title} — ${sub}` : m.title;
}

/** Oldest first, keeping the given order within a millisecond (the stream emits polled fills oldest first). */
function byTime(fills: Fill[]): Fill[] {
  return [...fills].sort((a, b) => a.createdTime - b.createdTime);
}

/** `extra` (oldest first) merged into `listed` (oldest first): after the listed fills of the same time. */
function mergeOldestFirst(listed: Fill[], extra: Fill[]): Fill[] {
  const ids = new Set(listed.map((f) => f.fillId));
  const out = [...listed];
  for (const f of extra) {
    if (ids.has(f.fillId)) continue;
    ids.add(f.fillId);
    let at = out.length;
    while (at > 0 && out[at - 1]!.createdTime > f.createdTime) at--;
    out.splice(at, 0, f);
  }
  return out;
}

/** Resolves to `fallback` when `p` takes longer than `ms` (p keeps running). */
async function orFallback<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((res) => (t = setTimeout(() => res(fallback), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/** Rejects when `p` takes longer than `ms`. */
async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>(
        (_, rej) => (t = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(t);
  }
}

function errText(e: unknown): string {
  if (e instanceof AlertDeliveryError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
