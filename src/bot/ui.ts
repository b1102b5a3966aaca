/**
 * Sending and editing messages: every text gets the environment header, HTML parse mode, and is
 * paged when longer than Telegram allows. Also the typing indicator and the error sentence.
 */
import { besidePendingIo } from "../shared/async.js";
import { type Context, GrammyError, InlineKeyboard } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message } from "grammy/types";
import { UserError } from "../trading/types.js";
import type { EnvTag } from "../domain/environment.js";
import { entitiesToHtml, envBadge, escapeHtml, pages, tagged, TELEGRAM_TEXT_LIMIT } from "./format.js";

export type Keyboard = InlineKeyboardMarkup | InlineKeyboard;

/** For an unknown failure of a step that may have changed something (an order, a cancel). */
export const GENERIC_FAILURE = "Something went wrong. Check /orders and /portfolio before trying again.";
/** For an unknown failure of a step that only reads, so provably changed nothing. */
export const READ_FAILURE = "Something went wrong; nothing was changed.";

export function defaultDescribeError(e: unknown): string {
  if (e instanceof UserError) return e.message;
  return GENERIC_FAILURE;
}

export function isNotModified(e: unknown): boolean {
  return e instanceof GrammyError && /message is not modified/i.test(e.description);
}

function markup(k: Keyboard | undefined): InlineKeyboardMarkup | undefined {
  if (!k) return undefined;
  return k instanceof InlineKeyboard ? { inline_keyboard: k.inline_keyboard } : k;
}

export const NO_KEYBOARD: InlineKeyboardMarkup = { inline_keyboard: [] };

export class Ui {
  constructor(readonly env: EnvTag) {}

  /** Sends an HTML body (paged); the keyboard goes on the last page. Returns the last message. */
  async send(ctx: Context, html: string, keyboard?: Keyboard): Promise<Message.TextMessage> {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) throw new Error("no chat to reply to");
    return this.sendTo(ctx, chatId, html, keyboard);
  }

  async sendTo(
    ctx: Context,
    chatId: number,
    html: string,
    keyboard?: Keyboard,
  ): Promise<Message.TextMessage> {
    const ps = pages(this.env, html);
    let last: Message.TextMessage | undefined;
    for (let i = 0; i < ps.length; i++) {
      const isLast = i === ps.length - 1;
      last = await ctx.api.sendMessage(chatId, ps[i]!, {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(isLast && keyboard ? { reply_markup: markup(keyboard) } : {}),
      });
    }
    return last!;
  }

  /** Plain-text sentence (escaped). */
  async say(ctx: Context, sentence: string, keyboard?: Keyboard): Promise<Message.TextMessage> {
    return this.send(ctx, escapeHtml(sentence), keyboard);
  }

  /**
   * Edits a message in place (keyboard removed unless given). A body too long for one message is
   * edited to its first page and the rest is sent as new messages. "Not modified" is not an error.
   */
  async edit(
    ctx: Context,
    chatId: number,
    messageId: number,
    html: string,
    keyboard?: Keyboard,
  ): Promise<void> {
    const ps = pages(this.env, html);
    const first = ps.length === 1 ? tagged(this.env, html) : ps[0]!;
    try {
      await ctx.api.editMessageText(chatId, messageId, first.slice(0, TELEGRAM_TEXT_LIMIT), {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        reply_markup: ps.length === 1 ? (markup(keyboard) ?? NO_KEYBOARD) : NO_KEYBOARD,
      });
    } catch (e) {
      if (!isNotModified(e)) throw e;
    }
    for (let i = 1; i < ps.length; i++) {
      const isLast = i === ps.length - 1;
      await ctx.api.sendMessage(chatId, ps[i]!, {
        parse_mode: "HTML",
        ...(isLast && keyboard ? { reply_markup: markup(keyboard) } : {}),
      });
    }
  }

  /** Edits the message a button was tapped on. */
  async editTapped(ctx: Context, html: string, keyboard?: Keyboard): Promise<void> {
    const m = ctx.callbackQuery?.message;
    if (!m) {
      await this.send(ctx, html, keyboard);
      return;
    }
    await this.edit(ctx, m.chat.id, m.message_id, html, keyboard);
  }
}

