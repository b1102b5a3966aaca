/**
 * Delivery: owed notices reach each chat in order, exactly once, also across crashes.
 *
 * One better-queue per chat (one delivery at a time, batches of whatever is waiting). A notice counts as
 * delivered only once the sink accepted it; failed deliveries are retried with backoff, honouring the
 * sink's retry-after, until stop(). The first fill of an order is sent at once; later fills of the same
 * order within the coalesce window edit that message instead of sending another.
 *
 * Crash marks: before each call to the sink the notices it carries are written as "sending" (one atomic
 * write, which also carries the "delivered" mark of the send before it when sends follow each other;
 * when the queue is idle, "delivered" is written at once). A notice found "sending" after a restart may
 * or may not have reached the chat, so it is sent again with a visible note; likewise a retry after a
 * send whose answer was lost.
 *
 * Telegram outage: while a chat's sends fail (network, 5xx, 429), at most `backlogLimit` (50) alerts
 * wait for it; older ones are dropped (marked done, so the state file stays bounded too) and told in one
 * summary line when Telegram answers again (backlog.ts).
 */
import Queue from "better-queue";
import type { StreamLogger } from "../exchange/port.js";
import {
  type FillForMessage,
  RESENT_AFTER_ERROR_NOTE,
  RESENT_AFTER_RESTART_NOTE,
  withNote,
} from "./format.js";
import type { AlertRenderer } from "./render.js";
import type { AlertMode } from "../domain/alertMode.js";
import type { AlertSettings } from "./settings.js";
import { DeliveryRetry, StoppedError } from "./retry.js";
import type { AlertAction, AlertSink } from "./sink.js";
import { OutageBacklog, outageSummaryText } from "./backlog.js";
import { type AlertState, fillKey, type Notice } from "./state.js";
import { errText } from "./timeouts.js";

export interface DeliveryDeps {
  state: AlertState;
  sink: AlertSink;
  settings: AlertSettings;
  render: AlertRenderer;
  log: StreamLogger;
  now: () => number;
  /** Fills of one order this close to the previous one edit its message. */
  coalesceWindowMs: number;
  /** Retry backoff when the sink gives no retry-after. */
  retry: { baseMs: number; maxMs: number };
  /** While more is queued, how long a "delivered" mark may wait in memory for the next state write. */
  deliveredFlushMs: number;
  /** Alerts that may wait for a chat while Telegram is unreachable (default OUTAGE_BACKLOG_LIMIT). */
  backlogLimit?: number;
}

interface Task {
  id: string;
  key: string;
}

/** The message of one order's fills in one chat. */
interface Group {
  orderId: string;
  messageId: number | null;
  items: FillForMessage[];
  lastAt: number;
  /** The message carries a "sent again" note (kept on every edit). */
  note: string | null;
}

type Action =
  | { kind: "group"; group: Group; keys: string[]; isNew: boolean }
  | { kind: "single"; notice: Notice; keys: string[] };

/** Where a send goes; `more`: another send of this chat follows at once. */
interface Target {
  chatId: number;
  silent: boolean;
  more: () => boolean;
}

export class AlertDelivery {
  private readonly queues = new Map<number, Queue<Task>>();
  private readonly groups = new Map<number, Map<string, Group>>();
  /** Tasks queued per chat and not yet handed to deliverBatch. */
  private readonly waiting = new Map<number, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private taskSeq = 0;
  private stopped = false;
  private readonly backlog: OutageBacklog;
  private readonly retrier: DeliveryRetry;

  constructor(
    private readonly d: DeliveryDeps,
    chatIds: number[],
  ) {
    this.retrier = new DeliveryRetry(d.retry, d.log);
    this.backlog = new OutageBacklog(d.backlogLimit);
    for (const chatId of chatIds) {
      this.groups.set(chatId, new Map());
      this.queues.set(
        chatId,
        new Queue<Task>({
          process: (tasks: Task[], cb: (err?: unknown) => void) => this.process(chatId, tasks, cb),
          batchSize: 100,
          concurrent: 1,
          maxRetries: 0,
        }),
      );
    }
  }

  enqueue(chatId: number, key: string): void {
    const q = this.queues.get(chatId);
    if (!q) return;
    this.waiting.set(chatId, (this.waiting.get(chatId) ?? 0) + 1);
    const gone = this.backlog.queue(chatId, key);
    if (gone.length > 0) {
      // Their tasks stay queued and find nothing owed; a failed write is tried again with the next one.
      this.d.state.markDelivered(gone, chatId, { defer: true });
      this.flushState();
    }
    q.push({ id: `t${++this.taskSeq}`, key });
  }

