/**
 * A bulk action confirmed on its card (Close all, Cancel all): it runs on the tapped message, behind
 * the trading PIN when one is set, and under the kit's error guard (a failure is one sentence). Both
 * cards asked for the same three steps in the same order; they live here once.
 */
import type { Context } from "grammy";
import type { Kit } from "./context.js";

/** The chat and message of the tapped card, where the action's result is shown. */
export interface TappedAt {
  chatId: number;
  messageId: number;
}

export async function runBulk(
  kit: Kit,
  ctx: Context,
  o: {
    handler: string;
    purpose: string;
    run: (c: Context, at: TappedAt | undefined) => Promise<unknown>;
    /** The tapped card's text (HTML) when a PIN was asked and the action will not run after all. */
    dropped?: string;
  },
): Promise<void> {
  const m = ctx.callbackQuery?.message;
  const at = m ? { chatId: m.chat.id, messageId: m.message_id } : undefined;
  const guarded = kit.guard(o.handler, (c: Context) => o.run(c, at));
  const dropped = o.dropped;
  await kit.pin.require(
    ctx,
    "bulk",
    o.purpose,
    (c) => guarded(c, async () => {}),
    (c, text) => kit.ui.say(c, text),
    at && dropped ? (c) => kit.ui.edit(c, at.chatId, at.messageId, dropped) : undefined,
  );
}
