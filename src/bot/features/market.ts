import { Composer, type Context } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { parseTicker } from "../parse.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { marketCard } from "../views.js";

/** A market's card with Buy YES / Buy NO buttons (two reads: the market and its book). */
export async function sendMarketCard(kit: Kit, ctx: Context, ticker: string): Promise<void> {
  const info = await withTyping(ctx, () => kit.deps.services.markets.info(ticker));
  const ref = kit.buttons.ref(info.market.ticker);
  const kb =
    info.market.status === "active"
      ? rows([
          btn("Buy YES", kit.buttons.data(`mb:yes:${ref}`)),
          btn("Buy NO", kit.buttons.data(`mb:no:${ref}`)),
        ])
      : undefined;
  await kit.ui.send(ctx, marketCard(info, kit.deps.config.timeZone, kit.now()), kb);
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
