/**
 * Market info, and word search for a market (the /buy conversation) over the local event index
 * (src/trading/search): never a download of every open market.
 */
import { micros } from "../domain/money.js";
import type { ExchangePort } from "../exchange/port.js";
import { type BestPrices, bestPrices, marketBestPrices } from "./prices.js";
import { createSearchService, type SearchService } from "./search/service.js";
import type { MarketSnapshots } from "./snapshots.js";
import { strikeOrder } from "../domain/marketName.js";
import {
  type EventMarkets,
  type MarketInfo,
  type MarketSearchHit,
  type MarketService,
  unknownMarketError,
  UserError,
} from "./types.js";

export interface MarketServiceDeps {
  exchange: ExchangePort;
  now?: () => number;
  /** The event index searches use (default: one kept in memory only). */
  search?: SearchService;
  /** Where info() leaves the market and book it read, for a quote that follows (shared with the executor). */
  snapshots?: Pick<MarketSnapshots, "putMarket" | "putBook">;
}

export function createMarketService(deps: MarketServiceDeps): MarketService {
  const { exchange } = deps;
  const index = deps.search ?? createSearchService({ exchange, ...(deps.now ? { now: deps.now } : {}) });

  return {
    async info(raw: string): Promise<MarketInfo> {
      const ticker = raw.trim().toUpperCase();
      if (!ticker)
        throw new UserError("Which market? Give a ticker, like KXHIGHNY-26NOV25-B45.", "missing_ticker");
      const found = await exchange.getMarkets({ tickers: [ticker] });
      const market = found.find((m) => m.ticker.toUpperCase() === ticker);
      if (!market) throw unknownMarketError(ticker);
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
    async depth(raw: string, levels: number) {
      const ticker = raw.trim().toUpperCase();
      const found = await exchange.getMarkets({ tickers: [ticker] });
      const market = found.find((m) => m.ticker.toUpperCase() === ticker);
      if (!market) throw unknownMarketError(ticker);
      return { market, book: await exchange.getOrderbook(ticker, levels) };
    },
    async eventMarkets(raw: string): Promise<EventMarkets | null> {
      const eventTicker = raw.trim().toUpperCase();
      // One request: every market of the event (an unknown event has none).
      const all = await exchange.getMarkets({ eventTicker });
      if (all.length === 0) return null;
      const open = all.filter((m) => m.status === "active").sort(strikeOrder);
      return { eventTicker, title: (open[0] ?? all[0])!.title, open };
    },
    async search(words: string, limit = 10): Promise<MarketSearchHit[]> {
      const { hits } = await index.search(words, limit);
      const out: MarketSearchHit[] = [];
      for (const h of hits) {
        const named = new Set(h.strikeTickers);
        const strikes = named.size ? h.event.strikes.filter(([t]) => named.has(t)) : h.event.strikes;
        for (const [ticker, label] of strikes) {
          if (out.length >= limit) return out;
          out.push({
            ticker,
            title: h.event.title,
            yesSubTitle: label,
            yesBid: null,
            yesAsk: null,
            closeTime: h.event.closeTime,
            score: h.score,
          });
        }
      }
      return out;
    },
  };
}
