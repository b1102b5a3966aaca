/**
 * Links in: a kalshi.com page pasted into the chat opens what it shows here (a market's card, an
 * event's strike list, a series' open events), and the bot's own deep link
 * `t.me/<bot>?start=m_<ticker>` opens the market's card (/start's payload). Links out: the "Share"
 * line on a market card is that deep link. Parsing is pure (src/bot/kalshiLinks.ts); this file looks
 * the tickers up: every read here only reads.
 *
 * A message that holds no kalshi.com link goes on untouched to the handlers after this one.
 */
import { Composer, type Context } from "grammy";
import type { Kit, MyContext } from "../context.js";
import { findKalshiLink, tickerOfStartParam } from "../kalshiLinks.js";
import { withTyping } from "../ui.js";
import { sendMarketCard } from "./market.js";
import { sendSeriesEvents, sendStrikeList } from "./search.js";
import { UserError } from "../../trading/types.js";

const isUnknownMarket = (e: unknown) => e instanceof UserError && e.code === "unknown_market";

/** What the user reads when a link names nothing this exchange has. */
export function unknownLinkSentence(name: string): string {
  return (
    `I found no market or event ${name} here. It may be closed and gone, or be on another Kalshi ` +
    `environment than this bot's. Find a market with /search <words>.`
  );
}

/** Opens a market or event ticker: the market's card, else the event's strike list. False: neither exists. */
async function openTicker(kit: Kit, ctx: Context, ticker: string): Promise<boolean> {
  try {
    await sendMarketCard(kit, ctx, ticker);
    return true;
  } catch (e) {
    if (!isUnknownMarket(e)) throw e;
  }
  const event = await withTyping(ctx, () => kit.deps.services.markets.eventMarkets(ticker));
  if (!event) return false;
  if (event.open.length === 0) {
    await kit.ui.say(ctx, `${event.title} (${ticker}): nothing is open to trade there any more.`);
    return true;
  }
  await sendStrikeList(kit, ctx, event.title, event.open);
  return true;
}

async function openLink(kit: Kit, ctx: Context, text: string): Promise<boolean> {
  const link = findKalshiLink(text);
  if (!link) return false;
  if (link.kind === "other") {
    await kit.ui.say(ctx, link.message);
    return true;
  }
  if (link.ticker && (await openTicker(kit, ctx, link.ticker))) return true;
  // A series page (or a ticker that named nothing, under a series): the series' open events.
  const search = kit.deps.services.search;
  const series = link.series;
  if (series && search) {
    const found = await withTyping(ctx, () => search.eventsIn(series));
    if (found.rows.length > 0) {
      if (link.ticker && link.ticker !== series)
        await kit.ui.say(
          ctx,
          `I found no market or event ${link.ticker} here; this is what its series has open.`,
        );
      await sendSeriesEvents(kit, ctx, search, series);
      return true;
    }
  }
  await kit.ui.say(ctx, unknownLinkSentence(link.ticker ?? series ?? "there"));
  return true;
}

/**
 * /start with a payload (a deep link). Returns false when there is none, so /start shows the help.
 * A payload that names no market here gets a sentence, never a silent help page.
 */
export async function openStartPayload(kit: Kit, ctx: Context, payload: string): Promise<boolean> {
  if (!payload) return false;
  const ticker = tickerOfStartParam(payload);
  if (!ticker) {
    await kit.ui.say(ctx, "That link is not one I know. Send /help to see what I can do.");
    return true;
  }
  if (!(await openTicker(kit, ctx, ticker))) await kit.ui.say(ctx, unknownLinkSentence(ticker));
  return true;
}

export function linksFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  c.on(
    "message:text",
    kit.guard("links", async (ctx, next) => {
      const text = ctx.message.text;
      if (text.startsWith("/") || !(await openLink(kit, ctx, text))) return next();
    }),
  );
  return c;
}
