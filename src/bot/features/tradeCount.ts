/**
 * The count step of /buy, built for one-handed use (issue 13): from a market card, Buy YES → a count
 * → Confirm is three taps. While the order kind is still open, a TAPPED count (or dollar amount) buys
 * at market and goes straight to the quote; "Limit…" is one tap away and asks the count, then the
 * price; a TYPED count or amount ("12", "$25") is a deliberate value and leaves the Market/Limit
 * question, as before. "$ amount" sizes the buy in dollars: the quote turns the amount into the
 * largest count whose worst-case cost plus fee fits (src/trading/dollarSizing.ts) and checks the caps
 * after that; a refusal asks this step again with the reason.
 */
import type { Centis, Micros } from "../../domain/money.js";
import { BACK, type Back, again, answered, plain, read } from "../conversations/ask.js";
import { parseCountInput, parseDollarAmount } from "../parse.js";
import { COUNT_CHOICES, askChecked, sizeProblem, withWhy } from "./tradeQuestions.js";
import type { Draft, StepDone, TradeTalk } from "./tradeSteps.js";

/** The dollar amounts offered as buttons. */
const DOLLAR_CHOICES = [10, 25, 50, 100];

/** What the count question gave: a count or an amount (`market`: tapped, so at market), or a way on. */
type Answer =
  { count: Centis; market: boolean } | { dollars: Micros; market: boolean } | { to: "limit" | "dollars" };

/** How many contracts to buy (or for how many dollars), within the caps; see the top of the file. */
export async function askCount(t: TradeTalk, d: Draft, back: boolean, why?: string): Promise<StepDone> {
  for (let reason = why; ; reason = undefined) {
    const pickKind = d.kind === undefined;
    // After "Limit…", ◀ Back leads to the first count question again.
    const got = await askCountOnce(t, d, back || d.kindByCount === true, reason, pickKind);
    if (got === null) return "end";
    if (got === BACK) {
      if (!d.kindByCount) return "back";
      forgetKind(d);
      continue;
    }
    if ("to" in got && got.to === "limit") {
      Object.assign(d, { kind: "limit", kindByCount: true });
      continue;
    }
    const value = "to" in got ? await askDollars(t, d, pickKind) : got;
    if (value === null) return "end";
    if (value === BACK) continue;
    if ("count" in value) d.count = value.count;
    else d.dollars = value.dollars;
    if (value.market && pickKind) Object.assign(d, { kind: "market", kindByCount: true });
    return "next";
  }
}

/** The order kind the count step picked is dropped with it (the count is asked again). */
export function forgetKind(d: Draft): void {
  if (!d.kindByCount) return;
  delete d.kind;
  delete d.limit;
  delete d.kindByCount;
}

function askCountOnce(
  t: TradeTalk,
  d: Draft,
  back: boolean,
  why: string | undefined,
  pickKind: boolean,
): Promise<Answer | null | Back> {
  const side = d.outcome!.toUpperCase();
  const question = `How many ${side} contracts?`;
  const limitNext = d.kindByCount && d.kind === "limit" ? "\nLimit order: the price comes next." : "";
  const hint = pickKind
    ? "\nA tapped number buys at market. Limit… asks your price first; $ amount sizes the order in dollars (or type $25)."
    : `${limitNext}\nOr tap $ amount to size the order in dollars (or type $25).`;
  const parse = (s: string) => {
    if (s.trim().startsWith("$")) {
      const a = parseDollarAmount(s);
      return a.ok
        ? read<Answer>({ dollars: a.value, market: false })
        : again<Answer>(`${a.message} Or /cancel.`);
    }
    const n = parseCountInput(s);
    return n.ok ? read<Answer>({ count: n.value, market: false }) : again<Answer>(`${n.message} Or /cancel.`);
  };
  const tapOf = (a: string): Answer | undefined => {
    if (a === "lim" && pickKind) return { to: "limit" };
    if (a === "usd") return { to: "dollars" };
    const n = /^c\d+$/.test(a) ? parseCountInput(a.slice(1)) : null;
    return n?.ok ? { count: n.value, market: pickKind } : undefined;
  };
  const shown = (a: string) =>
    a === "lim" ? "Limit…" : a === "usd" ? "$ amount" : `${a.slice(1)}${pickKind ? " at market" : ""}`;
  return askChecked<Answer>(
    t,
    (reason) => ({
      prompt: withWhy(reason, plain(`${question} Tap a number or type one.${hint}`)),
      buttons: [
        COUNT_CHOICES.map((n) => [String(n), `c${n}`]),
        [["$ amount", "usd"], ...(pickKind ? [["Limit…", "lim"] as [string, string]] : [])],
      ],
      tap: tapOf,
      tapped: (a) => answered(question, shown(a)),
      typed: parse,
      back,
    }),
    (a) => ("count" in a ? sizeProblem(t, d, a.count) : Promise.resolve(null)),
    why,
  );
}

/** "$ amount": how many dollars to spend; a tapped amount buys at market while the kind is open. */
async function askDollars(
  t: TradeTalk,
  d: Draft,
  pickKind: boolean,
): Promise<{ dollars: Micros; market: boolean } | null | Back> {
  const question = `How many dollars of ${d.outcome!.toUpperCase()}?`;
  const hint = pickKind ? " A tapped amount buys at market." : "";
  const amount = (n: number) => (n * 1_000_000) as Micros;
  return t.asker.ask({
    prompt: plain(`${question} Tap an amount or type one, like 12.50.${hint}`),
    buttons: [DOLLAR_CHOICES.map((n) => [`$${n}`, `u${n}`])],
    tap: (a) => {
      const n = DOLLAR_CHOICES.find((x) => a === `u${x}`);
      return n === undefined ? undefined : { dollars: amount(n), market: pickKind };
    },
    tapped: (a) => answered(question, `$${a.slice(1)}${pickKind ? " at market" : ""}`),
    typed: (text) => {
      const a = parseDollarAmount(text, { bare: true });
      return a.ok ? read({ dollars: a.value, market: false }) : again(`${a.message} Or /cancel.`);
    },
    back: true,
  });
}
