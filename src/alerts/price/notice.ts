/**
 * The price alerts' notices, delivered through the same exactly-once queue as fill alerts
 * (src/alerts/state.ts, delivery.ts), and their texts.
 *
 * - `price`: an alert's crossing. Its key `p:<alert id>:<crossing number>` is fixed by the alert's
 *   persisted crossing count, so a crossing seen again after a crash (before the alert's new state was
 *   written) finds its key already taken in and is not told twice.
 * - `priceGone`: alerts removed because their market closed or settled.
 */
import { displayPrice, type Micros } from "../../domain/money.js";
import { formatShort } from "../../domain/time.js";
import { escapeHtml, type MessageContext } from "../format.js";
import { describeRule, type PriceAlert, type Quote } from "./rules.js";

export type PriceNotice =
  | { kind: "price"; key: string; alert: PriceAlert; price: Micros; quote: Quote; at: number }
  | { kind: "priceGone"; key: string; ticker: string; alerts: PriceAlert[]; status: string; at: number };

export const priceKey = (a: PriceAlert, crossing: number) => `p:${a.id}:${crossing}`;
export const priceGoneKey = (chatId: number, ticker: string, ids: string) => `pg:${chatId}:${ticker}:${ids}`;

const or = (p: Micros | null) => (p === null ? "—" : displayPrice(p));

/** "YES bid $0.41 · ask $0.43 · last $0.42" */
export function quoteLine(q: Quote): string {
  return `YES bid ${or(q.yesBid)} · ask ${or(q.yesAsk)} · last ${or(q.lastPrice)}`;
}

function head(ctx: MessageContext, at: number): string {
  return `${escapeHtml(ctx.envTag)} · ${escapeHtml(formatShort(at, ctx.timeZone))}`;
}

/** "🔔 Price alert: title — YES ≥ $0.40 reached: YES $0.41" and the prices now. */
export function formatPriceNotice(ctx: MessageContext, title: string, n: PriceNotice): string {
  if (n.kind === "priceGone") {
    const what = n.alerts.map((a) => escapeHtml(describeRule(a.rule))).join(", ");
    const why = ["determined", "finalized", "amended", "disputed"].includes(n.status) ? "settled" : "closed";
    return (
      `${head(ctx, n.at)}\n<b>Price alerts removed</b>: ${escapeHtml(title)} has ${why}, ` +
      `so ${n.alerts.length === 1 ? "this alert was" : "these alerts were"} deleted: ${what}.`
    );
  }
  const side = n.alert.rule.side.toUpperCase();
  return (
    `${head(ctx, n.at)}\n🔔 <b>Price alert</b>: ${escapeHtml(title)}\n` +
    `${escapeHtml(describeRule(n.alert.rule))} reached: ${side} ${displayPrice(n.price)}\n` +
    `${quoteLine(n.quote)}\n<code>${escapeHtml(n.alert.ticker)}</code>`
  );
}
