/**
 * The bound on alerts waiting for a chat while Telegram is unreachable (used by delivery.ts). During
 * an outage alerts keep coming (a busy market fills all day); sending hundreds of stale ones once
 * Telegram answers again would bury the chat, and each one waits in the state file meanwhile. So at
 * most `limit` of them wait per chat: each one beyond drops the oldest waiting one, and the chat gets
 * one "N more alerts while Telegram was unreachable" message in their place, before the rest, in order.
 */
import { escapeHtml } from "./format.js";

/** Alerts kept per chat while Telegram is unreachable; older ones become one summary line. */
export const OUTAGE_BACKLOG_LIMIT = 50;

/** The message standing for the alerts dropped while Telegram was unreachable. */
export function outageSummaryText(envTag: string, dropped: number): string {
  const what = dropped === 1 ? "1 more alert" : `${dropped} more alerts`;
  return `${escapeHtml(envTag)}\n⚠️ <b>${what} while Telegram was unreachable</b>, not shown one by one. /portfolio, /orders and /history show where you stand.`;
}

export class OutageBacklog {
  /** Per chat: keys queued and not yet taken for delivery, oldest first. */
  private readonly queued = new Map<number, string[]>();
  /** Chats whose last send failed with a retryable error. */
  private readonly unreachable = new Set<number>();
  /** Per chat: alerts dropped, to be told in one summary. */
  private readonly dropped = new Map<number, number>();

  constructor(private readonly limit = OUTAGE_BACKLOG_LIMIT) {}

  /** A key queued for a chat; returns the oldest waiting keys to drop (none unless unreachable). */
  queue(chatId: number, key: string): string[] {
    const keys = this.queued.get(chatId) ?? [];
    this.queued.set(chatId, keys);
    keys.push(key);
    if (!this.unreachable.has(chatId) || keys.length <= this.limit) return [];
    const gone = keys.splice(0, keys.length - this.limit);
    this.dropped.set(chatId, (this.dropped.get(chatId) ?? 0) + gone.length);
    return gone;
  }

  /** Keys handed to delivery: no longer waiting. */
  taken(chatId: number, keys: Iterable<string>): void {
    const done = new Set(keys);
    this.queued.set(
      chatId,
      (this.queued.get(chatId) ?? []).filter((k) => !done.has(k)),
    );
  }

  /** Each failed attempt: a retryable one means Telegram cannot be reached now. */
  failed(chatId: number, retryable: boolean): void {
    if (retryable) this.unreachable.add(chatId);
  }

  /** A send or edit went through. */
  reached(chatId: number): void {
    this.unreachable.delete(chatId);
  }

  /** How many were dropped and not told yet. */
  droppedFor(chatId: number): number {
    return this.dropped.get(chatId) ?? 0;
  }

  /** The summary went out. */
  told(chatId: number): void {
    this.dropped.delete(chatId);
  }
}
