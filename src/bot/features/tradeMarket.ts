/**
 * The market step of /buy and /sell: a ticker, or search words that list matching markets to tap,
 * until a market that is open for trading is found. Its own file because the search lists are state
 * that outlives one question: a tap on an older list is expired, but the newest list stays valid
 * when the picked market turned out closed and the question is asked again.
 */
import type { MarketSearchHit } from "../../trading/types.js";
import { BACK, again, answered, plain, read } from "../conversations/ask.js";
import { code, escapeHtml } from "../format.js";
import { looksLikeTicker, parseTicker } from "../parse.js";
import { btn } from "../ui.js";
import { hitButtonLabel } from "../searchViews.js";
import { searchList } from "../views.js";
import type { Draft, StepDone, TradeTalk } from "./tradeSteps.js";

const MAX_HITS = 8;

/**
 * The market step: `d.ticker` if it is open, else asked for (after searching `d.search` when the
 * command had words). A buy asks again after a market that cannot be found or is closed; a sell
 * (whose market comes from a position) ends there. Fills `d.info` and `d.ticker`.
 */
export async function openMarket(t: TradeTalk, d: Draft, back: boolean, why?: string): Promise<StepDone> {
  const pick = pickerOf(t);
  let reason = why;
  for (;;) {
    if (!d.ticker) {
      const words = d.search;
      delete d.search;
      const picked = await pick(back, reason, words);
      if (picked === null) return "end";
      if (picked === BACK) return "back";
      d.ticker = picked;
    }
    const tk = d.ticker;
    const r = await t.ext(() => t.kit.deps.services.markets.info(tk));
    if (r.ok && r.value.market.status === "active") {
      d.info = r.value;
      return "next";
    }
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
    if (d.action === "sell") return "end";
    delete d.ticker;
    reason = undefined;
  }
}

/** One picker per conversation run: its search lists are numbered across Back and asking again. */
const pickers = new WeakMap<TradeTalk, Picker>();
type Picker = ReturnType<typeof marketPicker>;

function pickerOf(t: TradeTalk): Picker {
  let p = pickers.get(t);
  if (!p) pickers.set(t, (p = marketPicker(t)));
  return p;
}

/**
 * Asks for a ticker or search words until a market is picked (its ticker); null when cancelled, BACK
 * after ◀ Back. With `words`, their search list is shown first instead of the question.
 */
function marketPicker(t: TradeTalk) {
  const { asker, kit } = t;
  let hits: MarketSearchHit[] = [];
  /** Numbers the search lists, so a tap on an older list is expired instead of picking from the newest. */
  let searchNo = 0;
  let listHtml = "";
  const hit = (a: string) =>
    a.startsWith(`m${searchNo}_`) ? hits[Number(a.slice(`m${searchNo}_`.length))] : undefined;

  let back = false;
  /** Searches the command's words; false (the reason said) when no list could be shown. */
  async function searchFirst(words: string): Promise<boolean> {
    const r = await search(words);
    if (r.ok || r.again === undefined) return true;
    await asker.say(r.again);
    return false;
  }
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
      asker.cancelRow(back),
    ]);
    return again<string>();
  }

  return async (withBack: boolean, why?: string, words?: string) => {
    back = withBack;
    const question = plain("Which market? Send its ticker, or a few words to search for.");
    // The command's words are searched first; their list (with its buttons) then stands for the question.
    const listed = words !== undefined && (await searchFirst(words));
    return asker.ask({
      ...(listed ? {} : { prompt: why === undefined ? question : `${escapeHtml(why)}\n\n${question}` }),
      back,
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
  };
}
