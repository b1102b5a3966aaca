/**
 * Texts of the watchlist and the price alerts: the outcome of each request in one sentence, the
 * /watchlist message and the price-alert part of /alerts.
 */
import { displayPrice, displayUsd, type Micros } from "../domain/money.js";
import type { AddAlertOutcome, PriceAlert, WatchOutcome, WatchRow } from "../alerts/price/service.js";
import { describeRule, REARM_BAND } from "../alerts/price/rules.js";
import { b, code, escapeHtml, price, when } from "./format.js";

const cents = (m: Micros) => `${Math.round(m / 10_000)}¢`;

export function alertOutcomeText(o: AddAlertOutcome): string {
  switch (o.kind) {
    case "added": {
      const a = o.alert;
      const rule = escapeHtml(describeRule(a.rule));
      const now = o.price === null ? "" : ` (now ${a.rule.side.toUpperCase()} ${displayPrice(o.price)})`;
      if (o.alreadyTrue)
        return (
          `Price alert set on ${code(a.ticker)}: ${rule}. It is already there${now}, so it will tell you ` +
          `the next time it gets there after moving back ${cents(REARM_BAND)}.`
        );
      if (a.rule.kind === "move")
        return `Price alert set on ${code(a.ticker)}: ${rule}. You'll get one message per move.`;
      return `Price alert set on ${code(a.ticker)}: ${rule}${now}. You'll get one message when it gets there.`;
    }
    case "unknownMarket":
      return `There is no market with ticker ${code(o.ticker)}. Nothing was set.`;
    case "notOpen":
      return `${code(o.ticker)} is not open for trading (${escapeHtml(o.status)}), so no alert was set.`;
    case "noPrice":
      return `${code(o.ticker)} has no YES price right now, so there is nothing to measure a move from. Nothing was set.`;
    case "cap":
      return `You already have ${o.max} price alerts, the most allowed. Delete one in /alerts first; nothing was set.`;
    case "duplicate":
      return `You already have that alert. Nothing was changed.`;
  }
}

export function watchOutcomeText(o: WatchOutcome): string {
  switch (o.kind) {
    case "added":
      return `★ Watching ${code(o.ticker)}. See all with /watchlist.`;
    case "duplicate":
      return `You are already watching ${code(o.ticker)}.`;
    case "unknownMarket":
      return `There is no market with ticker ${code(o.ticker)}. Nothing was added.`;
    case "cap":
      return `Your watchlist already has ${o.max} markets, the most allowed. Remove one with /unwatch first; nothing was added.`;
  }
}

function changeText(c: Micros | null): string {
  if (c === null) return "change –";
  if (c === 0) return "no change";
  return `${c > 0 ? "▲" : "▼"} ${escapeHtml(displayUsd(Math.abs(c) as Micros, { exact: true }))}`;
}

export function watchlistText(rows: WatchRow[], timeZone: string, now: number): string {
  if (rows.length === 0)
    return "Your watchlist is empty. Add a market with /watch TICKER or ☆ Watch on its card.";
  const lines = [`${b("Watchlist")} · as of ${escapeHtml(when(now, timeZone))}`];
  for (const r of rows) {
    const open = r.status === "active";
    lines.push(
      "",
      `${b(r.title)}\n${code(r.ticker)}${open ? "" : ` · ${escapeHtml(r.status)}`}`,
      `YES bid ${price(r.yesBid)} · ask ${price(r.yesAsk)} · last ${price(r.lastPrice)}`,
      `${changeText(r.change)} since ${escapeHtml(when(r.since, timeZone))} · closes ${escapeHtml(when(r.closeTime, timeZone))}`,
    );
  }
  return lines.join("\n");
}

/** The price alerts part of /alerts. */
export function priceAlertsText(alerts: PriceAlert[]): string {
  if (alerts.length === 0) return "No price alerts. Set one with /alert TICKER yes >= 0.40.";
  const lines = [`${b("Price alerts")} (tap one to delete it):`];
  for (const [i, a] of alerts.entries()) {
    const waiting = a.armed ? "" : " · waiting to re-arm";
    lines.push(`${i + 1}. ${code(a.ticker)} ${escapeHtml(describeRule(a.rule))}${waiting}`);
  }
  return lines.join("\n");
}
