/**
 * /portfolio as pages: the money lines, then each position numbered with its entry, price, value and
 * P&L (and its resting orders), then markets with only resting orders and the notes. A long portfolio
 * is cut into pages that each stay under Telegram's 4096 characters and hold at most
 * POSITIONS_PER_PAGE positions, so each page's keyboard carries exactly the sell buttons of the
 * positions that page shows (the keyboard itself is made by features/positionCards.ts).
 */
import { type Centis, CENTIS_PER_CONTRACT, displayCount } from "../domain/money.js";
import type { RestingOrderView } from "../trading/holdings.js";
import type { PortfolioView, PositionView } from "../trading/types.js";
import { avgPrice, b, code, contractsText, count, escapeHtml, price, usd, when } from "./format.js";
import { holdingsLines } from "./views.js";

const SIDE = (s: "yes" | "no") => s.toUpperCase();

/** Rows of four sell buttons: more would make the keyboard taller than a phone screen. */
export const POSITIONS_PER_PAGE = 10;

/** One page: its HTML body (without the environment header) and the positions it shows, numbered. */
export interface PortfolioPage {
  html: string;
  positions: { n: number; p: PositionView }[];
}

/** Whether a position can be sold from a button: open, not settled. */
export function sellable(p: PositionView): boolean {
  return !p.settled && p.count > 0;
}

/** `pct`% of a count in whole contracts (rounded down: a sell never takes more than asked). */
export function partOf(c: Centis, pct: number): { exact: Centis; whole: Centis } {
  const exact = Math.floor((c * pct) / 100) as Centis;
  const whole = (Math.floor(exact / CENTIS_PER_CONTRACT) * CENTIS_PER_CONTRACT) as Centis;
  return { exact, whole };
}

/** The quote card's line for a part: "50% of 7 is 3.5: selling 3 (whole contracts only)." */
export function partNote(held: Centis, pct: number): string {
  const { exact, whole } = partOf(held, pct);
  const of = `${pct}% of ${displayCount(held)} is ${displayCount(exact)}`;
  return exact === whole
    ? `${of}.`
    : `${of}: selling ${displayCount(whole)} (orders here are in whole contracts; rounded down).`;
}

/** The percentages a position's card offers: only those that sell at least one and less than all. */
export function offeredParts(p: PositionView): number[] {
  return [25, 50].filter((pct) => {
    const w = partOf(p.count, pct).whole;
    return w >= CENTIS_PER_CONTRACT && w < p.count;
  });
}

function restingLine(o: RestingOrderView): string {
  const holds = o.reserved > 0 ? ` (holds ${usd(o.reserved)})` : "";
  return `  Resting: ${o.action === "buy" ? "Buy" : "Sell"} ${count(o.remaining)} ${SIDE(o.outcome)} @ ${price(o.price)}${holds}`;
}

/** A position's lines; `n` numbers it as its buttons do. */
export function positionLines(p: PositionView, n: number | null, resting: RestingOrderView[]): string[] {
  return [
    n === null ? b(p.title) : `<b>${n}. ${escapeHtml(p.title)}</b>`,
    `  ${code(p.ticker)} · ${contractsText(p.count)} ${SIDE(p.side)}${p.settled ? " (settled)" : ""}`,
    `  entry ${avgPrice(p.averageEntry)} · now ${price(p.markPrice)} · value ${p.value === null ? "–" : usd(p.value)} · P&amp;L ${p.unrealizedPnl === null ? "–" : usd(p.unrealizedPnl, { sign: true })}`,
    ...resting.filter((o) => o.ticker === p.ticker).map(restingLine),
  ];
}

function headLines(v: PortfolioView): string[] {
  return [
    ...holdingsLines({ ...v, cash: v.balance, positionsValue: v.totalValue }),
    `Unrealized P&amp;L: ${usd(v.totalUnrealized, { sign: true })}`,
    `Realized P&amp;L: today ${usd(v.realized.today, { sign: true })} · 7d ${usd(v.realized.last7d, { sign: true })} · 30d ${usd(v.realized.last30d, { sign: true })} · all ${usd(v.realized.allTime, { sign: true })}`,
  ];
}

interface Block {
  lines: string[];
  position?: { n: number; p: PositionView };
}

/** Positions, then markets with resting orders only, then the notes: each a block kept whole. */
function blocksOf(v: PortfolioView): Block[] {
  const blocks: Block[] = v.positions.map((p, i) => ({
    lines: ["", ...positionLines(p, i + 1, v.restingOrders)],
    position: { n: i + 1, p },
  }));
  if (v.positions.length === 0 && v.restingOrders.length === 0)
    blocks.push({ lines: ["", "No open positions."] });
  // Markets with resting orders but no position, so every order's cash is seen somewhere.
  const held = new Set(v.positions.map((p) => p.ticker));
  for (const t of [...new Set(v.restingOrders.map((o) => o.ticker))].filter((x) => !held.has(x))) {
    const title = v.restingOrders.find((o) => o.ticker === t)!.title;
    const mine = v.restingOrders.filter((o) => o.ticker === t).map(restingLine);
    blocks.push({ lines: ["", b(title), `  ${code(t)}`, ...mine] });
  }
  if (v.notes.length) blocks.push({ lines: v.notes.map((n) => `<i>${escapeHtml(n)}</i>`) });
  return blocks;
}

/**
 * The portfolio cut into pages of at most `room` characters of HTML (the environment header comes on
 * top) and POSITIONS_PER_PAGE positions. Page 1 carries the money lines; each page says which it is.
 */
export function portfolioPages(v: PortfolioView, timeZone: string, room: number): PortfolioPage[] {
  const title = `<b>Portfolio</b> · ${when(v.asOf, timeZone)}`;
  const titleRoom = title.length + " · page 99 of 99".length;
  const chunks: { lines: string[]; positions: PortfolioPage["positions"] }[] = [
    { lines: headLines(v), positions: [] },
  ];
  let size = titleRoom + chunks[0]!.lines.join("\n").length;
  for (const blk of blocksOf(v)) {
    const add = blk.lines.join("\n").length + 1;
    const cur = chunks.at(-1)!;
    const full = blk.position && cur.positions.length >= POSITIONS_PER_PAGE;
    if ((size + add > room || full) && cur.lines.length > 0) {
      chunks.push({ lines: [], positions: [] });
      size = titleRoom;
    }
    const page = chunks.at(-1)!;
    page.lines.push(...blk.lines);
    if (blk.position) page.positions.push(blk.position);
    size += add;
  }
  return chunks.map((c, i) => {
    const mark = chunks.length > 1 ? ` · page ${i + 1} of ${chunks.length}` : "";
    return { html: [`${title}${mark}`, ...c.lines].join("\n"), positions: c.positions };
  });
}

/** One position on its own (the current one, after a stale button): the same lines, unnumbered. */
export function positionCard(p: PositionView, resting: RestingOrderView[]): string {
  return positionLines(p, null, resting).join("\n");
}
