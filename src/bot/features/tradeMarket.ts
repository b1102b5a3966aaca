/**
 * The market step of /buy and /sell: a ticker, or search words that list matching markets to tap,
 * until a market that is open for trading is found. Its own file because the search lists are state
 * that outlives one question: a tap on an older list is expired, but the newest list stays valid
 * when the picked market turned out closed and the question is asked again.
 */
import type { MarketInfo, MarketSearchHit, TradeAction } from "../../trading/types.js";
import { again, answered, plain, read } from "../conversations/ask.js";
import { code, escapeHtml } from "../format.js";
import { looksLikeTicker, parseTicker } from "../parse.js";
import { btn } from "../ui.js";
import { hitButtonLabel } from "../searchViews.js";
import { searchList } from "../views.js";
import type { TradeTalk } from "./tradeSteps.js";

const MAX_HITS = 8;

/**
 * The market to trade: `ticker` if it is open, else asked for. A buy asks again after a market that
 * cannot be found or is closed; a sell (whose market comes from a position) ends there. Null: ended.
 */
export async function openMarket(
  t: TradeTalk,
  action: TradeAction,
  ticker: string | undefined,
): Promise<MarketInfo | null> {
  const pick = marketPicker(t);
  for (;;) {
    if (!ticker) {
      const picked = await pick();
      if (picked === null) return null;
      ticker = picked;
    }
    const tk = ticker;
    const r = await t.ext(() => t.kit.deps.services.markets.info(tk));
    if (r.ok && r.value.market.status === "active") return r.value;
    if (!r.ok) {
      // An unknown ticker gets the service's one sentence for it, as /market does.
      await t.asker.say(
        r.userError && r.message.includes(tk)
          ? r.message
          : `I couldn't look up the market ${tk}. ${r.message}`,
      );
    } else {
      await t.asker.say(`${tk} is not open for trading right now (${r.value.market.status}).`);
    }
    if (action === "sell") return null;
    ticker = undefined;
  }
}

/** Asks for a ticker or search words until a market is picked (its ticker); null when cancelled. */
function marketPicker(t: TradeTalk): () => Promise<string | null> {
  const { asker, kit } = t;
  let hits: MarketSearchHit[] = [];
  /** Numbers the search lists, so a tap on an older list is expired instead of picking from the newest. */
  let searchNo = 0;
  let listHtml = "";
  const hit = (a: string) =>
    a.startsWith(`m${searchNo}_`) ? hits[Number(a.slice(`m${searchNo}_`.length))] : undefined;

  /** Searches for `text` and shows the list; the question stays open. */
  async function search(text: string) {
    const found = await t.ext(() => kit.deps.services.markets.search(text, MAX_HITS));
    if (!found.ok) return again<string>(found.message);
    hits = found.value.slice(0, MAX_HITS);
    searchNo++;
    listHtml = searchList(text, hits, kit.deps.config.timeZone, kit.now());
    const kb = hits.map((h, i) => [btn(hitButtonLabel(i, h), asker.data(`m${searchNo}_${i}`))]);
    await asker.send(listHtml + (hits.length ? "\n\nTap one, or send other words." : ""), [
      ...kb,
      asker.cancelRow(),
    ]);
    return again<string>();
  }

  return () =>
    asker.ask({
      prompt: plain("Which market? Send its ticker, or a few words to search for."),
      tap: (a) => hit(a)?.ticker,
      tapped: (a) =>
        answered(`${listHtml}\n\nWhich market?`, `${code(hit(a)!.ticker)} (${escapeHtml(hit(a)!.title)})`),
      typed: (raw) => {
        const text = raw.trim();
        if (looksLikeTicker(text)) {
          const tk = parseTicker(text);
          if (tk.ok) return read(tk.value);
        }
        if (text.length < 2) return again("Send a ticker or at least one search word, or /cancel.");
        return search(text);
      },
    });
}
