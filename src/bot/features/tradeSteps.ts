/**
 * The questions /buy and /sell ask before a quote, as a list of steps over one draft order: whatever
 * the shortcut ("/buy TICKER yes 10 @0.42") leaves out is asked one step at a time
 * (./tradeQuestions.ts). A step asked after another one has ◀ Back, which asks the step before again
 * (and everything after it). When the quote refuses a value (a cap, the balance, an off-grid price),
 * `reopen` clears that one step and it is asked again with the reason: a bad value never ends the order.
 */
import type { Centis, Micros } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";
import type { MarketInfo, OrderIntent, PositionView, TradeAction } from "../../trading/types.js";
import type { Kit } from "../context.js";
import type { Asker } from "../conversations/ask.js";
import type { RunOnce } from "../conversations/external.js";
import { parseTradeArgs } from "../parse.js";
import { askKind, askLimit, askOutcome, askSellCount, limitOnGrid } from "./tradeQuestions.js";
import { askCount, forgetKind } from "./tradeCount.js";
import { openMarket } from "./tradeMarket.js";
import { capAtHolding, sellWhich } from "./tradeSell.js";

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
  /** A preset count (a position card's "Sell 50%", "Again", a dollar amount turned into contracts). */
  count?: Centis;
  /** A preset kind: a card that presets the count and "market" goes straight to the quote. */
  kind?: "market" | "limit";
  /** The limit price of a preset "limit" kind. */
  limit?: Micros;
  /** One line the quote card shows above its figures while the preset count stands ("50% of 7 is 3.5; selling 3"). */
  note?: string;
}

export type StepName = "position" | "market" | "side" | "count" | "kind" | "limit";

/** The order as far as it is known; each step fills its part. */
export interface Draft {
  action: TradeAction;
  /** Search words from the command (`/buy bitcoin 100k`), used once by the market step. */
  search?: string;
  ticker?: string;
  info?: MarketInfo;
  position?: PositionView;
  outcome?: OutcomeSide;
  count?: Centis;
  kind?: "market" | "limit";
  limit?: Micros;
  /** Dollars to spend instead of a count (a buy): the quote sizes the order (src/trading/dollarSizing.ts). */
  dollars?: Micros;
  /** The count step picked the kind (a tapped count buys at market; "Limit…"): no separate kind question. */
  kindByCount?: boolean;
  /** The start's note about the count; dropped when the count step is asked again. */
  note?: string;
  /** Why a step is asked again (the quote refused its value): said in that step's prompt. */
  why?: { step: StepName; sentence: string };
}

/** What a step did: filled its part, went back, or ended the conversation (the user was told why). */
export type StepDone = "next" | "back" | "end";

interface Step {
  name: StepName;
  applies(d: Draft): boolean;
  done(d: Draft): boolean;
  clear(d: Draft): void;
  /** `back`: a step comes before this one (offer ◀ Back); `why`: the reason it is asked again. */
  ask(t: TradeTalk, d: Draft, back: boolean, why?: string): Promise<StepDone>;
}

const always = () => true;

const MARKET: Step = {
  name: "market",
  applies: always,
  done: (d) => d.info !== undefined,
  clear: (d) => void (delete d.ticker, delete d.info, delete d.search),
  ask: (t, d, back, why) => openMarket(t, d, back, why),
};
const POSITION: Step = {
  name: "position",
  applies: always,
  done: (d) => d.position !== undefined && d.info !== undefined,
  clear: (d) => void (delete d.ticker, delete d.outcome, delete d.position, delete d.info, delete d.search),
  async ask(t, d) {
    const p = await sellWhich(t, d);
    if (!p) return "end";
    Object.assign(d, { position: p, ticker: p.ticker, outcome: p.side });
    const opened = await openMarket(t, d, false);
    if (opened !== "next") return "end";
    if (d.count !== undefined) {
      const capped = await capAtHolding(t, p, d.count);
      if (capped !== d.count) delete d.note; // the note spoke of the count before the cap
      d.count = capped;
    }
    return "next";
  },
};
const SIDE: Step = {
  name: "side",
  applies: always,
  done: (d) => d.outcome !== undefined,
  clear: (d) => void delete d.outcome,
  ask: askOutcome,
};
const COUNT: Step = {
  name: "count",
  applies: always,
  done: (d) => d.count !== undefined || d.dollars !== undefined,
  clear: (d) => void (delete d.count, delete d.note, delete d.dollars, forgetKind(d)),
  ask: (t, d, back, why) => (d.action === "sell" ? askSellCount(t, d, back, why) : askCount(t, d, back, why)),
};
const KIND: Step = {
  name: "kind",
  applies: (d) => !d.kindByCount,
  done: (d) => d.kind !== undefined,
  clear: (d) => void (delete d.kind, delete d.limit),
  ask: askKind,
};
const LIMIT: Step = {
  name: "limit",
  applies: (d) => d.kind === "limit",
  done: (d) => d.limit !== undefined && limitOnGrid(d),
  clear: (d) => void delete d.limit,
  ask: askLimit,
};

