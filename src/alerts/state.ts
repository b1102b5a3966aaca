/**
 * What the alert service remembers across restarts (DATA_DIR/alerts-state.json, atomic writes):
 * - `known`: keys of every notice already taken in (fill ids, exchange cancels, settlements), bounded
 *   (the newest 5000 fills and 1000 others). A known fill was journaled exactly once.
 * - `pending`: notices taken in but not yet accepted by Telegram, with the chats still owed; they are
 *   sent again after a restart. `sending` lists the chats whose send (or edit) had begun and whose outcome
 *   was not recorded yet: it is written BEFORE the call to Telegram. After a crash, such a notice may or
 *   may not have reached the chat (Telegram cannot dedupe), so it is sent again with a visible note.
 *   An edit of a fill message also records, per chat, the message and the fills it already showed
 *   (`edits`): after a crash the same message is edited again instead of a new message repeating the
 *   fill, so the fills shown for one order never add up to more than it filled.
 * - cursors: the time of the last fully delivered fill (backfill starts there minus an overlap) and of
 *   the last settlement seen.
 */
import { join } from "node:path";
import type { Centis } from "../domain/money.js";
import type { Fill, Order, Settlement } from "../exchange/port.js";
import type { FillForMessage, SettlementPnl } from "./format.js";
import type { OrderIntent } from "./intent.js";
import { writeJsonAtomic } from "./files.js";
import type { PriceNotice } from "./price/notice.js";
import { checkedBy, loadStateFile } from "../shared/stateFile.js";
import { alertStateSchema } from "./stateSchemas.js";
import type { DigestNotice, LifecycleFact, ChartNotice } from "./noticeTypes.js";

export type Notice =
  | {
      kind: "fill";
      key: string;
      fill: Fill;
      postPosition: Centis | null;
      clientOrderId: string | null;
      /** The user's intent for the order (journal), when the position could not be told; absent otherwise. */
      intent?: OrderIntent | null;
    }
  | { kind: "cancel"; key: string; order: Order; reason: string; at: number }
  | {
      kind: "settlement";
      key: string;
      settlement: Settlement;
      /** P&L from the market's fills; null/absent when they could not be read (approximation shown). */
      pnl?: SettlementPnl | null;
    }
  | PriceNotice
  | { kind: "lifecycle"; key: string; fact: LifecycleFact }
  | ({ kind: "digest"; key: string } & DigestNotice)
  | ({ kind: "chart"; key: string } & ChartNotice);

/** A fill message being edited: its id and the fills it showed before this edit. */
export interface EditInFlight {
  messageId: number;
  shown: FillForMessage[];
}

export interface PendingEntry {
  notice: Notice;
  chats: number[];
  /** Chats whose delivery had begun (written before the Telegram call); absent when none. */
  sending?: number[];
  /** By chat id: the delivery under way is an edit of this message (absent for sends). */
  edits?: Record<string, EditInFlight>;
}

interface StateFileV1 {
  version: 1;
  fillCursorTs: number | null;
  lastFillTs: number | null;
  settlementCursorTs: number | null;
  known: Array<[string, number]>;
  pending: PendingEntry[];
}

export const ALERTS_STATE_FILE = "alerts-state.json";
export const FILL_KEYS_LIMIT = 5000;
const OTHER_KEYS_LIMIT = 1000;

export const fillKey = (fillId: string) => `f:${fillId}`;
export const cancelKey = (orderId: string) => `c:${orderId}`;
export const settlementKey = (s: Settlement) => `s:${s.ticker}@${s.settledTime}`;

export class AlertState {
  private readonly path: string;
  private known = new Map<string, number>();
  private pending = new Map<string, PendingEntry>();
  /** `key|chat` of deliveries that had begun before the last run ended, with no recorded outcome. */
  private readonly interrupted = new Set<string>();
  /** Changes kept in memory only, written with the next save (see markDelivered's `defer`). */
  private dirty = false;
  fillCursorTs: number | null = null;
  lastFillTs: number | null = null;
  settlementCursorTs: number | null = null;
  /** Number of state file writes (for measurements). */
  writes = 0;