  /**
   * A fill owed from before a restart whose edit was cut off: the edit is made again on the same
   * message (which may already show the fill), never as a new message repeating it.
   */
  restoreEditedGroup(chatId: number, notice: Notice): void {
    const edit = notice.kind === "fill" ? this.d.state.interruptedEdit(notice.key, chatId) : null;
    const groups = this.groups.get(chatId);
    if (!edit || !groups || notice.kind !== "fill" || groups.has(notice.fill.orderId)) return;
    groups.set(notice.fill.orderId, {
      orderId: notice.fill.orderId,
      messageId: edit.messageId,
      items: [...edit.shown],
      lastAt: this.d.now(),
      note: null,
    });
  }

  /** Nothing queued, being delivered, waiting for a retry, or unwritten. */
  get isIdle(): boolean {
    const queued = [...this.waiting.values()].some((n) => n > 0);
    return !queued && this.inFlight.size === 0 && this.retryTimers.size === 0 && this.flushTimer === null;
  }

  /** Settles once the delivery is idle (see isIdle). */
  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (!this.isIdle) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Ends the deliveries under way (a send between retries is abandoned, and stays owed) and writes the state. */
  stop(): void {
    this.stopped = true;
    this.retrier.stop();
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    for (const q of this.queues.values()) q.pause();
  }

  /** After stop() and the intake's last step: waits for the deliveries under way, then writes the state. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await Promise.all([...this.queues.values()].map((q) => new Promise<void>((r) => q.destroy(() => r()))));
    this.queues.clear();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushState();
    this.checkIdle();
  }

  private process(chatId: number, tasks: Task[], cb: (err?: unknown) => void): void {
    this.waiting.set(chatId, Math.max(0, (this.waiting.get(chatId) ?? 0) - tasks.length));
    this.backlog.taken(
      chatId,
      tasks.map((t) => t.key),
    );
    const p = this.deliverBatch(chatId, tasks).then(
      () => cb(),
      (e) => {
        if (!(e instanceof StoppedError)) this.redeliverLater(chatId, tasks, e);
        cb();
      },
    );
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      this.checkIdle();
    });
  }

  private async deliverBatch(chatId: number, tasks: Task[]): Promise<void> {
    const state = this.d.state;
    const notices = tasks
      .map((t) => state.get(t.key))
      .filter((p): p is NonNullable<typeof p> => p !== undefined && p.chats.includes(chatId))
      .map((p) => p.notice);
    if (notices.length === 0 || this.stopped) return;
    const mode = await this.modeOf(chatId);
    if (mode === "off") {
      state.markDelivered(
        notices.map((n) => n.key),
        chatId,
      );
      return;
    }
    await this.tellDropped(chatId, mode === "silent");
    const actions = this.plan(chatId, notices);
    for (const [i, a] of actions.entries()) {
      if (this.stopped) throw new StoppedError();
      // More sends follow at once: the next one's "sending" write carries this one's "delivered" mark.
      const more = () => i < actions.length - 1 || (this.waiting.get(chatId) ?? 0) > 0;
      const to: Target = { chatId, silent: mode === "silent", more };
      if (a.kind === "single") await this.sendSingle(to, a.notice, a.keys);
      else await this.sendGroup(to, a.group, a.keys, a.isNew);
    }
  }

  /** Before the first alert after an outage: one line for the ones dropped (they were older). */
  private async tellDropped(chatId: number, silent: boolean): Promise<void> {
    const n = this.backlog.droppedFor(chatId);
    if (n === 0) return;
    const html = outageSummaryText(this.d.render.envTag, n);
    await this.sendOrGiveUp({ chatId, silent, more: () => true }, html, null, []);
    this.backlog.told(chatId);
  }

  private async modeOf(chatId: number): Promise<AlertMode> {
    try {
      return await this.d.settings.get(chatId);
    } catch (e) {
      this.d.log.error("alerts: could not read the alert setting; using on", { chatId, error: errText(e) });
      return "on";
    }
  }

