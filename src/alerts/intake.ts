/**
 * Intake: every fill, exchange cancel and settlement is taken in exactly once, in order, whether it came
 * over the stream, from a REST backfill after (re)connecting, or from a poll. One serialized chain
 * (`run`) orders all of it: dedupe by key → journal (fills) → persisted as owed to its chats (one atomic
 * write per batch) → handed to delivery. The alert state's `known` keys make it exactly-once across
 * restarts; a backfill from the last delivered fill (minus an overlap) finds what the socket missed.
 */
import {
  type Fill,
  type Order,
  sortFillsOldestFirst,
  type StreamEvent,
  type StreamLogger,
} from "../exchange/port.js";
import { backoffMs } from "../shared/async.js";
import { fillEvent, type TradeJournal } from "../trading/journal.js";
import { isExchangeCancel, OTHER_USER_CANCEL } from "./format.js";
import { derivePostPositions, addIntents, type FillItem } from "./derive.js";
import type { AlertLookups } from "./lookups.js";
import type { OrderOwners } from "./outbox.js";
import { byTime, type KnownFill, knownFill, mergeOldestFirst } from "./postPosition.js";
import type { AlertReads } from "./reads.js";
import { type AlertState, cancelKey, fillKey, type Notice } from "./state.js";
import { errText } from "./timeouts.js";

/** The trade core's journal (createTradeJournal), or anything with its record(). Fills go in as fillEvent(). */
export type FillJournal = Pick<TradeJournal, "record">;

export interface IntakeDeps {
  state: AlertState;
  reads: AlertReads;
  lookups: AlertLookups;
  log: StreamLogger;
  now: () => number;
  chatIds: number[];
  owners?: OrderOwners;
  journal?: FillJournal;
  /** Hands an owed notice to a chat's delivery queue. */
  deliver: (chatId: number, key: string) => void;
  /** With no saved cursor, the backfill starts this long before `startedAt`. */
  startedAt: number;
  lookbackMs: number;
  /** Backfill reaches this far before the last delivered fill. */
  overlapMs: number;
  /** Backfill retry backoff. */
  retry: { baseMs: number; maxMs: number };
}

const RECENT_FILLS_LIMIT = 5000;

export class FillIntake {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private pendingSteps = 0;
  private backfillRetryTimer: NodeJS.Timeout | null = null;
  private backfillFailures = 0;
  /** Fills the stream gave without a post position (polling fallback), waiting to be taken in as one batch. */
  private restFills: Fill[] = [];
  private readonly recent: KnownFill[] = [];

  constructor(private readonly d: IntakeDeps) {}

  /** Runs `step` after every step before it; a failing step is logged and the chain goes on. */
  run(step: () => Promise<void>): void {
    this.pendingSteps++;
    this.chain = this.chain
      .then(() => (this.stopped ? undefined : step()))
      .catch((e) => this.d.log.error("alerts: intake step failed", { error: errText(e) }))
      .finally(() => this.pendingSteps--);
  }

  /** Settles once every step queued so far has run. */
  drained(): Promise<void> {
    return this.chain;
  }

  /** No further steps run (the one under way finishes: await drained()). */
  stop(): void {
    this.stopped = true;
    if (this.backfillRetryTimer) clearTimeout(this.backfillRetryTimer);
    this.backfillRetryTimer = null;
  }

  /** Steps queued or running, or a backfill retry waiting. */
  get isBusy(): boolean {
    return this.pendingSteps > 0 || this.backfillRetryTimer !== null;
  }

  onStreamEvent(e: StreamEvent): void {
    if (this.stopped) return;
    if (e.type === "connected") this.run(() => this.backfill());
    else if (e.type === "fill") this.onFill(e);
    else if (e.type === "order") this.onOrder(e.order, e.reason);
  }

  private onFill(e: Extract<StreamEvent, { type: "fill" }>): void {
    if (e.postPosition !== null) {
      const item = { fill: e.fill, postPosition: e.postPosition, clientOrderId: e.clientOrderId };
      this.run(async () => this.takeFills([item], "stream"));
      return;
    }
    // No post position (polled over REST): the fills of one poll come one after another, synchronously.
    // They are taken in together, by a backfill that includes them, so that each one's direction is
    // derived with every later fill known (see derive.ts).
    this.restFills.push(e.fill);
    if (this.restFills.length > 1) return;
    this.run(async () => {
      const polled = this.restFills.filter((f) => !this.d.state.has(fillKey(f.fillId)));
      this.restFills = [];
      if (polled.length > 0) await this.backfill(polled);
    });
  }

  private onOrder(order: Order, reason: string | null): void {
    this.d.lookups.noteOrder(order);
    const owner = this.d.owners?.ownerOf(order) ?? null;
    const chats = owner !== null && this.d.chatIds.includes(owner) ? [owner] : this.d.chatIds;
    const told = cancelToTell(order, reason, owner, chats, this.d.owners);
    if (told === null) return;
    const notice: Notice = {
      kind: "cancel",
      key: cancelKey(order.orderId),
      order,
      reason: told,
      at: this.d.now(),
    };
    this.run(async () => this.takeNotices([notice], chats));
  }