  constructor(
    dataDir: string,
    private readonly onCorrupt: (msg: string) => void = () => undefined,
  ) {
    this.path = join(dataDir, ALERTS_STATE_FILE);
    this.load();
  }

  private load(): void {
    // Damaged or of another shape: moved aside (never overwritten) and the owner told once in chat.
    const loaded = loadStateFile(this.path, {
      what: "alert state",
      parse: checkedBy<StateFileV1>(alertStateSchema),
      consequence:
        "Alerts that had not reached you yet may be lost; /orders and /portfolio show where you stand.",
    });
    if (loaded.kind === "reset") {
      this.onCorrupt(`alert state unreadable (${loaded.problem}); moved to ${loaded.movedTo.join(", ")}`);
    }
    if (loaded.kind !== "ok") return;
    const s = loaded.value;
    this.fillCursorTs = typeof s.fillCursorTs === "number" ? s.fillCursorTs : null;
    this.lastFillTs = typeof s.lastFillTs === "number" ? s.lastFillTs : null;
    this.settlementCursorTs = typeof s.settlementCursorTs === "number" ? s.settlementCursorTs : null;
    for (const [k, ts] of s.known) this.known.set(k, ts);
    for (const p of s.pending) {
      const sending = (p.sending ?? []).filter((c) => p.chats.includes(c));
      for (const c of sending) this.interrupted.add(`${p.notice.key}|${c}`);
      const edits = sending.length && p.edits ? p.edits : undefined;
      this.pending.set(p.notice.key, {
        notice: p.notice,
        chats: p.chats,
        ...(sending.length ? { sending } : {}),
        ...(edits ? { edits } : {}),
      });
    }
  }

  save(): void {
    const file: StateFileV1 = {
      version: 1,
      fillCursorTs: this.fillCursorTs,
      lastFillTs: this.lastFillTs,
      settlementCursorTs: this.settlementCursorTs,
      known: [...this.known],
      pending: [...this.pending.values()],
    };
    writeJsonAtomic(this.path, file);
    this.dirty = false;
    this.writes++;
  }

  /** Writes changes that were deferred, if any. */
  flush(): void {
    if (this.dirty) this.save();
  }

  get hasUnsavedChanges(): boolean {
    return this.dirty;
  }

  /**
   * True when a delivery of this notice to this chat had begun in an earlier run that ended (crash,
   * kill -9) before its outcome was written: the chat may already have it.
   */
  wasInterrupted(key: string, chatId: number): boolean {
    return this.interrupted.has(`${key}|${chatId}`);
  }

  /**
   * The message an interrupted delivery was editing, with the fills it showed before, when the
   * delivery of `key` to `chatId` was an edit cut off by the end of the last run.
   */
  interruptedEdit(key: string, chatId: number): EditInFlight | null {
    if (!this.wasInterrupted(key, chatId)) return null;
    return this.pending.get(key)?.edits?.[String(chatId)] ?? null;
  }

  /**
   * Records, durably, that delivery of these notices to a chat begins now (one write, which also
   * carries any deferred changes). Call right before the Telegram call. `edit`: the call edits this
   * message, which already showed these fills.
   */
  markSending(keys: string[], chatId: number, edit?: EditInFlight): void {
    for (const key of keys) {
      const p = this.pending.get(key);
      if (!p || !p.chats.includes(chatId)) continue;
      if (!p.sending) p.sending = [];
      if (!p.sending.includes(chatId)) p.sending.push(chatId);
      if (edit) p.edits = { ...p.edits, [String(chatId)]: edit };
      else if (p.edits) dropEdit(p, chatId);
    }
    this.save();
  }

  /** Forgets a begun delivery that certainly did not reach the chat (written with the next save). */
  clearSending(keys: string[], chatId: number): void {
    for (const key of keys) {
      const p = this.pending.get(key);
      if (!p?.sending?.includes(chatId)) continue;
      p.sending = p.sending.filter((c) => c !== chatId);
      if (p.sending.length === 0) delete p.sending;
      dropEdit(p, chatId);
      this.dirty = true;
    }
  }

