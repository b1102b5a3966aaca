import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { attestationNeedsAction } from "../../trading/account.js";
import { escapeHtml } from "../format.js";
import { attestationText } from "./account.js";
import { withTyping } from "../ui.js";
import { holdingsLines } from "../views.js";
import { closeAllFeature } from "./closeAll.js";
import { positionCardsFeature } from "./positionCards.js";

/**
 * /portfolio (pages of position cards with sell buttons, Refresh and Close all: ./positionCards.ts,
 * ./closeAll.ts), and /balance (the same money lines: cash, reserved, positions, total; and a
 * location-check warning).
 */
export function portfolioFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const tz = kit.deps.config.timeZone;
  const cards = positionCardsFeature(kit);

  c.command(
    "portfolio",
    kit.guard("portfolio", (ctx) => cards.show(ctx, false)),
  );
  c.use(cards.composer, closeAllFeature(kit));

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
