/**
 * The single questions of /buy and /sell after the market is known: side, a sell's count, market or
 * limit, limit price (a buy's count: ./tradeCount.ts). Each is one ask() (../conversations/ask.ts) that fills its part of the draft. A value
 * that is readable but not acceptable (over a cap, more than is held, off the price grid) asks the
 * same question again with the reason at the top, so the trader fixes it with one more message.
 */
import { type Centis, type Micros, displayCount, displayPrice } from "../../domain/money.js";
import type { OutcomeSide } from "../../exchange/port.js";
import { BACK, type Question, again, answered, plain, read } from "../conversations/ask.js";
import { escapeHtml } from "../format.js";
import { parseCountInput, parsePriceInput } from "../parse.js";
import { marketCard, sidePrices } from "../views.js";
import { offGrid } from "./tradeGrid.js";
import type { Draft, StepDone, TradeTalk } from "./tradeSteps.js";

/** The counts offered as buttons. */
export const COUNT_CHOICES = [1, 5, 10, 25];

/** The question, under the reason it is asked again (both HTML). */
export const withWhy = (why: string | undefined, question: string) =>
  why === undefined ? question : `${escapeHtml(why)}\n\n${question}`;

/** YES or NO (buy only; a sell takes the position's side), under the market card. */
export async function askOutcome(t: TradeTalk, d: Draft, back: boolean): Promise<StepDone> {
  const p = sidePrices(d.info!);
  const fmt = (m: Micros | null) => (m === null ? "no offers" : displayPrice(m));
  const question = `${marketCard(d.info!, t.kit.deps.config.timeZone, t.kit.now())}\n\nBuy YES or NO?`;
  const side = (v: string): OutcomeSide | undefined => (v === "yes" || v === "no" ? v : undefined);
  const got = await t.asker.ask({
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
    back,
  });
  if (got === null) return "end";
  if (got === BACK) return "back";
  d.outcome = got;
  return "next";
}

/** The caps' sentence for `count` (MAX_ORDER_CONTRACTS, MAX_ORDER_COST_DOLLARS), or null when it fits. */
export async function sizeProblem(t: TradeTalk, d: Draft, count: Centis): Promise<string | null> {
  const { executor } = t.kit.deps.services;
  if (!executor.checkSize || !d.info || !d.outcome) return null;
  const ask = d.outcome === "yes" ? d.info.bestYesAsk : d.info.bestNoAsk;
  const draft = {
    ticker: d.info.market.ticker,
    action: d.action,
    outcome: d.outcome,
    count,
    price: d.limit ?? (d.action === "buy" ? ask : null),
  };
  const r = await t.ext(() => executor.checkSize!(draft), false);
  // Only a refusal counts: when the check itself failed, the quote checks the caps again.
  return !r.ok && r.userError ? r.message : null;
}

/** Asks `q` until its value passes `check` (null: fine); each failure asks again with its sentence. */
export async function askChecked<T>(
  t: TradeTalk,
  question: (why: string | undefined) => Question<T>,
  check: (value: T) => Promise<string | null>,
  firstWhy?: string,
): Promise<T | null | typeof BACK> {
  for (let why = firstWhy; ;) {
    const got = await t.asker.ask(question(why));
    if (got === null || got === BACK) return got;
    const problem = await check(got);
    if (problem === null) return got;
    why = problem;
  }
}