  has(key: string): boolean {
    return this.known.has(key) || this.pending.has(key);
  }

  /** Takes in a new notice owed to `chats` and persists. */
  add(notice: Notice, chats: number[], atMs: number): void {
    this.addMany([notice], chats, atMs);
  }

  /** Takes in several notices with one write. */
  addMany(notices: Notice[], chats: number[], atMs: number): void {
    for (const notice of notices) {
      this.known.delete(notice.key);
      this.known.set(notice.key, atMs);
      if (chats.length > 0) this.pending.set(notice.key, { notice, chats: [...chats] });
      else this.onFullyDelivered(notice);
    }
    this.prune();
    this.save();
  }

  get(key: string): PendingEntry | undefined {
    return this.pending.get(key);
  }

  /**
   * Marks notices delivered to a chat (one write for all). With `defer`, the write is left to the next
   * save or flush(): until then a crash makes them count as interrupted (sent again with a note), never
   * as silently owed.
   */
  markDelivered(keys: string[], chatId: number, opts: { defer?: boolean } = {}): void {
    let changed = false;
    for (const key of keys) {
      const p = this.pending.get(key);
      if (!p || !p.chats.includes(chatId)) continue;
      p.chats = p.chats.filter((c) => c !== chatId);
      if (p.sending) {
        p.sending = p.sending.filter((c) => c !== chatId);
        if (p.sending.length === 0) delete p.sending;
      }
      dropEdit(p, chatId);
      changed = true;
      if (p.chats.length === 0) {
        this.pending.delete(key);
        this.onFullyDelivered(p.notice);
      }
    }
    if (!changed) return;
    if (opts.defer) this.dirty = true;
    else this.save();
  }

  private onFullyDelivered(n: Notice): void {
    if (n.kind !== "fill") return;
    const t = n.fill.createdTime;
    if (this.fillCursorTs === null || t > this.fillCursorTs) this.fillCursorTs = t;
    if (this.lastFillTs === null || t > this.lastFillTs) this.lastFillTs = t;
  }

  /** Drops chats that are no longer configured from pending entries. */
  restrictTo(chatIds: number[]): void {
    let changed = false;
    for (const [key, p] of this.pending) {
      const kept = p.chats.filter((c) => chatIds.includes(c));
      if (kept.length !== p.chats.length) {
        changed = true;
        p.chats = kept;
        if (p.sending) p.sending = p.sending.filter((c) => kept.includes(c));
        if (kept.length === 0) {
          this.pending.delete(key);
          this.onFullyDelivered(p.notice);
        }
      }
    }
    if (changed) this.save();
  }

  /** Pending entries in the order they were taken in. */
  pendingEntries(): PendingEntry[] {
    return [...this.pending.values()];
  }

  pendingCount(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.chats.length;
    return n;
  }

  private prune(): void {
    let fills = 0;
    let others = 0;
    for (const k of this.known.keys()) {
      if (k.startsWith("f:")) fills++;
      else others++;
    }
    if (fills <= FILL_KEYS_LIMIT && others <= OTHER_KEYS_LIMIT) return;
    for (const k of [...this.known.keys()]) {
      if (this.pending.has(k)) continue;
      if (k.startsWith("f:") && fills > FILL_KEYS_LIMIT) {
        this.known.delete(k);
        fills--;
      } else if (!k.startsWith("f:") && others > OTHER_KEYS_LIMIT) {
        this.known.delete(k);
        others--;
      }
      if (fills <= FILL_KEYS_LIMIT && others <= OTHER_KEYS_LIMIT) break;
    }
  }
}

function dropEdit(p: PendingEntry, chatId: number): void {
  if (!p.edits) return;
  delete p.edits[String(chatId)];
  if (Object.keys(p.edits).length === 0) delete p.edits;
}