  /**
   * What to send for a batch: fills join the open message of their order (an edit) or start one; other
   * notices go on their own. Messages older than the coalesce window are closed first.
   */
  private plan(chatId: number, notices: Notice[]): Action[] {
    const groups = this.groups.get(chatId)!;
    const now = this.d.now();
    for (const [id, g] of groups)
      if (now - g.lastAt > this.d.coalesceWindowMs && g.messageId !== null) groups.delete(id);
    const actions: Action[] = [];
    const newInBatch = new Set<Group>();
    for (const notice of notices) {
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
    return actions;
  }

  private async sendSingle(to: Target, notice: Notice, keys: string[]): Promise<void> {
    const interrupted = keys.some((k) => this.d.state.wasInterrupted(k, to.chatId));
    const [html, actions, photo] = await Promise.all([
      this.d.render.single(notice),
      this.d.render.actions(notice),
      this.d.render.photo(notice),
    ]);
    await this.sendOrGiveUp(to, html, interrupted ? RESENT_AFTER_RESTART_NOTE : null, keys, actions, photo);
  }

  /** Edits the order's open message when there is one (sends a new one if that fails), else sends. */
  private async sendGroup(to: Target, g: Group, keys: string[], isNew: boolean): Promise<void> {
    if (keys.some((k) => this.d.state.wasInterrupted(k, to.chatId))) g.note ??= RESENT_AFTER_RESTART_NOTE;
    const html = await this.d.render.fills(g.orderId, g.items);
    if (!isNew && g.messageId !== null && (await this.editGroup(to, g, keys, html))) return;
    const sent = await this.sendOrGiveUp(to, html, g.note, keys);
    g.messageId = sent?.messageId ?? null;
    g.note = sent?.note ?? g.note;
    g.lastAt = this.d.now();
    if (sent === null) this.groups.get(to.chatId)!.delete(g.orderId);
  }

  /** True when the message was edited; false when it could not be (a new one is sent then). */
  private async editGroup(to: Target, g: Group, keys: string[], html: string): Promise<boolean> {
    const messageId = g.messageId!;
    try {
      // An edit repeated after a crash only rewrites the same message: no note needed for it, but the
      // mark keeps the fills from being sent as a new message silently.
      const shown = g.items.filter((i) => !keys.includes(fillKey(i.fill.fillId)));
      this.d.state.markSending(keys, to.chatId, { messageId, shown });
      const text = g.note ? withNote(html, g.note) : html;
      await this.retrier.run(
        () => this.d.sink.edit(to.chatId, messageId, text),
        (de) => this.backlog.failed(to.chatId, de.retryable),
      );
      this.backlog.reached(to.chatId);
      g.lastAt = this.d.now();
      this.delivered(keys, to.chatId, to.more());
      return true;
    } catch (e) {
      if (e instanceof StoppedError) throw e;
      this.d.log.warn("alerts: could not edit the fill message; sending a new one", { error: errText(e) });
      return false;
    }
  }

  /**
   * Marks the notices "sending" (durably), then sends with retries; marks them delivered on success,
   * or after a permanent refusal (logged). A retry after an attempt whose answer was lost carries a note,
   * as does a send with `note`. Returns the message id and the note the message went out with.
   */
  private async sendOrGiveUp(
    to: Target,
    html: string,
    note: string | null,
    keys: string[],
    actions?: AlertAction[],
    photo: Buffer | null = null,
  ): Promise<{ messageId: number; note: string | null } | null> {
    const { state, sink } = this.d;
    const send = (text: string) =>
      photo && sink.sendPhoto
        ? sink.sendPhoto(to.chatId, photo, text, { silent: to.silent })
        : sink.send(to.chatId, text, { silent: to.silent, ...(actions ? { actions } : {}) });
    state.markSending(keys, to.chatId);
    let shown = note;
    let maybeDelivered = false;
    try {
      const { messageId } = await this.retrier.run(
        () => send(shown ? withNote(html, shown) : html),
        (de) => {
          this.backlog.failed(to.chatId, de.retryable);
          if (!de.maybeDelivered) return;
          maybeDelivered = true;
          shown ??= RESENT_AFTER_ERROR_NOTE;
        },
      );
      this.backlog.reached(to.chatId);
      this.delivered(keys, to.chatId, to.more());
      return { messageId, note: shown };
    } catch (e) {
      if (e instanceof StoppedError) {
        // Stopped between attempts: if no attempt can have arrived, the next run need not add a note.
        if (!maybeDelivered) state.clearSending(keys, to.chatId);
        throw e;
      }
      this.d.log.error("alerts: Telegram refused an alert; giving up on it", {
        chatId: to.chatId,
        error: errText(e),
      });
      state.markDelivered(keys, to.chatId);
      return null;
    }
  }

  /**
   * Delivered to the chat. Written now when nothing else is about to be sent; otherwise with the next
   * state write (the next send's "sending" mark), or `deliveredFlushMs` later at the latest.
   */
  private delivered(keys: string[], chatId: number, more: boolean): void {
    this.d.state.markDelivered(keys, chatId, { defer: more });
    if (this.flushTimer || !this.d.state.hasUnsavedChanges) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushState();
      this.checkIdle();
    }, this.d.deliveredFlushMs);
  }

  private flushState(): void {
    try {
      this.d.state.flush();
    } catch (e) {
      this.d.log.error("alerts: could not write the alert state; will try with the next change", {
        error: errText(e),
      });
    }
  }

  /**
   * An unexpected failure (e.g. the state file could not be written): the alerts stay owed and are
   * queued again after a pause.
   */
  private redeliverLater(chatId: number, tasks: Task[], e: unknown): void {
    this.d.log.error("alerts: delivery failed unexpectedly; will try again", { chatId, error: errText(e) });
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.stopped) return;
      for (const task of tasks)
        if (this.d.state.get(task.key)?.chats.includes(chatId)) this.enqueue(chatId, task.key);
      this.checkIdle();
    }, this.d.retry.maxMs);
    this.retryTimers.add(t);
  }
}
