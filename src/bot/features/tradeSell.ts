/**
 * The first step of /sell: which open position. The one the command named, else one picked from
 * buttons (or typed by ticker); search words from the command (`/sell bitcoin`) narrow the buttons
 * to the positions whose ticker or title has all of them.
 */
import { type Centis, displayCount } from "../../domain/money.js";
import type { PositionView } from "../../trading/types.js";
import { BACK, again, answered, plain, read } from "../conversations/ask.js";
import { escapeHtml } from "../format.js";
import { positionButtonLabel } from "../views.js";
import type { Draft, TradeTalk } from "./tradeSteps.js";

/** The open position to sell: the one named, or one picked from buttons; null when none (the user was told). */
export async function sellWhich(t: TradeTalk, d: Draft): Promise<PositionView | null> {
  const pv = await t.ext(() => t.kit.deps.services.portfolio.view());
  if (!pv.ok) {
    await t.asker.say(pv.message);
    return null;
  }
  const open = pv.value.positions.filter((p) => !p.settled && p.count > 0);
  const { ticker, outcome } = d;
  if (ticker) {
    const named = open.find((p) => p.ticker === ticker && (!outcome || p.side === outcome));
    if (named) return named;
    const side = outcome ? outcome.toUpperCase() + " " : "";
    await t.asker.say(`You hold no ${side}position in ${ticker}, so there is nothing to sell.`);
    if (open.length === 0) return null;
  }
  if (open.length === 0) {
    await t.asker.say("You have no open positions to sell.");
    return null;
  }
  const matching = d.search ? open.filter((p) => matches(p, d.search!)) : open;
  if (d.search && matching.length === 0) await t.asker.say(`You hold no position matching “${d.search}”.`);
  const shown = matching.length > 0 ? matching : open;
  const question = "Which position do you want to sell?";
  const label = (p: PositionView) => positionButtonLabel(p);
  const at = (a: string) => (/^p\d+$/.test(a) ? shown[Number(a.slice(1))] : undefined);
  const got = await t.asker.ask({
    prompt: plain(question),
    buttons: shown.slice(0, 20).map((p, i) => [[label(p), `p${i}`]]),
    tap: at,
    tapped: (a) => answered(question, escapeHtml(label(at(a)!))),
    typed: (text) => {
      const found = open.find((p) => p.ticker === text.trim().toUpperCase());
      if (found) return read(found);
      return again(`You hold no position in “${text.trim()}”. Tap one of the positions above, or /cancel.`);
    },
  });
  return got === BACK ? null : got;
}

function matches(p: PositionView, words: string): boolean {
  const hay = `${p.ticker} ${p.title}`.toLowerCase();
  return words
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

/** A sell of more than is held (from the command) sells all of it, and says so. */
export async function capAtHolding(t: TradeTalk, position: PositionView, count: Centis): Promise<Centis> {
  if (count <= position.count) return count;
  await t.asker.say(
    `You hold only ${displayCount(position.count)} ${position.side.toUpperCase()}; selling all of them.`,
  );
  return position.count;
}
