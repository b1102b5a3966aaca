import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { usd } from "../format.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { portfolioCard } from "../views.js";

/** /portfolio with a Refresh button that edits in place, and /balance. */
export function portfolioFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { portfolio } = kit.deps.services;
  const tz = kit.deps.config.timeZone;
  const refreshKb = () => rows([btn("🔄 Refresh", kit.buttons.data("pr"))]);

  c.command(
    "portfolio",
    kit.guard("portfolio", async (ctx) => {
      const v = await withTyping(ctx, () => portfolio.view());
      await kit.ui.send(ctx, portfolioCard(v, tz), refreshKb());
    }),
  );

  c.on(
    "callback_query:data",
    kit.guard("portfolio-refresh", async (ctx, next) => {
      if (kit.buttons.verify(ctx.callbackQuery.data) !== "pr") return next();
      await answer(ctx, "Refreshing…");
      const v = await portfolio.view();
      await kit.ui.editTapped(ctx, portfolioCard(v, tz), refreshKb());
    }),
  );

  c.command(
    "balance",
    kit.guard("balance", async (ctx) => {
      const v = await withTyping(ctx, () => portfolio.view());
      await kit.ui.send(
        ctx,
        [`<b>Balance</b>`, `Cash: ${usd(v.balance)}`, `Portfolio value: ${usd(v.portfolioValue)}`].join("\n"),
      );
    }),
  );
  return c;
}
