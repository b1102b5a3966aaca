import { Composer, type Context } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { parseTicker } from "../parse.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { marketCard } from "../views.js";
import { bookButton, copyTickerButton } from "./book.js";
import { escapeHtml } from "../format.js";
import { marketDeepLink } from "../kalshiLinks.js";

/**
 * The card's buttons: Buy YES / Buy NO when open; ☆ Watch / ★ Watching and 🔔 Alert when available;
 * 📊 Book when open, and 📋 Copy ticker.
 */
export function cardKeyboard(kit: Kit, ticker: string, active: boolean, watching: boolean | null) {
  const ref = kit.buttons.ref(ticker);
  const buy = active
    ? [btn("Buy YES", kit.buttons.data(`mb:yes:${ref}`)), btn("Buy NO", kit.buttons.data(`mb:no:${ref}`))]
    : [];
  const watch =
    watching === null
      ? []
      : [
          btn(watching ? "★ Watching" : "☆ Watch", kit.buttons.data(`wt:${ref}`)),
          ...(active ? [btn("🔔 Alert", kit.buttons.data(`pa:${ref}`))] : []),
        ];
  return rows(buy, watch, [...(active ? [bookButton(kit, ticker)] : []), copyTickerButton(ticker)]);
}

/** "Share: https://t.me/<bot>?start=m_<ticker>" (opens this card); "" while the bot's name is unknown. */
export function shareLine(ctx: Context, ticker: string): string {
  let name: string | undefined;
  try {
    name = ctx.me.username;
  } catch {
    name = undefined; // the bot has not read its own name (getMe) yet
  }
  const link = name ? marketDeepLink(name, ticker) : null;
  return link ? `Share: ${escapeHtml(link)}` : "";
}

/** A market's card with Buy YES / Buy NO buttons (two reads: the market and its book). */
export async function sendMarketCard(kit: Kit, ctx: Context, ticker: string): Promise<void> {
  const info = await withTyping(ctx, () => kit.deps.services.markets.info(ticker));
  const t = info.market.ticker;
  const watching = kit.deps.priceWatch && ctx.chat ? kit.deps.priceWatch.isWatching(ctx.chat.id, t) : null;
  const kb = cardKeyboard(kit, t, info.market.status === "active", watching);
  const share = shareLine(ctx, t);
  const card = marketCard(info, kit.deps.config.timeZone, kit.now());
  await kit.ui.send(ctx, share ? `${card}\n${share}` : card, kb.inline_keyboard.length ? kb : undefined);
}

/** /market <ticker> (card with Buy YES / Buy NO); `mk:` buttons anywhere open the card. */
export function marketFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();

  const showMarket = (ctx: Context, ticker: string) => sendMarketCard(kit, ctx, ticker);

  c.command(
    "market",
    kit.guard("market", async (ctx) => {
      const arg = ctx.match.trim();
      if (!arg) return kit.ui.say(ctx, "Send /market <ticker>, for example /market KXHIGHNY-26NOV25-B45.");
      const t = parseTicker(arg);
      if (!t.ok) return kit.ui.say(ctx, t.message);
      await showMarket(ctx, t.value);
    }),
  );

  c.on(
    "callback_query:data",
    kit.guard("market-open", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const ticker = p?.startsWith("mk:") ? kit.buttons.deref(p.slice(3)) : null;
      if (!ticker) return next();
      await answer(ctx);
      await showMarket(ctx, ticker);
    }),
  );
  return c;
}
