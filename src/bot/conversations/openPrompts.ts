/**
 * The message of a chat's conversation whose buttons still work: a question of /buy or /sell, or the
 * quote card. A conversation left from outside (/cancel, or a new /buy over an open one) never runs
 * again, so whoever leaves it takes those buttons away here: a card must never keep offering Confirm
 * after it stopped working. In memory: after a restart the outbox closes open cards itself.
 */
import type { Context, Transformer } from "grammy";
import type { OrderOutbox } from "../../alerts/outbox.js";
import { NO_KEYBOARD } from "../ui.js";

export interface OpenPrompt {
  chatId: number;
  messageId: number;
  /** Set for a quote card: its client order id in the outbox, which brings the card to its final text. */
  quoteId?: string;
  /** A quote card's order in one line (HTML), kept above its final text. */
  summary?: string;
}

export class OpenPrompts {
  private readonly byChat = new Map<number, OpenPrompt>();

  /** The chat's newest prompt with buttons (replays set the same one again: harmless). */
  set(p: OpenPrompt): void {
    this.byChat.set(p.chatId, p);
  }

  /**
   * Watches the Bot API: once an edit took a message's buttons away (a tap answered it, the expiry
   * catch-all cleared it), it is no longer an open prompt, and `close` must not edit it again (Telegram
   * would refuse: "message is not modified").
   */
  transformer(): Transformer {
    return async (prev, method, payload, signal) => {
      const res = await prev(method, payload, signal);
      if (res.ok && (method === "editMessageText" || method === "editMessageReplyMarkup")) {
        const p = payload as {
          chat_id?: unknown;
          message_id?: unknown;
          reply_markup?: { inline_keyboard?: unknown[] };
        };
        const open = this.byChat.get(Number(p.chat_id));
        const keyboard = p.reply_markup?.inline_keyboard?.length ?? 0;
        if (open && open.messageId === p.message_id && keyboard === 0) this.byChat.delete(open.chatId);
      }
      return res;
    };
  }

  /** The chat's open prompt, if any. */
  current(chatId: number): OpenPrompt | undefined {
    return this.byChat.get(chatId);
  }

  /** The conversation ended by itself: its prompts were already answered. */
  clear(chatId: number): void {
    this.byChat.delete(chatId);
  }

  /**
   * Takes the buttons off the chat's open prompt: a quote card gets `cardText` as its final text (through
   * the outbox), a question keeps its text. Cosmetic: a refused edit is ignored (the buttons expire anyway).
   */
  async close(ctx: Context, outbox: OrderOutbox, cardText: string): Promise<void> {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    const p = this.byChat.get(chatId);
    if (!p) return;
    this.byChat.delete(chatId);
    if (p.quoteId !== undefined)
      return outbox.settle(p.quoteId, p.summary ? `Order ${p.summary}\n${cardText}` : cardText);
    await ctx.api
      .editMessageReplyMarkup(p.chatId, p.messageId, { reply_markup: NO_KEYBOARD })
      .catch(() => undefined);
  }
}