const STEPS: Record<TradeAction, Step[]> = {
  buy: [MARKET, SIDE, COUNT, KIND, LIMIT],
  sell: [POSITION, COUNT, KIND, LIMIT],
};

/** The draft of a /buy or /sell as its command or market card started it; unreadable parts are said. */
export async function startDraft(t: TradeTalk, start: TradeStart): Promise<Draft> {
  const args = parseTradeArgs(start.text ?? "");
  const d: Draft = { action: start.action };
  if (args.dollars !== undefined && start.action === "sell")
    args.problems.push("A dollar amount sizes buys only; say how many contracts to sell.");
  else if (args.dollars !== undefined) d.dollars = args.dollars;
  if (args.problems.length > 0) await t.asker.say(args.problems.join("\n"));
  const ticker = start.ticker ?? args.ticker;
  const outcome = start.outcome ?? args.outcome;
  if (ticker !== undefined) d.ticker = ticker;
  else if (args.search !== undefined) d.search = args.search;
  if (outcome !== undefined) d.outcome = outcome;
  const count = start.count ?? args.count;
  if (count !== undefined) d.count = count;
  if (args.price !== undefined) Object.assign(d, { kind: "limit", limit: args.price });
  if (start.kind === "market") d.kind = "market";
  if (start.kind === "limit" && start.limit !== undefined)
    Object.assign(d, { kind: "limit", limit: start.limit });
  if (start.note !== undefined && d.count !== undefined) d.note = start.note;
  return d;
}

/** Asks whatever the draft leaves open, in order; null when the conversation ended on a step. */
export async function askIntent(t: TradeTalk, d: Draft): Promise<OrderIntent | null> {
  const steps = STEPS[d.action];
  for (let i = 0; i < steps.length;) {
    const step = steps[i]!;
    if (!step.applies(d) || step.done(d)) {
      i++;
      continue;
    }
    const prev = previousStep(steps, d, i);
    const why = d.why?.step === step.name ? d.why.sentence : undefined;
    delete d.why;
    const r = await step.ask(t, d, prev >= 0, why);
    if (r === "end") return null;
    if (r === "back") {
      for (let j = prev; j < steps.length; j++) steps[j]!.clear(d);
      i = prev;
    } else i++;
  }
  const { info, outcome, count, dollars, kind } = d;
  if (!info || !outcome || (count === undefined && dollars === undefined) || !kind) return null;
  return {
    ticker: info.market.ticker,
    outcome,
    action: d.action,
    // With dollars the quote sets the count (the largest that fits them).
    count: count ?? (0 as Centis),
    kind,
    ...(kind === "limit" && d.limit !== undefined ? { limitPrice: d.limit } : {}),
    ...(count === undefined && dollars !== undefined ? { budget: dollars } : {}),
  };
}

function previousStep(steps: Step[], d: Draft, i: number): number {
  for (let j = i - 1; j >= 0; j--) if (steps[j]!.applies(d)) return j;
  return -1;
}

/** Which step a quote refusal (its UserError code) asks again. */
const REFUSED_STEP: Record<string, StepName> = {
  invalid_price: "limit",
  invalid_count: "count",
  over_contract_limit: "count",
  over_cost_limit: "count",
  insufficient_balance: "count",
  over_position: "count",
  budget_too_small: "count",
  no_liquidity: "kind",
  market_closed: "market",
  unknown_market: "market",
};

/**
 * Clears the step a refusal is about, to be asked again with `sentence`; false when the refusal is
 * about nothing the user can change here (the order then ends).
 */
export function reopenRefused(d: Draft, code: string | undefined, sentence: string): boolean {
  const refused = code === undefined ? undefined : REFUSED_STEP[code];
  // A kind the count step picked (a tapped count buys at market) is asked again there.
  const name = refused === "kind" && d.kindByCount ? "count" : refused;
  const step = STEPS[d.action].find((s) => s.name === name && s.applies(d));
  if (!step) return false;
  step.clear(d);
  d.why = { step: step.name, sentence };
  return true;
}

/** Clears the last question asked before the quote (◀ Back on the quote card). */
export function reopenLast(d: Draft): void {
  const steps = STEPS[d.action].filter((s) => s.applies(d));
  steps.at(-1)?.clear(d);
}
