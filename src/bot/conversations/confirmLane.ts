/**
 * The Confirm tap's short way to the exchange. conversations v2 replays the whole /buy conversation on
 * every update (each stored `external` result cloned again) before its Confirm step sees the tap: that
 * replay was most of the bot's time between the tap and the order POST (docs/benchmarks.md, issue 12).
 *
 * So the quote card arms this lane when it is shown, and a Confirm tap that matches the armed card
 * starts placing the order BEFORE the conversation replays; the conversation's Confirm step then takes
 * that placement instead of starting its own. The lane decides nothing the conversation would decide
 * differently: it fires only while the card is provably the live one, and is one-shot.
 *  - the tap carries exactly the card's Confirm data (signed per process), on the card's own message;
 *  - the chat's open prompt is this card (a /cancel, a new /buy, Back, or an edit that took the buttons
 *    clears it: src/bot/conversations/openPrompts.ts);
 *  - the outbox still holds the card as "quoted" (its expiry and Back settle it);
 *  - the quote has not expired, and no PIN is asked before placing (then the tap goes the long way).
 * Anything else passes through unchanged. Should the conversation not take a placement the lane
 * started (it always does; this is the safety net), the card is brought to its result by `orphaned`.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { PlaceOutcome } from "../../trading/types.js";
import type { OutcomeCard } from "../placeOutcome.js";
import { besidePendingIo } from "../../shared/async.js";
import type { OpenPrompts } from "./openPrompts.js";

/** What the Confirm step ends with: a fresh quote, or the card's final text. */
export type Settled = Extract<PlaceOutcome, { kind: "requote" }> | { kind: "card"; card: OutcomeCard };
/** What a Confirm tap ends with: too late for its quote, or what placing it gave. */
export type Tapped = Settled | { kind: "expired" };

export interface ArmedCard<T> {
  chatId: number;
  messageId: number;
  /** The card's client order id (its id in the outbox and in the open prompt). */
  quoteId: string;
  /** The callback data of the card's Confirm button (signed, so only that button carries it). */
  data: string;
  /** When the card was shown (kit.now()). */
  shownAt: number;
  /** Places the card's quote: the Confirm step's own function, with the tapping update's context. */
  place(ctx: Context): Promise<T>;
  /** Brings the card to its result when the conversation did not take the placement. */
  orphaned(result: T): Promise<void>;
}

export interface LaneChecks {
  prompts: OpenPrompts;
  /** True while the outbox holds the card as "quoted" (shown, not tapped, not closed). */
  quoted(quoteId: string): boolean;
  now(): number;
  confirmTimeoutMs: number;
  /** True when a PIN is asked before every order: such taps always go through the conversation. */
  pinEnabled: boolean;
  onOrphan(quoteId: string, e?: unknown): void;
}

export class ConfirmLane<T> {
  private readonly armed = new Map<number, ArmedCard<T>>();
  private readonly started = new Map<string, Promise<T>>();

  constructor(private readonly checks: LaneChecks) {}

  /** The card is shown and waits for its Confirm (the newest card of a chat replaces the one before). */
  arm(card: ArmedCard<T>): void {
    if (this.checks.pinEnabled) return;
    this.armed.set(card.chatId, card);
  }

  /** The placement the lane started for this card, once; undefined when the tap came the long way. */
  take(quoteId: string): Promise<T> | undefined {
    const p = this.started.get(quoteId);
    this.started.delete(quoteId);
    return p;
  }

  /** Goes before conversations(): starts a matching Confirm's order, then lets the conversation run. */
  middleware(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      const card = this.match(ctx);
      if (!card) return next();
      this.armed.delete(card.chatId);
      const placing = card.place(ctx);
      // Whoever takes it awaits it; until then a rejection must not count as unhandled.
      placing.catch(() => undefined);
      this.started.set(card.quoteId, placing);
      try {
        // The conversation's replay starts once the order POST is on the wire, so it never delays it.
        await besidePendingIo(next);
      } finally {
        if (this.started.delete(card.quoteId)) await this.orphan(card, placing);
      }
    };
  }

  private match(ctx: Context): ArmedCard<T> | undefined {
    const q = ctx.callbackQuery;
    const chatId = ctx.chat?.id;
    if (!q || chatId === undefined || this.checks.pinEnabled) return undefined;
    const card = this.armed.get(chatId);
    if (!card || q.message?.message_id !== card.messageId) return undefined;
    if (q.data !== card.data) return undefined;
    const open = this.checks.prompts.current(chatId);
    if (open?.messageId !== card.messageId || open.quoteId !== card.quoteId) return undefined;
    if (!this.checks.quoted(card.quoteId)) return undefined;
    if (this.checks.now() - card.shownAt > this.checks.confirmTimeoutMs) return undefined;
    return card;
  }

  private async orphan(card: ArmedCard<T>, placing: Promise<T>): Promise<void> {
    this.checks.onOrphan(card.quoteId);
    try {
      await card.orphaned(await placing);
    } catch (e) {
      this.checks.onOrphan(card.quoteId, e);
    }
  }
}
