/**
 * One question inside a conversation: send a prompt with buttons and a Cancel row, then wait until
 * the user taps one of its buttons or types something it can read. Every step of /buy and /sell had
 * its own copy of this loop; the rules that must be the same everywhere live here once:
 * - Cancel ends the conversation and edits the prompt to say so; Back (where the step has one) tells
 *   the caller to ask the step before again;
 * - a tap on an old button of this kind of conversation is answered "This button has expired.";
 * - taps on other features' buttons and typed commands pass through to their handlers, and the
 *   question stays open (a /balance in between does not end an order);
 * - an answer the step cannot read is answered with the step's own sentence, and the step asks again.
 */
import { randomBytes } from "node:crypto";
import type { InlineKeyboardButton } from "grammy/types";
import type { ConvContext, Kit, MyConversation } from "../context.js";
import { escapeHtml } from "../format.js";
import { answer, btn, removeTappedKeyboard, rows } from "../ui.js";
import { errText } from "./external.js";

/** What a step made of a typed answer: the value, or (optionally) the sentence that asks again. */
export type Reading<T> = { ok: true; value: T } | { ok: false; again?: string };

export const read = <T>(value: T): Reading<T> => ({ ok: true, value });
export const again = <T = never>(sentence?: string): Reading<T> =>
  sentence === undefined ? { ok: false } : { ok: false, again: sentence };

/** What ask() returns when Back was tapped. */
export const BACK = Symbol("back");
export type Back = typeof BACK;

/** One button of a prompt: its label and the action it stands for. */
export type Choice = [label: string, action: string];

export interface Question<T> {
  /** The prompt (HTML), sent with `buttons` and a Cancel row; omit it when the caller already showed it. */
  prompt?: string;
  /** Button rows above the Cancel row. */
  buttons?: Choice[][];
  /** What a tap on this step's button means; undefined: not one of them (answered as expired). */
  tap?: (action: string) => T | undefined;
  /** The prompt's text once tapped (HTML; see `answered`); without it the tapped message just loses its buttons. */
  tapped?: (action: string) => string;
  /** Reads typed text; without it typed text is ignored. May do work (a search) and ask again. */
  typed?: (text: string) => Reading<T> | Promise<Reading<T>>;
  /**
   * The caller answers an accepted tap and removes the buttons itself (with `acknowledgeTap`), beside
   * the work the tap starts: the Confirm step sends the order without waiting two Telegram round trips.
   */
  leaveTap?: boolean;
  /** Adds ◀ Back beside Cancel; a tap on it makes ask() return BACK. */
  back?: boolean;
}

export interface Asker {
  /**
   * Asks until the step has a value; null when the user cancelled (the prompt already says so), BACK
   * when Back was tapped (only offered with `back`).
   */
  ask<T>(q: Question<T>): Promise<T | null | Back>;
  /** Signed callback data for one of this conversation's buttons. */
  data(action: string): string;
  /** The row every prompt ends with: Cancel, after ◀ Back when `back`. */
  cancelRow(back?: boolean): InlineKeyboardButton[];
  /** Sends a plain sentence (escaped), optionally with button rows. */
  say(sentence: string, keyboard?: InlineKeyboardButton[][]): Promise<unknown>;
  /** Sends HTML, optionally with button rows (the message is then this chat's open prompt). */
  send(html: string, keyboard?: InlineKeyboardButton[][]): Promise<unknown>;
}

/** The action of the Back button. */
const BACK_ACTION = "b";

export interface AskerOptions {
  /** Button payload prefix of this kind of conversation, e.g. "t" for trade ("t:<nonce>:<action>"). */
  prefix: string;
  /** What a cancelled prompt is edited to. */
  cancelled: string;
}

/** The question with the user's answer appended (HTML), e.g. "How many YES contracts? → 10". */
export function answered(question: string, choiceHtml: string): string {
  return `${question} → ${choiceHtml}`;
}

/**
 * An Asker for one run of a conversation. Its buttons carry a nonce drawn once per conversation
 * (stored by `external`, so replays keep it): buttons of an earlier run are told apart and expire.
 */
