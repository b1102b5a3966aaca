/** Texts of /search and /browse: event results, a strike picker, categories, series and events. */
import type { Market } from "../exchange/port.js";
import type { EventHit, IndexedEvent } from "../trading/index.js";
import { b, escapeHtml, price, when } from "./format.js";

/** "markets as of 3 min ago" once the index is older than two minutes; "" before. */
export function indexAge(asOf: number, now: number): string {
  const min = Math.floor((now - asOf) / 60_000);
  if (min < 2) return "";
  if (min < 120) return `(markets as of ${min} min ago)`;
  return `(markets as of ${Math.floor(min / 60)} h ago)`;
}

const withAge = (lines: string[], asOf: number, now: number): string => {
  const age = indexAge(asOf, now);
  return (age ? [...lines, "", age] : lines).join("\n");
};

const strikesText = (e: IndexedEvent): string =>
  e.strikes.length === 1 ? escapeHtml(e.strikes[0]?.[1] || "1 market") : `${e.strikes.length} strikes`;

export function eventHitsText(
  words: string,
  hits: EventHit[],
  asOf: number,
  now: number,
  tz: string,
): string {
  if (hits.length === 0)
    return withAge([`No open markets match “${escapeHtml(words)}”. Try other words, or /browse.`], asOf, now);
  const lines = [`Open markets matching “${escapeHtml(words)}”:`];
  hits.forEach((h, i) => {
    const e = h.event;
    lines.push(
      `${i + 1}. ${b(e.title)}${e.subTitle ? ` — ${escapeHtml(e.subTitle)}` : ""}`,
      `    ${strikesText(e)} · closes ${when(e.closeTime, tz)}`,
    );
  });
  return withAge(lines, asOf, now);
}

export function strikePickerText(title: string, markets: Market[], tz: string): string {
  if (markets.length === 0) return `${b(title)}\nNothing is open to trade here any more.`;
  const close = markets.reduce<number | null>(
    (c, m) => (m.closeTime !== null && (c === null || m.closeTime < c) ? m.closeTime : c),
    null,
  );
  return [
    `${b(title)}`,
    `${markets.length} open · closes ${when(close, tz)}`,
    "Pick one (YES buy price shown):",
  ].join("\n");
}

export function strikeButtonLabel(m: Market): string {
  return `${m.yesSubTitle || m.ticker} · ${price(m.yesAsk)}`.slice(0, 60);
}

export function categoriesText(
  rows: { category: string; events: number }[],
  asOf: number,
  now: number,
): string {
  if (rows.length === 0) return withAge(["There are no open markets right now."], asOf, now);
  return withAge(["Browse open markets: pick a category."], asOf, now);
}

export function seriesText(category: string, count: number, asOf: number, now: number): string {
  if (count === 0)
    return withAge([`Nothing is open in ${b(category)} any more. Send /browse to start over.`], asOf, now);
  return withAge([`${b(category)}: pick a series (most traded first).`], asOf, now);
}

export function eventsText(
  seriesTitle: string,
  rows: IndexedEvent[],
  asOf: number,
  now: number,
  tz: string,
): string {
  if (rows.length === 0)
    return withAge([`Nothing is open in ${b(seriesTitle)} any more. Send /browse to start over.`], asOf, now);
  const lines = [`${b(seriesTitle)}: open events, closing soonest first.`];
  rows.forEach((e, i) =>
    lines.push(`${i + 1}. ${escapeHtml(e.title)} · ${strikesText(e)} · closes ${when(e.closeTime, tz)}`),
  );
  return withAge(lines, asOf, now);
}