/**
 * The HTML body of the tapped message as Telegram sent it with the callback query (text and
 * entities), without the environment header line, so it can be edited with something appended.
 * Null when the message is not there (too old) or is not a bot text message with the header.
 */
export function tappedHtml(ctx: Context, env: EnvTag): string | null {
  const m = ctx.callbackQuery?.message;
  if (!m || !("text" in m) || typeof m.text !== "string") return null;
  const cut = m.text.indexOf("\n");
  if (cut < 0 || !m.text.startsWith(envBadge(env))) return null;
  const start = cut + 1;
  const entities = (m.entities ?? [])
    .map((e) => {
      const from = Math.max(e.offset, start);
      const to = e.offset + e.length;
      return { ...e, offset: from - start, length: to - from };
    })
    .filter((e) => e.length > 0);
  return entitiesToHtml(m.text.slice(start), entities);
}

/** True when the tapped message (as Telegram sent it with the callback query) still shows buttons. */
export function tappedHasKeyboard(ctx: Context): boolean {
  const m = ctx.callbackQuery?.message;
  if (!m || !("reply_markup" in m) || !m.reply_markup) return false;
  return m.reply_markup.inline_keyboard.some((row) => row.length > 0);
}

/**
 * Removes the inline keyboard of the tapped message; failures are ignored. Skipped when the message
 * has no keyboard (Telegram would answer "message is not modified").
 */
export async function removeTappedKeyboard(ctx: Context): Promise<void> {
  const m = ctx.callbackQuery?.message;
  if (!m || !tappedHasKeyboard(ctx)) return;
  try {
    await ctx.api.editMessageReplyMarkup(m.chat.id, m.message_id, { reply_markup: NO_KEYBOARD });
  } catch {
    // already gone or not modified
  }
}

/** Answers a callback query, ignoring "query is too old". */
export async function answer(ctx: Context, text?: string): Promise<void> {
  if (!ctx.callbackQuery) return;
  try {
    await ctx.answerCallbackQuery(text ? { text } : undefined);
  } catch {
    // too old or already answered: nothing useful to do
  }
}

/**
 * Shows "typing…" while slow work runs (re-sent every 4.5 s, as Telegram clears it after 5 s). The
 * work does not wait for Telegram's answer to the first "typing" (an order POST would otherwise wait
 * a Telegram round trip); it is awaited at the end, so no call is left running after this returns.
 */
export async function withTyping<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return work();
  const ping = () => ctx.api.sendChatAction(chatId, "typing").catch(() => undefined);
  // The first "typing" goes out once the work's first request is on the wire, so it never delays it.
  const first = besidePendingIo(ping);
  const timer = setInterval(() => void ping(), 4500);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await first;
  }
}

/** A colour the Bot API draws a button in (`style`): green for a buy's Confirm, red for a sell or close-all. */
export type ButtonStyle = "success" | "danger" | "primary";

/** A callback button; `style` only where the colour means something (Confirm), plain elsewhere. */
export function btn(
  text: string,
  data: string,
  opts: { style?: ButtonStyle } = {},
): InlineKeyboardButton.CallbackButton {
  return opts.style ? { text, callback_data: data, style: opts.style } : { text, callback_data: data };
}

/** The style of an order's Confirm: success for a buy, danger for a sell (which gives up a position). */
export function confirmStyle(action: "buy" | "sell"): ButtonStyle {
  return action === "buy" ? "success" : "danger";
}

export function rows(...rs: InlineKeyboardButton[][]): InlineKeyboardMarkup {
  return { inline_keyboard: rs.filter((r) => r.length > 0) };
}