export async function createAsker(
  conversation: MyConversation,
  ctx: ConvContext,
  kit: Kit,
  opts: AskerOptions,
): Promise<Asker> {
  const { ui, buttons } = kit;
  const nonce = await conversation.external(() => randomNonce());
  const run: Run = { conversation, kit, opts, nonce };
  const data = (action: string) => buttons.data(`${opts.prefix}:${nonce}:${action}`);
  const cancelRow = (back = false) => [
    ...(back ? [btn("◀ Back", data(BACK_ACTION))] : []),
    btn("Cancel", data("x")),
  ];
  const say = (s: string, kb?: InlineKeyboardButton[][]) => ui.say(ctx, s, kb ? rows(...kb) : undefined);
  const send = async (html: string, kb?: InlineKeyboardButton[][]) => {
    const m = await ui.send(ctx, html, kb ? rows(...kb) : undefined);
    // Once, not on replays: a replay must not bring back a prompt whose buttons are gone since.
    if (kb)
      await conversation.external(() => kit.prompts.set({ chatId: m.chat.id, messageId: m.message_id }));
    return m;
  };

  async function ask<T>(q: Question<T>): Promise<T | null | Back> {
    if (q.prompt !== undefined) {
      const kb = (q.buttons ?? []).map((row) => row.map(([label, action]) => btn(label, data(action))));
      await send(q.prompt, [...kb, cancelRow(q.back)]);
    }
    const tap = q.tap ?? (() => undefined);
    const isBack = (a: string) => q.back === true && a === BACK_ACTION;
    for (;;) {
      const r = await nextAnswer(
        run,
        (a) => isBack(a) || tap(a) !== undefined,
        q.leaveTap ? false : (a) => (isBack(a) ? undefined : q.tapped?.(a)),
      );
      if (r === "cancel") return null;
      if (r.kind === "tap") return isBack(r.action) ? BACK : tap(r.action)!;
      if (!q.typed) continue;
      const got = await q.typed(r.text);
      if (got.ok) return got.value;
      if (got.again !== undefined) await say(got.again);
    }
  }

  return { ask, data, cancelRow, say, send };
}

/** What the waiting loop needs of one conversation run. */
interface Run {
  conversation: MyConversation;
  kit: Kit;
  opts: AskerOptions;
  nonce: string;
}

type Answer = { kind: "tap"; action: string } | { kind: "text"; text: string };

/** The next tap on this step's buttons, typed text, or "cancel"; everything else is answered here. */
async function nextAnswer(
  { conversation, kit, opts, nonce }: Run,
  accepts: (a: string) => boolean,
  /** The tapped prompt's text; false: the caller acknowledges the tap itself. */
  tapped?: ((a: string) => string | undefined) | false,
): Promise<Answer | "cancel"> {
  for (;;) {
    const c = await conversation.wait();
    if (c.callbackQuery) {
      const payload = kit.buttons.verify(c.callbackQuery.data);
      // Not a button of this kind of conversation: let other features (or the expiry catch-all) answer it.
      if (payload === null || !payload.startsWith(`${opts.prefix}:`))
        return await conversation.skip({ next: true });
      const [, n, action = ""] = payload.split(":");
      if (n === nonce && action === "x") {
        await answer(c);
        await kit.ui.editTapped(c, opts.cancelled);
        return "cancel";
      }
      if (n === nonce && accepts(action)) {
        if (tapped === false) return { kind: "tap", action };
        await answer(c);
        await showTapped(kit, c, tapped?.(action));
        return { kind: "tap", action };
      }
      await answer(c, "This button has expired.");
      await removeTappedKeyboard(c);
      continue;
    }
    const text = c.message?.text;
    if (text !== undefined) {
      if (text.startsWith("/")) return await conversation.skip({ next: true });
      return { kind: "text", text };
    }
    await c.reply("Please answer with text or a button, or send /cancel.").catch(() => undefined);
  }
}

/**
 * One edit: the prompt keeps its question, shows the choice and loses its buttons. The edit is
 * cosmetic: when Telegram refuses it, the buttons go and the conversation goes on.
 */
async function showTapped(kit: Kit, c: ConvContext, html: string | undefined): Promise<void> {
  if (html === undefined) return removeTappedKeyboard(c);
  await kit.ui.editTapped(c, html).catch((e: unknown) => {
    kit.log.warn("prompt edit failed", { error: errText(e) });
    return removeTappedKeyboard(c);
  });
}

/**
 * Answers a tap and removes its message's buttons, both at once; for a step asked with `leaveTap`,
 * started beside the work the tap triggers and awaited after it. Never throws.
 */
export function acknowledgeTap(c: ConvContext): Promise<void> {
  return Promise.all([answer(c), removeTappedKeyboard(c)]).then(() => undefined);
}

/** Plain text as prompt HTML. */
export const plain = escapeHtml;

function randomNonce(): string {
  return randomBytes(3).toString("base64url");
}