/** How many of the position to sell: All is the first button (preselected); a part can be typed. */
export async function askSellCount(t: TradeTalk, d: Draft, back: boolean, why?: string): Promise<StepDone> {
  const held = d.position!.count;
  const side = d.outcome!.toUpperCase();
  const question = `How many ${side} contracts do you want to sell? You hold ${displayCount(held)}.`;
  const parse = (s: string) => {
    const parsed = parseCountInput(s);
    if (!parsed.ok) return again<Centis>(`${parsed.message} Or /cancel.`);
    if (parsed.value > held)
      return again<Centis>(
        `You hold ${displayCount(held)} ${side}; send ${displayCount(held)} or fewer, or tap All.`,
      );
    return read(parsed.value);
  };
  const parts = COUNT_CHOICES.filter((n) => n * 100 < held);
  const got = await askChecked<Centis>(
    t,
    (reason) => ({
      prompt: withWhy(reason, plain(`${question} Tap All, a number, or type one.`)),
      buttons: [
        [[`✅ All ${displayCount(held)}`, "call"]],
        ...(parts.length ? [parts.map((n) => [String(n), `c${n}`] as [string, string])] : []),
      ],
      tap: (a) => {
        if (a === "call") return held;
        const r = /^c\d+$/.test(a) ? parse(a.slice(1)) : undefined;
        return r?.ok ? r.value : undefined;
      },
      tapped: (a) => answered(escapeHtml(question), a === "call" ? `All ${displayCount(held)}` : a.slice(1)),
      typed: parse,
      back,
    }),
    (n) => sizeProblem(t, d, n),
    why,
  );
  return settle(got, (n) => (d.count = n));
}

type OrderKind = { kind: "market"; limit?: undefined } | { kind: "limit"; limit?: Micros };

/** Market or limit; a typed price answers this step too (a limit at that price). */
export async function askKind(t: TradeTalk, d: Draft, back: boolean, why?: string): Promise<StepDone> {
  const question = "Market order or limit order?";
  const choice = (v: string): OrderKind | undefined =>
    v === "km" || v === "market"
      ? { kind: "market" }
      : v === "kl" || v === "limit"
        ? { kind: "limit" }
        : undefined;
  const got = await t.asker.ask<OrderKind>({
    prompt: withWhy(why, plain(question)),
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
    back,
  });
  return settle(got, (k) => {
    d.kind = k.kind;
    if (k.limit !== undefined) d.limit = k.limit;
  });
}

/** True when the draft's limit price is on the market's grid (or nothing to check yet). */
export function limitOnGrid(d: Draft): boolean {
  return (
    d.limit === undefined || !d.info || !d.outcome || offGrid(d.info.market, d.outcome, d.limit) === null
  );
}

/** The limit price: typed, or one of the nearest valid prices after one off the grid. */
export async function askLimit(t: TradeTalk, d: Draft, back: boolean, why?: string): Promise<StepDone> {
  const outcome = d.outcome!;
  const market = d.info!.market;
  const question = plain(`Send the limit price for ${outcome.toUpperCase()}, for example 0.42 or 42c.`);
  const grid = (p: Micros) => offGrid(market, outcome, p);
  const first = d.limit !== undefined ? grid(d.limit) : null;
  let nearest: Micros[] = first?.nearest ?? [];
  const got = await askChecked<Micros>(
    t,
    (reason) => ({
      prompt:
        reason === undefined
          ? question
          : `${escapeHtml(reason)}\n${nearest.length ? plain(`Tap one, or send another price for ${outcome.toUpperCase()}.`) : question}`,
      buttons: nearest.length ? [nearest.map((p) => [displayPrice(p), `n${p}`] as [string, string])] : [],
      tap: (a) => nearest.find((p) => a === `n${p}`),
      tapped: (a) => answered(question, displayPrice(Number(a.slice(1)) as Micros)),
      typed: (text) => {
        const p = parsePriceInput(text);
        return p.ok ? read(p.value) : again(`${p.message} Or /cancel.`);
      },
      back,
    }),
    async (p) => {
      const off = grid(p);
      nearest = off?.nearest ?? [];
      return off?.sentence ?? null;
    },
    first?.sentence ?? why,
  );
  return settle(got, (p) => (d.limit = p));
}

/** A step's answer into the draft: Back, Cancel (ended) or a value. */
function settle<T>(got: T | null | typeof BACK, fill: (v: T) => void): StepDone {
  if (got === null) return "end";
  if (got === BACK) return "back";
  fill(got);
  return "next";
}
