/**
 * The texts of "Close all": the one confirmation card (what will be sold, at what worst price, the
 * expected proceeds; what cannot be sold now and why) and the one result message, which tells every
 * position's outcome on its own line, so a partial failure is never hidden in a total.
 */
import { type Centis, micros, mulPriceCount } from "../domain/money.js";
import type { ClosePlan, CloseResult, CloseSkipped, CloseTarget } from "../trading/closeAll.js";
import { avgPrice, b, code, contractsText, exact, escapeHtml, fee, price, usd } from "./format.js";
import { withNothingPlaced } from "./placeOutcome.js";

const SIDE = (s: "yes" | "no") => s.toUpperCase();
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "10 YES of KX…": the position a line is about. */
function what(t: CloseTarget, count = t.count): string {
  return `${escapeHtml(contractsText(count))} ${SIDE(t.outcome)} of ${code(t.ticker)}`;
}

function skippedLines(skipped: CloseSkipped[], describe: (e: unknown) => string): string[] {
  if (skipped.length === 0) return [];
  return [
    `<b>Can't be sold now</b> (left as they are):`,
    ...skipped.map((s) => `• ${what(s.target)}: ${escapeHtml(describe(s.reason))}`),
  ];
}

/** The confirmation card: nothing is sold before its Confirm. */
export function closeAllCard(plan: ClosePlan, describe: (e: unknown) => string, timeoutMs: number): string {
  const n = plan.planned.length;
  if (n === 0) {
    return [`<b>Close all</b>: nothing can be sold right now.`, ...skippedLines(plan.skipped, describe)].join(
      "\n",
    );
  }
  const lines = [
    `<b>Close all: sell ${plural(n, "position", "positions")} at market?</b>`,
    ...plan.planned.map(
      (p, i) =>
        `${i + 1}. ${b(p.target.title)}\n   Sell ${what(p.target, p.quote.intent.count)} · worst ${price(p.quote.price)} · est. ${exact(p.net)}`,
    ),
    `Est. proceeds: ${usd(plan.net)} after ≈ ${fee(plan.fees)} in fees`,
    "Each sell fills now at its worst price or better; a part that does not fill is not sold and stays yours.",
    ...skippedLines(plan.skipped, describe),
    `Expires in ${Math.round(timeoutMs / 1000)} s`,
  ];
  return lines.join("\n");
}

/** One result line of a sell that was placed. */
function placedLine(r: CloseResult & { outcome: { kind: "placed" } }): string {
  const res = r.outcome.result;
  const want = r.quote.intent.count;
  const filled = res.filledCount;
  const sold = `at avg ${avgPrice(res.averagePrice)} · fee ${fee(res.fees)}`;
  if (filled >= want) return `✅ Sold ${what(r.target, filled)} ${sold}`;
  const rest = (want - filled) as Centis;
  const why =
    res.unfilled?.reason === "no_position"
      ? `you held only ${escapeHtml(contractsText(res.unfilled.held ?? filled))}`
      : `nobody bought at ${price(r.quote.price)} or better`;
  if (filled <= 0) return `❌ Not sold: ${what(r.target, want)}: ${why}. Nothing filled.`;
  return `⚠️ Sold ${escapeHtml(contractsText(filled))} of ${what(r.target, want)} ${sold}; the other ${escapeHtml(contractsText(rest))} did not sell: ${why}.`;
}

function resultLine(r: CloseResult, describe: (e: unknown) => string): string {
  const o = r.outcome;
  switch (o.kind) {
    case "placed":
      return placedLine({ ...r, outcome: o });
    case "rejected":
      return `❌ Not sold: ${what(r.target, r.quote.intent.count)}: ${escapeHtml(withNothingPlaced(describe(o.cause)))}`;
    case "requote":
      return `❌ Not sold: ${what(r.target, r.quote.intent.count)}: ${o.reason === "expired" ? "the price expired" : `the price fell below ${price(r.quote.price)}`}; nothing was placed.`;
    case "unknown":
      return `❓ ${what(r.target, r.quote.intent.count)}: I couldn't confirm whether the sell was placed. Check /orders and /portfolio before selling it again.`;
  }
}

/** The one result message: a line per position, then what was sold in total. */
export function closeAllResult(
  results: CloseResult[],
  skipped: CloseSkipped[],
  describe: (e: unknown) => string,
): string {
  let proceeds = 0;
  let fees = 0;
  let sold = 0;
  for (const r of results) {
    if (r.outcome.kind !== "placed" || r.outcome.result.filledCount <= 0) continue;
    const res = r.outcome.result;
    sold++;
    proceeds += res.averagePrice === null ? 0 : mulPriceCount(res.averagePrice, res.filledCount, "floor");
    fees += res.fees;
  }
  const total = results.length + skipped.length;
  return [
    `<b>Close all</b>: sold ${sold} of ${plural(total, "position", "positions")}.`,
    ...results.map((r) => resultLine(r, describe)),
    ...skipped.map((s) => `❌ Not sold: ${what(s.target)}: ${escapeHtml(describe(s.reason))}`),
    ...(sold > 0
      ? [
          `Proceeds ≈ ${usd(micros(proceeds))}, fees ${fee(micros(fees))}. /portfolio shows what you hold now.`,
        ]
      : ["/portfolio shows what you hold now."]),
  ].join("\n");
}
