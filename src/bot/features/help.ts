import { Composer } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { code, escapeHtml } from "../format.js";

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
    example: "/buy KXHIGHNY-26NOV25-B45 yes 10 @0.42",
  },
  { command: "sell", description: "Sell from an open position", example: "/sell KXHIGHNY-26NOV25-B45 yes 5" },
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
    example: "/market KXHIGHNY-26NOV25-B45",
  },
  { command: "search", description: "Find markets by words", example: "/search highest temperature NYC" },
  { command: "browse", description: "Browse open markets by category", example: "/browse" },
  { command: "balance", description: "Cash and portfolio value", example: "/balance" },
  {
    command: "account",
    description: "Cash per shard and your API key's location check",
    example: "/account",
  },
  { command: "history", description: "Your trades (7d, 30d or two dates)", example: "/history 30d" },
  { command: "export", description: "Trades as a CSV file", example: "/export 2026-11-01 2026-11-24" },
  { command: "pnl", description: "Realized P&L chart (7d, 30d, 90d or all)", example: "/pnl 30d" },
  { command: "alerts", description: "Fill alerts: on, silent or off", example: "/alerts silent" },
  { command: "help", description: "What this bot can do", example: "/help" },
];

function helpText(): string {
  const lines = ["<b>Trade on Kalshi from here.</b> Commands:"];
  for (const c of COMMANDS) {
    lines.push(`/${c.command} — ${escapeHtml(c.description)}`, `    e.g. ${code(c.example)}`);
  }
  lines.push(
    "",
    "Prices are per contract: 0.42, 42c and @42¢ all mean $0.42. Every order shows a quote to confirm first.",
  );
  return lines.join("\n");
}

export function helpFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  c.command(
    ["start", "help"],
    kit.guard("help", (ctx) => kit.ui.send(ctx, helpText())),
  );
  return c;
}
