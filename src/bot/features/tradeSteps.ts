/**
 * The questions /buy and /sell ask before a quote: whatever the shortcut ("/buy TICKER yes 10 @0.42")
 * leaves out is asked one step at a time, each step one `ask()` (src/bot/conversations/ask.ts). A
 * step returns null when the conversation ends there (cancelled, or nothing to trade; the user has
 * been told why).
 */
import { type Centis, type Micros, displayCount, displayPrice } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";
import type { MarketInfo, OrderIntent, PositionView, TradeAction } from "../../trading/types.js";
import type { Kit } from "../context.js";
import { type Asker, again, answered, plain, read } from "../conversations/ask.js";
import type { RunOnce } from "../conversations/external.js";
import { escapeHtml } from "../format.js";
import { parseCountInput, parsePriceInput, parseTradeArgs } from "../parse.js";
import { marketCard, positionButtonLabel, sidePrices } from "../views.js";
import { openMarket } from "./tradeMarket.js";

/** What the steps of one trade conversation share. */
export interface TradeTalk {
  kit: Kit;
  asker: Asker;
  ext: RunOnce;
}

/** JSON-serializable arguments of the trade conversation: the action and what the command or a market card said. */
export interface TradeStart {
  action: TradeAction;
  /** Text after the command, e.g. "KXHIGHNY-26NOV25-B45 yes 10 @0.42". */
  text?: string;
  ticker?: string;
  outcome?: OutcomeSide;
}

const COUNT_CHOICES = [1, 5, 10, 25];

/** Asks whatever the start left open, in order: position (sell), market, side, count, kind, limit. */
export async function askIntent(t: TradeTalk, start: TradeStart): Promise<OrderIntent | null> {
  const args = parseTradeArgs(start.text ?? "");
  let ticker = start.ticker ?? args.ticker;
  let outcome = start.outcome ?? args.outcome;
  let count: Centis | undefined = args.count;
  let limit: Micros | undefined = args.price;
  if (args.problems.length > 0) await t.asker.say(args.problems.join("\n"));

  if (start.action === "sell") {
    const position = await sellWhich(t, ticker, outcome);
    if (!position) return null;
    ticker = position.ticker;
    outcome = position.side;
    count = await sellHowMany(t, position, count);
  }
  const info = await openMarket(t, start.action, ticker);
  if (!info) return null;
  outcome ??= (await askOutcome(t, info)) ?? undefined;
  if (!outcome) return null;
  count ??= (await askCount(t, outcome)) ?? undefined;
  if (count === undefined) return null;

  let kind: "market" | "limit" = limit !== undefined ? "limit" : "market";
  if (limit === undefined) {
    const k = await askKind(t);
    if (!k) return null;
    kind = k.kind;
    limit = k.limit;
    if (kind === "limit" && limit === undefined) {
      limit = (await askLimit(t, outcome)) ?? undefined;
      if (limit === undefined) return null;
    }
  }
  return {
    ticker: info.market.ticker,
    outcome,
    action: start.action,
    count,
    kind,
    ...(kind === "limit" && limit !== undefined ? { limitPrice: limit } : {}),
  };
}

/** The open position to sell: the one named, or one picked from buttons; null when none. */
async function sellWhich(
  t: TradeTalk,
  ticker: string | undefined,
  outcome: OutcomeSide | undefined,
): Promise<PositionView | null> {
  const pv = await t.ext(() => t.kit.deps.services.portfolio.view());
  if (!pv.ok) {
    await t.asker.say(pv.message);
    return null;
  }
  const open = pv.value.positions.filter((p) => !p.settled && p.count > 0);
  if (ticker) {
    const named = open.find((p) => p.ticker === ticker && (!outcome || p.side === outcome));
    if (named) return named;
    const side = outcome ? outcome.toUpperCase() + " " : "";
    await t.asker.say(`You hold no ${side}position in ${ticker}, so there is nothing to sell.`);
    if (open.length === 0) return null;
  }
  if (open.length === 0) {
    await t.asker.say("You have no open positions to sell.");
    return null;
  }
  const question = "Which position do you want to sell?";
  const label = (p: PositionView) => positionButtonLabel(p);
  const at = (a: string) => (/^p\d+$/.test(a) ? open[Number(a.slice(1))] : undefined);
  return t.asker.ask({
    prompt: plain(question),
    buttons: open.slice(0, 20).map((p, i) => [[label(p), `p${i}`]]),
    tap: at,
    tapped: (a) => answered(question, escapeHtml(label(at(a)!))),
    typed: (text) => {
      const found = open.find((p) => p.ticker === text.trim().toUpperCase());
      if (found) return read(found);
      return again(`You hold no position in “${text.trim()}”. Tap one of the positions above, or /cancel.`);
    },
  });
}

