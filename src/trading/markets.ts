/** Market info and word search across open markets (results ranked, the market list cached briefly). */
import { micros } from "../domain/money.js";
import type { ExchangePort, Market } from "../exchange/port.js";
import { type BestPrices, bestPrices, marketBestPrices } from "./prices.js";
import type { MarketSnapshots } from "./snapshots.js";
import { type MarketInfo, type MarketSearchHit, type MarketService, UserError } from "./types.js";

export interface MarketServiceDeps {
  exchange: ExchangePort;
  now?: () => number;
  /** How long the open-market list is reused for searches (default 60 s). */
  searchCacheMs?: number;
  /** Where info() leaves the market and book it read, for a quote that follows (shared with the executor). */
  snapshots?: Pick<MarketSnapshots, "putMarket" | "putBook">;
}

const tokenize = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}.]+/u)
    .map((w) => w.replace(/^\.+|\.+$/g, ""))
    .filter(Boolean);

/**
 * Score of one market for the query words: every word must appear somewhere (ticker, title or
 * subtitles); whole-word hits in the title weigh most, then word prefixes, then substrings and tickers.
 */
export function scoreMarket(m: Market, words: string[]): number {
  if (words.length === 0) return 0;
  const titleWords = tokenize(`${m.title} ${m.yesSubTitle}`);
  const titleText = `${m.title} ${m.yesSubTitle} ${m.noSubTitle}`.toLowerCase();
  const tickerText = `${m.ticker} ${m.eventTicker}`.toLowerCase();
  let score = 0;
  for (const w of words) {
    let s = 0;
    if (titleWords.includes(w)) s = 3;
    else if (titleWords.some((t) => t.startsWith(w))) s = 2;
    else if (titleText.includes(w)) s = 1;
    if (tickerText.includes(w)) s = Math.max(s, m.ticker.toLowerCase() === w ? 5 : 1.5);
    if (s === 0) return 0;
    score += s;
  }
  return score;
}

export function createMarketService(deps: MarketServiceDeps): MarketService & { clearCache(): void } {
  const { exchange } = deps;
  const now = deps.now ?? Date.now;
  const ttl = deps.searchCacheMs ?? 60_000;
  let cache: { at: number; markets: Promise<Market[]> } | null = null;

  function openMarkets(): Promise<Market[]> {
    if (cache && now() - cache.at < ttl) return cache.markets;
    const markets = exchange.getMarkets({ status: "open" });
    const entry = { at: now(), markets };
    cache = entry;
    markets.catch(() => {
      if (cache === entry) cache = null;
    });
    return markets;
  }

  return {
    clearCache() {
      cache = null;
    },
    async info(raw: string): Promise<MarketInfo> {
      const ticker = raw.trim().toUpperCase();
      if (!ticker)
        throw new UserError("Which market? Give a ticker, like KXHIGHNY-26NOV25-B45.", "missing_ticker");
      const found = await exchange.getMarkets({ tickers: [ticker] });
      const market = found.find((m) => m.ticker.toUpperCase() === ticker);
      if (!market) throw new UserError(`There is no market with ticker ${ticker}.`, "unknown_market");
      deps.snapshots?.putMarket(market);
      // YES and NO prices from the same reading: the book (NO ask = 1 − YES bid, YES ask = 1 − NO
      // bid), or, only when it cannot be read, all four from the market snapshot.
      let best: BestPrices;
      try {
        const book = await exchange.getOrderbook(ticker);
        deps.snapshots?.putBook(ticker, book);
        best = bestPrices(book);
      } catch {
        best = marketBestPrices(market);
      }
      return {
        market,
        bestYesBid: best.yesBid,
        bestYesAsk: best.yesAsk,
        bestNoBid: best.noBid,
        bestNoAsk: best.noAsk,
        spread: best.yesBid !== null && best.yesAsk !== null ? micros(best.yesAsk - best.yesBid) : null,
      };
    },
    async search(words: string, limit = 10): Promise<MarketSearchHit[]> {
      const q = tokenize(words);
      if (q.length === 0)
        throw new UserError("Give a few words to search for, like: bitcoin price.", "empty_search");
      const markets = await openMarkets();
      const hits: { m: Market; score: number }[] = [];
      for (const m of markets) {
        // Multivariate combo markets can't be traded with plain orders.
        if (m.ticker.startsWith("KXMVE")) continue;
        const score = scoreMarket(m, q);
        if (score > 0) hits.push({ m, score });
      }
      hits.sort(
        (a, b) =>
          b.score - a.score ||
          b.m.volume24h - a.m.volume24h ||
          (a.m.closeTime ?? Infinity) - (b.m.closeTime ?? Infinity) ||
          a.m.ticker.localeCompare(b.m.ticker),
      );
      return hits.slice(0, Math.max(1, limit)).map(({ m, score }) => ({
        ticker: m.ticker,
        title: m.title,
        yesSubTitle: m.yesSubTitle,
        yesBid: m.yesBid,
        yesAsk: m.yesAsk,
        closeTime: m.closeTime,
        score,
      }));
    },
  };
}