  /**
   * REST fills since the last delivered fill (minus an overlap), oldest first, together with `extra`
   * (fills the stream polled, which the listing normally includes as well).
   */
  async backfill(extra: Fill[] = []): Promise<void> {
    const { state, reads } = this.d;
    const minTs = (state.fillCursorTs ?? this.d.startedAt - this.d.lookbackMs) - this.d.overlapMs;
    // Positions first: a fill made between the two reads is then listed by getFills but not yet in the
    // position, and the position's last update time tells it apart (see postPosition.ts).
    const positions = await reads.positions();
    let fills: Fill[];
    try {
      fills = await reads.fillsSince(minTs);
    } catch (e) {
      await this.backfillFailed(e, extra);
      return;
    }
    this.backfillFailures = 0;
    const ordered = mergeOldestFirst(sortFillsOldestFirst(fills), byTime(extra));
    const fresh: FillItem[] = ordered
      .filter((f) => !state.has(fillKey(f.fillId)))
      .map((fill) => ({ fill, postPosition: null, clientOrderId: null }));
    if (fresh.length === 0) return;
    const deps = { reads, lookups: this.d.lookups, log: this.d.log, earlier: () => this.recent };
    await derivePostPositions(deps, fresh, ordered, positions);
    this.d.log.info("alerts: backfilled fills", { count: fresh.length });
    this.takeFills(fresh, "backfill");
  }

  private async backfillFailed(e: unknown, extra: Fill[]): Promise<void> {
    this.backfillFailures++;
    const delay = backoffMs(this.backfillFailures, this.d.retry);
    this.d.log.warn("alerts: backfilling fills failed; will retry", { error: errText(e), retryInMs: delay });
    if (this.backfillRetryTimer) clearTimeout(this.backfillRetryTimer);
    this.backfillRetryTimer = setTimeout(() => {
      this.backfillRetryTimer = null;
      this.run(() => this.backfill());
    }, delay);
    if (extra.length === 0) return;
    // Polled fills are not held back: without the full listing their post positions cannot be
    // derived safely, so they are told as placed (journal) or in YES terms.
    const items: FillItem[] = byTime(extra).map((fill) => ({
      fill,
      postPosition: null,
      clientOrderId: null,
    }));
    await addIntents(this.d.lookups, items);
    this.takeFills(items, "backfill");
  }

  /** Journals each new fill once, then persists them as owed to every chat (one write) and queues them. */
  private takeFills(items: FillItem[], source: "stream" | "backfill"): void {
    const notices: Notice[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = fillKey(item.fill.fillId);
      if (this.d.state.has(key) || seen.has(key)) continue;
      seen.add(key);
      this.d.log.debug?.("alerts: new fill", {
        fillId: item.fill.fillId,
        orderId: item.fill.orderId,
        source,
      });
      try {
        this.d.journal?.record(fillEvent(item.fill, item.clientOrderId));
      } catch (e) {
        this.d.log.error("alerts: the journal refused a fill", {
          fillId: item.fill.fillId,
          error: errText(e),
        });
      }
      const notice: Notice = { kind: "fill", key, ...item };
      this.remember(notice);
      this.d.lookups.prefetch(item.fill);
      notices.push(notice);
    }
    this.takeNotices(notices);
  }

  /** Persists the new notices as owed to `chats` (one write) and hands them to delivery. */
  takeNotices(notices: Notice[], chats: number[] = this.d.chatIds): void {
    const state = this.d.state;
    const fresh = notices.filter((n) => !state.has(n.key));
    if (fresh.length === 0) return;
    state.addMany(fresh, chats, this.d.now());
    for (const n of fresh) for (const chatId of chats) this.d.deliver(chatId, n.key);
  }

  /** A fill taken in (now or before a restart): later derivations count it. */
  remember(n: Notice): void {
    if (n.kind !== "fill") return;
    this.recent.push(knownFill(n.fill));
    if (this.recent.length > RECENT_FILLS_LIMIT) this.recent.shift();
  }
}

/**
 * The reason to tell for an order update, or null when it is not worth an alert: an exchange cancel
 * always; a user's cancel (a decrease to zero) only when another chat of a shared account asked for it,
 * since who asked is known only to the bot.
 */
export function cancelToTell(
  order: Order,
  reason: string | null,
  owner: number | null,
  chats: number[],
  owners: OrderOwners | undefined,
): string | null {
  if (isExchangeCancel(order, reason)) return reason!;
  const otherUser =
    order.status === "canceled" &&
    reason === "Decrease" &&
    owner !== null &&
    chats.length === 1 &&
    !owners!.askedToCancel(order.orderId, owner);
  return otherUser ? OTHER_USER_CANCEL : null;
}
