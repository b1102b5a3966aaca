import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { attestationNeedsAction } from "../../trading/account.js";
import { escapeHtml } from "../format.js";
import { attestationText } from "./account.js";
import { answer, btn, rows, withTyping } from "../ui.js";
import { holdingsLines, portfolioCard } from "../views.js";

/**
 * /portfolio with a Refresh button that edits in place, and /balance (the same money lines: cash,
 * reserved, positions, total; and a location-check warning).
 */
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

  // /balance reads the account view (one balance read, plus the API key's location check): a check
  // that needs action (expiring within 7 days, lapsed, never made) is said here too, where it is seen.
  c.command(
    "balance",
    kit.guard("balance", async (ctx) => {
      const v = await withTyping(ctx, () => kit.deps.services.account.view());
      const lines = [`<b>Balance</b>`, ...holdingsLines(v.holdings)];
      if (attestationNeedsAction(v.attestation))
        lines.push("", escapeHtml(attestationText(v.attestation, tz)));
      await kit.ui.send(ctx, lines.join("\n"));
    }),
  );
  return c;
}