/** A sell of more than is held sells all of it (and says so); no count given sells all. */
async function sellHowMany(t: TradeTalk, position: PositionView, count: Centis | undefined): Promise<Centis> {
  if (count === undefined) return position.count;
  if (count <= position.count) return count;
  await t.asker.say(
    `You hold only ${displayCount(position.count)} ${position.side.toUpperCase()}; selling all of them.`,
  );
  return position.count;
}

/** YES or NO (buy only; a sell takes the position's side), under the market card. */
function askOutcome(t: TradeTalk, info: MarketInfo): Promise<OutcomeSide | null> {
  const p = sidePrices(info);
  const fmt = (m: Micros | null) => (m === null ? "no offers" : displayPrice(m));
  const question = `${marketCard(info, t.kit.deps.config.timeZone, t.kit.now())}\n\nBuy YES or NO?`;
  const side = (v: string): OutcomeSide | undefined => (v === "yes" || v === "no" ? v : undefined);
  return t.asker.ask({
    prompt: question,
    buttons: [
      [
        [`YES ${fmt(p.yesAsk)}`, "yes"],
        [`NO ${fmt(p.noAsk)}`, "no"],
      ],
    ],
    tap: side,
    tapped: (a) => answered(question, a.toUpperCase()),
    typed: (text) => {
      const v = side(text.trim().toLowerCase());
      return v ? read(v) : again("Please tap YES or NO (or type yes / no), or /cancel.");
    },
  });
}

/** How many contracts: a button or a typed number. */
function askCount(t: TradeTalk, outcome: OutcomeSide): Promise<Centis | null> {
  const question = `How many ${outcome.toUpperCase()} contracts?`;
  const parse = (s: string) => {
    const parsed = parseCountInput(s);
    return parsed.ok ? read(parsed.value) : again<Centis>(`${parsed.message} Or /cancel.`);
  };
  return t.asker.ask({
    prompt: plain(`${question} Tap a number or type one.`),
    buttons: [COUNT_CHOICES.map((n) => [String(n), `c${n}`])],
    tap: (a) => {
      const r = /^c\d+$/.test(a) ? parse(a.slice(1)) : undefined;
      return r?.ok ? r.value : undefined;
    },
    tapped: (a) => answered(question, a.slice(1)),
    typed: parse,
  });
}

type OrderKind = { kind: "market"; limit?: undefined } | { kind: "limit"; limit?: Micros };

/** Market or limit; a typed price answers this step too (a limit at that price). */
function askKind(t: TradeTalk): Promise<OrderKind | null> {
  const question = "Market order or limit order?";
  const choice = (v: string): OrderKind | undefined =>
    v === "km" || v === "market"
      ? { kind: "market" }
      : v === "kl" || v === "limit"
        ? { kind: "limit" }
        : undefined;
  return t.asker.ask<OrderKind>({
    prompt: plain(question),
    buttons: [
      [
        ["Market", "km"],
        ["Limit", "kl"],
      ],
    ],
    tap: (a) => (a === "km" || a === "kl" ? choice(a) : undefined),
    tapped: (a) => answered(question, a === "km" ? "Market" : "Limit"),
    typed: (text) => {
      const k = choice(text.trim().toLowerCase());
      if (k) return read(k);
      const p = parsePriceInput(text);
      return p.ok
        ? read({ kind: "limit", limit: p.value })
        : again("Please tap Market or Limit, or /cancel.");
    },
  });
}

/** The limit price, typed. */
function askLimit(t: TradeTalk, outcome: OutcomeSide): Promise<Micros | null> {
  return t.asker.ask({
    prompt: plain(`Send the limit price for ${outcome.toUpperCase()}, for example 0.42 or 42c.`),
    typed: (text) => {
      const p = parsePriceInput(text);
      return p.ok ? read(p.value) : again(`${p.message} Or /cancel.`);
    },
  });
}
