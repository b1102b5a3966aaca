/**
 * Texts of the watch notices (Telegram HTML): lifecycle steps of a market the user is in, and the daily
 * digest. A lifecycle notice names the position as it was when seen, so it agrees with the fill alerts
 * before it and with the settlement notice after it (which reports what was actually paid).
 */
import {
  centis,
  displayCount,
  displayUsd,
  type Micros,
  mulPriceCount,
  MICROS_PER_DOLLAR,
  micros,
} from "../domain/money.js";
import { formatShort } from "../domain/time.js";
import type { Digest } from "../trading/index.js";
import { escapeHtml, type MessageContext } from "./format.js";
import type { LifecycleFact } from "./noticeTypes.js";

function header(ctx: MessageContext, ms: number): string {
  return `${escapeHtml(ctx.envTag)} · ${escapeHtml(formatShort(ms, ctx.timeZone))}`;
}

function holding(f: LifecycleFact): string[] {
  const out: string[] = [];
  if (f.position !== 0)
    out.push(`you hold ${displayCount(centis(Math.abs(f.position)))} ${f.position > 0 ? "YES" : "NO"}`);
  if (f.resting > 0) out.push(`${f.resting} resting order${f.resting === 1 ? "" : "s"}`);
  return out;
}

/** What a determined result pays the position at settlement (YES pays $1 on "yes", NO on "no"). */
function payoutText(f: LifecycleFact): string | null {
  if (f.position === 0 || (f.result !== "yes" && f.result !== "no")) return null;
  const wins = (f.result === "yes") === f.position > 0;
  const pays = wins ? mulPriceCount(micros(MICROS_PER_DOLLAR), centis(Math.abs(f.position))) : micros(0);
  return `pays ${displayUsd(pays)} at settlement`;
}

export function formatLifecycleMessage(ctx: MessageContext, title: string, f: LifecycleFact): string {
  const parts = [escapeHtml(title)];
  const close = f.closeTime !== null ? escapeHtml(formatShort(f.closeTime, ctx.timeZone)) : null;
  let head: string;
  switch (f.step) {
    case "closing": {
      const mins = f.closeTime !== null ? Math.max(1, Math.round((f.closeTime - f.at) / 60_000)) : null;
      head = "⏰ Closing soon";
      if (close) parts.push(`closes ${close}${mins !== null ? ` (in ${mins} min)` : ""}`);
      break;
    }
    case "paused":
      head = "⏸ Trading paused";
      parts.push("new orders are refused until it resumes");
      break;
    case "resumed":
      head = "▶️ Trading resumed";
      break;
    case "closed":
      head = "🔒 Market closed";
      parts.push("waiting for the result");
      if (f.resting > 0) parts.push("resting orders are canceled by the exchange");
      break;
    case "determined":
      head = "🏁 Result determined";
      parts.push(`result ${escapeHtml((f.result ?? "?").toUpperCase())}`);
      break;
  }
  parts.push(...holding({ ...f, resting: f.step === "closed" || f.step === "determined" ? 0 : f.resting }));
  if (f.step === "determined") {
    const pay = payoutText(f);
    if (pay) parts.push(pay);
  }
  return `${header(ctx, f.at)}\n<b>${head}</b>: ${parts.join(" · ")}`;
}

const usd = (m: Micros, sign = true) => escapeHtml(displayUsd(m, { sign }));

/** The daily digest; `late` when sent at start-up for a time the bot was down at. */
export function formatDigestMessage(ctx: MessageContext, d: Digest, late: boolean): string {
  const day = new Intl.DateTimeFormat("en-US", {
    timeZone: ctx.timeZone,
    weekday: "short",
    month: "short",
    day: "numeric",
  }).format(d.slot);
  const lines = [`${header(ctx, d.slot)}`, `<b>📊 Daily digest · ${escapeHtml(day)}</b>`];
  if (late) lines.push("<i>(late: the bot was not running at digest time; figures are as of now)</i>");
  const totals = (label: string, t: Digest["today"]) =>
    `${label}: realized ${usd(t.realized)} · fees ${usd(t.fees, false)} · ${t.fills} fill${t.fills === 1 ? "" : "s"}`;
  lines.push(totals("Today", d.today), totals("This week", d.week), "");
  if (d.positions.length === 0) lines.push("Open positions: none");
  else {
    lines.push(`<b>Open positions</b> (value ${usd(d.totalValue, false)}):`);
    for (const p of d.positions) {
      const value = p.value === null ? "no price" : usd(p.value, false);
      const change =
        p.change === null ? "new since the last digest" : `${usd(p.change)} since the last digest`;
      lines.push(
        `• ${displayCount(p.count)} ${p.side.toUpperCase()} ${escapeHtml(p.title)} · ${value} · ${change}`,
      );
    }
  }
  if (d.resting.length > 0) {
    lines.push(`<b>Resting orders</b> (${d.resting.length}):`);
    for (const o of d.resting.slice(0, 10)) lines.push(`• ${escapeHtml(o.text)} · ${escapeHtml(o.title)}`);
    if (d.resting.length > 10) lines.push(`• … and ${d.resting.length - 10} more (/orders)`);
  } else lines.push("Resting orders: none");
  if (d.closing.length > 0) {
    lines.push("<b>Closing in the next 24 h</b>:");
    for (const m of d.closing)
      lines.push(`• ${escapeHtml(m.title)} · ${escapeHtml(formatShort(m.closeTime, ctx.timeZone))}`);
  }
  return lines.join("\n");
}
