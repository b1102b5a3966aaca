/** Texts of /search and /browse: event results, a strike picker, categories, series and events. */
import type { Market } from "../exchange/port.js";
import type { EventHit, IndexedEvent } from "../trading/index.js";
import { shortStrike } from "../domain/marketName.js";
import { closeTimeText } from "../domain/time.js";
import { b, escapeHtml, when } from "./format.js";
import { buttonLabel, centsLabel, HALF_BUTTON_LABEL_MAX } from "./labels.js";

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

const closes = (ms: number | null, now: number, tz: string): string =>
  ms === null ? `closes ${when(ms, tz)}` : escapeHtml(closeTimeText(ms, now, tz));

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
      `    ${strikesText(e)} · ${closes(e.closeTime, now, tz)}`,
    );
  });
  return withAge(lines, asOf, now);
}

export function strikePickerText(title: string, markets: Market[], tz: string, now: number): string {
  if (markets.length === 0) return `${b(title)}\nNothing is open to trade here any more.`;
  const close = markets.reduce<number | null>(
    (c, m) => (m.closeTime !== null && (c === null || m.closeTime < c) ? m.closeTime : c),
    null,
  );
  return [
    `${b(title)}`,
    `${markets.length} open · ${close === null ? "closes –" : escapeHtml(closeTimeText(close, now, tz))}`,
    "Pick one. Buttons show the price to buy YES (the ask):",
  ].join("\n");
}

/** A market search hit's button: number, strike, then the question ("2. ≥ $95,000 · Bitcoin…"). */
export function hitButtonLabel(i: number, h: { title: string; yesSubTitle: string; ticker: string }): string {
  const sub = shortStrike(h.yesSubTitle);
  return buttonLabel([`${i + 1}. ${sub || h.title || h.ticker}`, sub ? h.title : ""]);
}

/** An event search hit's button; a hit that named one strike leads with that strike. */
export function eventHitLabel(i: number, h: EventHit): string {
  const named =
    h.strikeTickers.length === 1 ? h.event.strikes.find(([t]) => t === h.strikeTickers[0]) : undefined;
  const sub = named ? shortStrike(named[1]) : "";
  return buttonLabel([`${i + 1}. ${sub || h.event.title}`, sub ? h.event.title : ""]);
}

/** "≥ $95,000 · 61¢": the strike in symbols, then the YES ask; `max` is the button's room. */
export function strikeButtonLabel(m: Market, max = HALF_BUTTON_LABEL_MAX): string {
  return buttonLabel([shortStrike(m.yesSubTitle) || m.ticker, centsLabel(m.yesAsk)], max);
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
    lines.push(`${i + 1}. ${escapeHtml(e.title)} · ${strikesText(e)} · ${closes(e.closeTime, now, tz)}`),
  );
  return withAge(lines, asOf, now);
}
