/**
 * /book <ticker>: the best five levels of each side for YES and NO, sizes and the spread
 * (src/bot/bookView.ts), read fresh each time (two reads: the market and its book). The market
 * card's 📊 Book button opens it as a new message; its ↻ Refresh edits it in place.
 *
 * Button payloads: dp:<t> open the book · dr:<t> refresh it. Both only read.
 */
import { Composer, type Context } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Kit, MyContext } from "../context.js";
import { BOOK_LEVELS, bookCard } from "../bookView.js";
import { parseTicker } from "../parse.js";
import { answer, btn, rows, withTyping } from "../ui.js";

const USAGE = "Send /book <ticker>, for example /book KXHIGHNY-26NOV25-B45.";

/** A button that copies the ticker (Telegram's copy_text: the user's own clipboard, no tap to the bot). */
export function copyTickerButton(ticker: string): InlineKeyboardButton.CopyTextButtonButton {
  return { text: "📋 Copy ticker", copy_text: { text: ticker } };
}

/** The button on a market card that opens its book. */
export function bookButton(kit: Kit, ticker: string): InlineKeyboardButton {
  return btn("📊 Book", kit.buttons.data(`dp:${kit.buttons.ref(ticker)}`));
}

async function showBook(kit: Kit, ctx: Context, ticker: string, edit: boolean): Promise<void> {
  const { market, book } = await withTyping(ctx, () => kit.deps.services.markets.depth(ticker, BOOK_LEVELS));
  const t = market.ticker;
  const kb = rows([btn("↻ Refresh", kit.buttons.data(`dr:${kit.buttons.ref(t)}`)), copyTickerButton(t)]);
  const text = bookCard(market, book, { now: kit.now(), timeZone: kit.deps.config.timeZone });
  if (edit) await kit.ui.editTapped(ctx, text, kb);
  else await kit.ui.send(ctx, text, kb);
}

export function bookFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();

  c.command(
    "book",
    kit.guard("book", async (ctx) => {
      const arg = ctx.match.trim();
      if (!arg) return kit.ui.say(ctx, USAGE);
      const t = parseTicker(arg);
      if (!t.ok) return kit.ui.say(ctx, t.message);
      await showBook(kit, ctx, t.value, false);
    }),
  );

  c.on(
    "callback_query:data",
    kit.guard("book", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const kind = p?.slice(0, 3);
      if (!p || (kind !== "dp:" && kind !== "dr:")) return next();
      const ticker = kit.buttons.deref(p.slice(3));
      if (!ticker) {
        await answer(ctx, "This button has expired.");
        return kit.ui.say(ctx, "This button has expired. Send /book <ticker> for a fresh book.");
      }
      await answer(ctx);
      await showBook(kit, ctx, ticker, kind === "dr:");
    }),
  );
  return c;
}
