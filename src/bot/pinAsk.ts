/**
 * The trading PIN inside the /buy and /sell conversation, between the Confirm tap and the order POST.
 * The conversation reads the PIN itself (a pending request of ./pin.ts would need a way back into the
 * conversation); the check and the deletion of the PIN message run in `conversation.external`, so a
 * replay never counts a wrong PIN twice.
 */
import { mulPriceCount } from "../domain/money.js";
import type { Quote } from "../trading/types.js";
import type { ConvContext, Kit, MyConversation } from "./context.js";
import { type Asker, read } from "./conversations/ask.js";
import type { Message } from "grammy/types";
import { escapeHtml } from "./format.js";
import { deleteTyped, type PinCheck, type PinNeed } from "./pin.js";

export interface PinStep {
  conversation: MyConversation;
  ctx: ConvContext;
  asker: Asker;
  kit: Kit;
}

/** Said on the quote card when the PIN was not given (Cancel on the question). */
export const NO_PIN = "Not placed: the trading PIN was not given. Nothing was placed.";

/**
 * Null when the order may be sent (no PIN needed, or the right one was typed); otherwise the quote
 * card's final sentence (escaped HTML): the question was canceled, or trading is locked.
 */
export async function pinBeforePlace(
  { conversation, ctx, asker, kit }: PinStep,
  q: Quote,
): Promise<string | null> {
  const userId = ctx.from?.id;
  if (!kit.pin.enabled || userId === undefined) return null;
  const size = mulPriceCount(q.price, q.intent.count);
  const need = await conversation.external((): PinNeed => kit.pin.need(userId, { order: size }));
  if (need.kind === "open") return null;
  if (need.kind === "locked") return escapeHtml(kit.pin.lockedText(need.until));
  const sent = (await asker.send(escapeHtml(kit.pin.askText("to place this order")), [
    asker.cancelRow(),
  ])) as Message.TextMessage;
  /** The question loses its Cancel button once answered (a cosmetic edit: failures are ignored). */
  const close = (text: string) =>
    kit.ui.edit(ctx, sent.chat.id, sent.message_id, escapeHtml(text)).catch(() => undefined);
  for (;;) {
    const typed = await asker.ask<string>({ typed: (t) => read(t) });
    // No Back here (the question has none): anything but a typed PIN stops it.
    if (typed === null || typeof typed !== "string") return NO_PIN;
    const r = await conversation.external(async (octx): Promise<PinCheck> => {
      await deleteTyped(octx);
      return kit.pin.check(userId, typed);
    });
    if (r.kind === "ok") {
      await close("🔒 PIN accepted.");
      return null;
    }
    if (r.kind === "locked") {
      await close("🔒 PIN not accepted.");
      await asker.say(kit.pin.lockedText(r.until));
      return escapeHtml(kit.pin.lockedText(r.until));
    }
    await asker.say(`${kit.pin.wrongText(r.triesLeft)} Send it again, or tap Cancel.`);
  }
}
