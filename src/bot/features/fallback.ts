import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { answer, removeTappedKeyboard } from "../ui.js";

export const EXPIRED = "This button has expired.";
export const QUOTE_EXPIRED = "This quote has expired or was already answered; this tap placed nothing.";

/** The label of the tapped button, as the message showed it (e.g. "✅ Confirm"). */
function tappedLabel(ctx: MyContext): string | undefined {
  const q = ctx.callbackQuery;
  for (const row of q?.message?.reply_markup?.inline_keyboard ?? []) {
    for (const b of row) if ("callback_data" in b && b.callback_data === q?.data) return b.text;
  }
  return undefined;
}

/** Last in the chain: stale, forged or unknown buttons, unknown commands, stray text. */
export function fallbackFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  c.on("callback_query", async (ctx) => {
    kit.log.info("expired or unknown button", {
      verified: kit.buttons.verify(ctx.callbackQuery.data) !== null,
    });
    // A Confirm from before a restart (or one the bot no longer waits for) places nothing: say so.
    const confirm = /Confirm/.test(tappedLabel(ctx) ?? "");
    await answer(ctx, confirm ? QUOTE_EXPIRED : EXPIRED);
    await removeTappedKeyboard(ctx);
    // A card older than its Confirm window (e.g. tapped while the bot was down) also gets a line in
    // the chat, since the toast is easy to miss.
    const cardAt = (ctx.callbackQuery.message?.date ?? 0) * 1000;
    // Not when Confirm on this card did (or may have) place an order: the outbox tells that outcome.
    const card = ctx.callbackQuery.message;
    const mayHavePlaced = !!card && !!ctx.chat && kit.outbox.mayHavePlaced(ctx.chat.id, card.message_id);
    if (confirm && ctx.chat && !mayHavePlaced && kit.now() - cardAt > kit.deps.config.confirmTimeoutMs) {
      await kit.ui
        .say(ctx, "This quote expired; nothing was placed. Send the command again for a fresh quote.")
        .catch(() => undefined);
    }
  });
  c.on(
    "message:text",
    kit.guard("fallback", async (ctx) => {
      if (ctx.message.text.startsWith("/")) {
        await kit.ui.say(ctx, "I don't know that command. Send /help to see them all.");
      } else {
        await kit.ui.say(ctx, "Send /help to see what I can do, or /buy to start an order.");
      }
    }),
  );
  return c;
}
