import { Composer, type Context } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { parseTicker } from "../parse.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { marketCard, searchList } from "../views.js";

const MAX_HITS = 8;

/** /market <ticker> (card with Buy YES / Buy NO) and /search <words> (buttons open the card). */
export function marketFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { markets } = kit.deps.services;
  const tz = kit.deps.config.timeZone;

  async function showMarket(ctx: Context, ticker: string) {
    const info = await withTyping(ctx, () => markets.info(ticker));
    const ref = kit.buttons.ref(info.market.ticker);
    const kb =
      info.market.status === "active"
        ? rows([
            btn("Buy YES", kit.buttons.data(`mb:yes:${ref}`)),
            btn("Buy NO", kit.buttons.data(`mb:no:${ref}`)),
          ])
        : undefined;
    await kit.ui.send(ctx, marketCard(info, tz), kb);
  }

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

  c.command(
    "search",
    kit.guard("search", async (ctx) => {
      const words = ctx.match.trim();
      if (words.length < 2)
        return kit.ui.say(ctx, "Send /search <words>, for example /search highest temperature NYC.");
      const hits = (await withTyping(ctx, () => markets.search(words, MAX_HITS))).slice(0, MAX_HITS);
      const kb = hits.map((h, i) => [
        btn(
          `${i + 1}. ${h.title} ${h.yesSubTitle}`.slice(0, 60),
          kit.buttons.data(`mk:${kit.buttons.ref(h.ticker)}`),
        ),
      ]);
      await kit.ui.send(ctx, searchList(words, hits, tz), hits.length ? rows(...kb) : undefined);
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
