/**
 * Long polling with one queue per chat: the updates of one chat run one after another (a conversation
 * needs that), different chats run side by side, so one chat waiting on a slow exchange call or a
 * Telegram retry never holds up another. Used instead of grammY's bot.start(), which handles every
 * update of every chat in one line, and instead of @grammyjs/runner, whose bounded sink stops fetching
 * for everybody once one chat has filled it.
 *
 * Delivery: getUpdates must move its offset past an update to see the ones after it, and that offset
 * is what tells Telegram an update was received. So an update fetched here and not yet handled when the
 * process is killed is not delivered again (at most once for those; a graceful stop first lets the
 * running ones finish briefly). The queues are bounded: a chat may have `maxPerChat` updates waiting;
 * more are skipped and the chat is told how many once its queue has drained (`onSkipped`), so memory
 * stays bounded and the others keep being answered.
 */
import type { Update } from "grammy/types";
import { backoffMs, sleep } from "../shared/async.js";

/** The update kinds the bot handles; getUpdates and setWebhook (connect.ts) ask for these only. */
export const ALLOWED_UPDATES: ("message" | "callback_query")[] = ["message", "callback_query"];

/** Bot API getUpdates (app: `(p, signal) => bot.api.getUpdates(p, signal)`). */
export type GetUpdates = (
  params: {
    offset?: number;
    limit: number;
    timeout: number;
    allowed_updates?: ("message" | "callback_query")[];
  },
  signal: AbortSignal,
) => Promise<Update[]>;

export interface UpdatePollerOptions {
  getUpdates: GetUpdates;
  /** Runs the middleware for one update (bot.handleUpdate). Errors are logged, never stop polling. */
  handle: (update: Update) => Promise<void>;
  /** Updates waiting per chat before more are skipped (default 1,000). */
  maxPerChat?: number;
  /** Updates waiting over all chats before more are skipped (default 5,000). */
  maxQueued?: number;
  /** Long poll length in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** Called when a chat's queue drained after updates of that chat were skipped. */
  onSkipped?: (chatId: number, skipped: number) => void;
  /** Called after a failed getUpdates (the poller waits and tries again, up to 15 s apart). */
  onPollError?: (error: unknown, failuresInARow: number) => void;
  /** Called after every getUpdates that worked. */
  onPoll?: () => void;
  /** A handler threw (bot.catch already told the user what it could). */
  onHandlerError?: (error: unknown, update: Update) => void;
  now?: () => number;
}

interface Waiting {
  update: Update;
  receivedAt: number;
}

interface ChatQueue {
  waiting: Waiting[];
  skipped: number;
  running: boolean;
}

/** The chat an update belongs to (the same key sequentialPerChat uses); undefined: no chat at all. */
export function chatKeyOf(u: Update): number | undefined {
  const anyU = u as unknown as Record<
    string,
    { chat?: { id: number }; from?: { id: number }; message?: { chat?: { id: number } } } | undefined
  >;
  for (const v of Object.values(anyU)) {
    if (!v || typeof v !== "object") continue;
    const id = v.chat?.id ?? v.message?.chat?.id ?? v.from?.id;
    if (typeof id === "number") return id;
  }
  return undefined;
}

const NO_CHAT = 0;

export class UpdatePoller {
  private readonly queues = new Map<number, ChatQueue>();
  private readonly maxPerChat: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private queued = 0;
  private offset: number | undefined;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly runningChats = new Set<Promise<void>>();
  private stopRequested = false;

  constructor(private readonly opts: UpdatePollerOptions) {
    this.maxPerChat = opts.maxPerChat ?? 1_000;
    this.maxQueued = opts.maxQueued ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  get isRunning(): boolean {
    return this.loop !== undefined && !this.stopRequested;
  }

  /** Starts the polling loop. Resolves at once; `done` settles when it ends. */
  start(): void {
    if (this.loop) return;
    this.stopRequested = false;
    this.loop = this.pollLoop();
  }

  /** Resolves when the polling loop has ended (after stop()). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Stops fetching (cuts the long poll short). Updates still waiting are not started. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.abort?.abort();
    await this.loop;
  }

  /** Resolves once no handler runs any more (after stop(): the ones already started). */
  async idle(): Promise<void> {
    while (this.runningChats.size > 0) await Promise.allSettled([...this.runningChats]);
  }

  /** How long the oldest update still waiting to start has waited, in ms (0: none waits). */
  lagMs(): number {
    let oldest: number | undefined;
    for (const q of this.queues.values()) {
      const first = q.waiting[0];
      if (first && (oldest === undefined || first.receivedAt < oldest)) oldest = first.receivedAt;
    }
    return oldest === undefined ? 0 : Math.max(0, this.now() - oldest);
  }

  /** Updates waiting to start, over all chats. */
  get depth(): number {
    return this.queued;
  }

  /** Hands one update to its chat's queue (also used by tests that skip getUpdates). */
  enqueue(update: Update): void {
    const key = chatKeyOf(update) ?? NO_CHAT;
    let q = this.queues.get(key);
    if (!q) {
      q = { waiting: [], skipped: 0, running: false };
      this.queues.set(key, q);
    }
    if (q.waiting.length >= this.maxPerChat || this.queued >= this.maxQueued) {
      q.skipped++;
      // Nothing runs for this chat (every queue is full): tell it now, or its entry would stay forever.
      if (!q.running) this.drain(key, q);
      return;
    }
    q.waiting.push({ update, receivedAt: this.now() });
    this.queued++;
    if (!q.running) this.drain(key, q);
  }

  private drain(key: number, q: ChatQueue): void {
    q.running = true;
    const run = (async () => {
      for (;;) {
        if (this.stopRequested) {
          this.queued -= q.waiting.length;
          q.waiting.length = 0;
        }
        const next = q.waiting.shift();
        if (!next) break;
        this.queued--;
        try {
          await this.opts.handle(next.update);
        } catch (e) {
          this.opts.onHandlerError?.(e, next.update);
        }
      }
      q.running = false;
      this.queues.delete(key);
      if (q.skipped > 0 && key !== NO_CHAT && !this.stopRequested) this.opts.onSkipped?.(key, q.skipped);
    })();
    this.runningChats.add(run);
    void run.finally(() => this.runningChats.delete(run));
  }

  private async pollLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopRequested) {
      this.abort = new AbortController();
      let updates: Update[];
      try {
        updates = await this.opts.getUpdates(
          {
            ...(this.offset !== undefined ? { offset: this.offset } : {}),
            limit: 100,
            timeout: this.opts.pollTimeoutSeconds ?? 30,
            allowed_updates: ALLOWED_UPDATES,
          },
          this.abort.signal,
        );
      } catch (e) {
        if (this.stopRequested) break;
        failures++;
        this.opts.onPollError?.(e, failures);
        await sleep(backoffMs(failures, { baseMs: 500, maxMs: 15_000 }), this.abort?.signal);
        continue;
      }
      failures = 0;
      this.opts.onPoll?.();
      for (const u of updates) {
        if (this.offset !== undefined && u.update_id < this.offset) continue;
        this.offset = u.update_id + 1;
        this.enqueue(u);
      }
    }
  }
}
