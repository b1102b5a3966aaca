import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { answer, removeTappedKeyboard } from "../ui.js";

export const EXPIRED = "This button has expired.";

/** Last in the chain: stale, forged or unknown buttons, unknown commands, stray text. */
export function fallbackFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  c.on("callback_query", async (ctx) => {
    kit.log.info("expired or unknown button", {
      verified: kit.buttons.verify(ctx.callbackQuery.data) !== null,
    });
    await answer(ctx, EXPIRED);
    await removeTappedKeyboard(ctx);
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
