/**
 * /start and /help: every command with an example. Examples that need a market name a real one of
 * this environment (the search index's most traded open event, a middle strike), so a new user can
 * send them as they are; when none can be found quickly, a `<ticker>` placeholder and a pointer to
 * /search stand in, never a ticker that does not exist here.
 */
import { Composer } from "grammy";
import { withTimeout } from "../../shared/async.js";
import type { Kit, MyContext } from "../context.js";
import { code, escapeHtml } from "../format.js";
import { withTyping } from "../ui.js";
import { openStartPayload } from "./links.js";

export interface CommandInfo {
  command: string;
  description: string;
  example: string;
}

/** Every command, in menu order (setMyCommands and /help use this list). */
export const COMMANDS: CommandInfo[] = [
  {
    command: "buy",
    description: "Buy contracts (asks for what is missing)",
    example: "/buy {T} yes 10 @0.42",
  },
  { command: "sell", description: "Sell from an open position", example: "/sell {T} yes 5" },
  { command: "portfolio", description: "Positions, value and P&L", example: "/portfolio" },
  { command: "orders", description: "Resting orders, with cancel buttons", example: "/orders" },
  {
    command: "cancel",
    description: "Cancel an order, or stop the current question",
    example: "/cancel 3f2c9a1e-…",
  },
  { command: "status", description: "Status of one order", example: "/status 3f2c9a1e-…" },
  {
    command: "market",
    description: "A market's prices, with Buy buttons",
    example: "/market {T}",
  },
  {
    command: "book",
    description: "A market's order book: best 5 levels and the spread",
    example: "/book {T}",
  },
  { command: "search", description: "Find markets by words", example: "/search highest temperature NYC" },
  { command: "browse", description: "Browse open markets by category", example: "/browse" },
  { command: "balance", description: "Cash and portfolio value", example: "/balance" },
  {
    command: "account",
    description: "Cash per shard and your API key's location check",
    example: "/account",
  },
  {
    command: "history",
    description: "Your trades, newest first (today, yesterday, 7d, 30d or two dates)",
    example: "/history today",
  },
  { command: "export", description: "Trades as a CSV file", example: "/export 2026-11-01 2026-11-24" },
  { command: "pnl", description: "Realized P&L chart (7d, 30d, 90d or all)", example: "/pnl 30d" },
  { command: "alerts", description: "Fill alerts: on, silent or off", example: "/alerts silent" },
  {
    command: "alert",
    description: "Price alert: a level, or any move",
    example: "/alert {T} yes >= 0.40",
  },
  { command: "watch", description: "Add a market to your watchlist", example: "/watch {T}" },
  {
    command: "unwatch",
    description: "Remove a market from your watchlist",
    example: "/unwatch {T}",
  },
  { command: "watchlist", description: "Prices of the markets you watch", example: "/watchlist" },
  { command: "help", description: "What this bot can do", example: "/help" },
];

/** Where an example names a market. */
const TICKER_SLOT = "{T}";
const PLACEHOLDER = "<ticker>";
/** /help never waits longer than this for the search index (a first sync on Kalshi takes a while). */
const EXAMPLE_WAIT_MS = 3000;

export function helpText(ticker: string | null): string {
  const lines = ["<b>Trade on Kalshi from here.</b> Commands:"];
  for (const c of COMMANDS) {
    const example = c.example.replaceAll(TICKER_SLOT, ticker ?? PLACEHOLDER);
    lines.push(`/${c.command} — ${escapeHtml(c.description)}`, `    e.g. ${code(example)}`);
  }
  lines.push(
    "",
    "Prices are per contract: 0.42, 42c and @42¢ all mean $0.42. Every order shows a quote to confirm first.",
    "Paste a kalshi.com market or event link to open it here.",
  );
  if (!ticker) lines.push(`Find a market's ticker with /search &lt;words&gt; or /browse.`);
  return lines.join("\n");
}

/** A ticker open in this environment for the examples, or null (no index, nothing open, too slow). */
async function exampleTicker(kit: Kit): Promise<string | null> {
  const search = kit.deps.services.search;
  if (!search) return null;
  try {
    return (await withTimeout(search.example(), EXAMPLE_WAIT_MS, "help example"))?.ticker ?? null;
  } catch {
    return null;
  }
}

export function helpFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  c.command(
    ["start", "help"],
    kit.guard("help", async (ctx) => {
      // A deep link (t.me/<bot>?start=m_<ticker>) arrives as "/start m_<ticker>": it opens the card.
      if (ctx.msg.text.startsWith("/start") && (await openStartPayload(kit, ctx, ctx.match.trim()))) return;
      const ticker = await withTyping(ctx, () => exampleTicker(kit));
      await kit.ui.send(ctx, helpText(ticker));
    }),
  );
  return c;
}
