/**
 * /account: cash (per exchange shard when more than one holds money) and the Kalshi API key's
 * location check, with a plain warning from 7 days before it expires, once it has lapsed, or when
 * the account never confirmed its location. Kalshi refuses orders without a valid one.
 */
import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { escapeHtml, usd } from "../format.js";
import { withTyping } from "../ui.js";
import { holdingsLines } from "../views.js";
import { type AccountView, type Attestation, daysLeft } from "../../trading/account.js";

/** "Dec 8, 2026" in the display zone. */
function day(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    month: "short",
    day: "numeric",
    year: "numeric",
  }).format(new Date(ms));
}

function inDays(msLeft: number): string {
  const n = daysLeft(msLeft);
  return n === 0 ? "in less than a day" : n === 1 ? "in 1 day" : `in ${n} days`;
}

/** The attestation in one or two sentences a phone user understands. */
export function attestationText(a: Attestation, timeZone: string): string {
  switch (a.kind) {
    case "valid":
      return `Location check of your Kalshi API key: valid until ${day(a.expiresAt, timeZone)} (${inDays(a.msLeft)}).`;
    case "expiring":
      return (
        `⚠️ Your Kalshi API key's location check expires on ${day(a.expiresAt, timeZone)} (${inDays(a.msLeft)}). ` +
        "Renew it on kalshi.com, or Kalshi will refuse this bot's orders."
      );
    case "lapsed":
      return (
        `⛔ Your Kalshi API key's location check expired on ${day(a.expiredAt, timeZone)}. ` +
        "Kalshi refuses this bot's orders until you renew it on kalshi.com."
      );
    case "never":
      return (
        "⚠️ Your Kalshi account has never confirmed its location for API trading, so Kalshi may refuse " +
        "this bot's orders. Confirm it on kalshi.com."
      );
    case "unknown":
      return "The location check of your Kalshi API key could not be read right now; try /account again later.";
  }
}

function accountCard(v: AccountView, timeZone: string): string {
  const lines = ["<b>Account</b>", `Cash: ${usd(v.balance)}`];
  if (v.cashByShard) {
    lines.push("Cash is held on separate Kalshi exchange shards:");
    for (const s of v.cashByShard) lines.push(`  • shard ${s.exchangeIndex}: ${usd(s.balance)}`);
  }
  lines.push(...holdingsLines(v.holdings).slice(1), "", escapeHtml(attestationText(v.attestation, timeZone)));
  return lines.join("\n");
}

export function accountFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const tz = kit.deps.config.timeZone;
  c.command(
    "account",
    kit.guard("account", async (ctx) => {
      const v = await withTyping(ctx, () => kit.deps.services.account.view());
      await kit.ui.send(ctx, accountCard(v, tz));
    }),
  );
  return c;
}
