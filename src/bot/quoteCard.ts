/**
 * The quote card: what the order will do, in figures a trader can check. A buy shows its cost, fee,
 * max loss and payout; a market order also the walk of the book (fillEstimate.ts) with the part that
 * would not fill within the cap. A sell speaks of a sell: proceeds at the expected fill beside the
 * worst case, the fee at that fill and the P&L against entry; a resting limit sell says no cash moves
 * until it fills.
 */
import {
  type Centis,
  type Micros,
  complementPrice,
  displayCount,
  mulPriceCount,
  subMicros,
} from "../domain/money.js";
import { sizingSentence } from "../trading/dollarSizing.js";
import type { Quote } from "../trading/types.js";
import { avgPrice, b, contractsText, escapeHtml, exact, fee, price, usd } from "./format.js";
import { closingSentence, marketLine } from "./views.js";

const SIDE = (s: "yes" | "no") => s.toUpperCase();

/** "Fills ≈ 10 at avg $0.634, worst $0.64" and, when the book is too thin, the part that would not fill. */
function fillLines(q: Quote): string[] {
  const f = q.fill;
  if (!f) return [];
  const i = q.intent;
  const lines =
    f.filled > 0
      ? [`Fills ≈ ${displayCount(f.filled)} at avg ${avgPrice(f.averagePrice)}, worst ${price(f.worstPrice)}`]
      : [];
  if (f.unfilled > 0) {
    const bound = i.action === "buy" ? "at or below" : "at or above";
    lines.push(
      `${displayCount(f.unfilled)} of ${displayCount(i.count)} would not fill ${bound} ${price(q.price)}${i.kind === "market" ? " (a market order cancels that part)" : ""}`,
    );
  }
  return lines;
}

/** P&L of the contracts sold against their average entry, after the sell's fee. */
function sellPnlLine(q: Quote, proceeds: Micros, feeAmount: Micros, sold: Centis, suffix: string): string[] {
  if (q.entryPrice === undefined || q.entryPrice === null) return [];
  const pnl = subMicros(subMicros(proceeds, feeAmount), mulPriceCount(q.entryPrice, sold));
  return [`P&amp;L against your entry (avg ${avgPrice(q.entryPrice)}): ${usd(pnl, { sign: true })}${suffix}`];
}

/** A sell's figures: what it brings at the expected fill, the worst case, the fee, P&L; or, resting, when. */
function sellLines(q: Quote): string[] {
  const i = q.intent;
  if (i.kind === "limit" && q.crosses === false) {
    return [
      "Rests on the book: no cash moves until a buyer takes it.",
      `When it fills: you receive ${exact(q.estimatedCost)}, fee ${fee(q.estimatedFee)}`,
      ...sellPnlLine(q, q.estimatedCost, q.estimatedFee, i.count, ` if all ${displayCount(i.count)} fill`),
    ];
  }
  const f = q.fill;
  const proceeds = f ? f.value : q.estimatedCost;
  const feeAmount = f ? f.fee : q.estimatedFee;
  // Worst case: each contract that fills goes at the cap. With a part that would not fill, that is
  // the filled part at the cap (the whole count at the cap came out above the estimate itself).
  const worst = !f
    ? ` (at ${price(q.price)} or better)`
    : f.unfilled === 0
      ? ` (worst case ${exact(q.estimatedCost)})`
      : f.filled > 0
        ? ` (worst case ${exact(mulPriceCount(q.price, f.filled))} for the ${displayCount(f.filled)} that fill)`
        : "";
  return [
    ...fillLines(q),
    `Est. proceeds: ${exact(proceeds)}${worst}`,
    `Est. fee: ${fee(feeAmount)}`,
    ...sellPnlLine(q, proceeds, feeAmount, f ? f.filled : i.count, ""),
    `Cash after: ≈ ${usd(q.balanceAfter)} (now ${usd(q.balance)})`,
  ];
}

export function quoteCard(q: Quote, confirmTimeoutMs: number, note?: string): string {
  const i = q.intent;
  const verb = i.action === "buy" ? "Buy" : "Sell";
  const how = i.kind === "limit" ? `limit ${price(q.price)}` : `at market, worst price ${price(q.price)}`;
  const secs = Math.round(confirmTimeoutMs / 1000);
  const lines = [
    `<b>Please confirm</b>`,
    marketLine(q.marketTitle, i.ticker),
    `${b(`${verb} ${contractsText(i.count)} ${SIDE(i.outcome)}`)} ${how}`,
  ];
  if (note !== undefined) lines.push(escapeHtml(note));
  if (q.sizing) lines.push(escapeHtml(sizingSentence(q.sizing, i.outcome, q.price)));
  if (i.action === "sell") {
    lines.push(...sellLines(q), `Expires in ${secs} s`);
    return lines.join("\n");
  }
  const c = q.closes;
  lines.push(...fillLines(q));
  if (c) {
    const opening = (i.count - c.count) as Centis;
    const other = SIDE(c.outcome);
    lines.push(
      escapeHtml(closingSentence(c, { outcome: i.outcome, count: opening }, "quote")),
      `Est. proceeds from your ${displayCount(c.count)} ${other}: ${exact(c.estimatedProceeds)} (at ${price(complementPrice(q.price))} or better)`,
    );
    if (opening > 0)
      lines.push(`Est. cost of ${displayCount(opening)} ${SIDE(i.outcome)}: ${exact(q.estimatedCost)}`);
  } else if (q.fill) {
    lines.push(`Est. cost: ${exact(q.fill.value)} (worst case ${exact(q.estimatedCost)})`);
  } else {
    // Exact, so a sub-cent cost and its fee add up to the whole cents the balance moves by.
    lines.push(`Est. cost: ${exact(q.estimatedCost)}`);
  }
  const payoutParts =
    c && c.count < i.count
      ? ` (${usd(c.estimatedProceeds)} now + ${usd(subMicros(q.maxPayout, c.estimatedProceeds))} if ${SIDE(i.outcome)} wins)`
      : "";
  lines.push(
    // The fee shown is for the expected fill when there is one (issue 13); the balance check uses the worst case.
    `Est. fee: ${fee(q.fill && !c ? q.fill.fee : q.estimatedFee)}`,
    `Max loss: ${usd(q.maxLoss)}`,
    `Max payout: ${usd(q.maxPayout)}${payoutParts}`,
    `Balance after: ${usd(q.balanceAfter)} (now ${usd(q.balance)})`,
    `Expires in ${secs} s`,
  );
  return lines.join("\n");
}
