/**
 * Public market data over REST: exchange status, markets, order books, events, series and tags,
 * plus the historical cutoff. The catalog's list logic lives in catalog/routes.ts; this file only
 * binds it (and the order book reads) to Kalshi's paths.
 */
import { fixtureMarketData, liveMarketData } from "../catalog/marketData.js";
import { marketDataRoutes } from "../catalog/routes.js";
import type { SimContext } from "../context.js";
import { SHARDS } from "../fixtures.js";
import { bad, intParam } from "../orderRequests.js";
import { iso, marketToWire, orderbookToWire } from "../wire.js";
import { ok } from "./message.js";
import type { Router } from "./router.js";

export function registerExchangeRoutes(r: Router, { engine }: SimContext): void {
  // The top-level fields reflect shard 0; the sim has no transfer between shards.
  r.add("GET", "/exchange/status", false, () =>
    ok({
      exchange_active: true,
      trading_active: true,
      intra_exchange_transfers_active: false,
      exchange_estimated_resume_time: null,
      exchange_index_statuses: SHARDS.map((i) => ({
        exchange_index: i,
        description: i === 0 ? "Kalshi exchange (default shard)" : `Kalshi exchange shard ${i} (crypto)`,
        exchange_active: true,
        trading_active: true,
        intra_exchange_transfers_active: false,
      })),
    }),
  );
  r.add("GET", "/exchange/user_data_timestamp", false, () => ok({ as_of_time: iso(engine.now()) }));
  r.add("GET", "/historical/cutoff", false, () => {
    const c = iso(engine.historicalCutoff());
    return ok({
      market_settled_ts: c,
      trades_created_ts: c,
      orders_updated_ts: c,
      market_positions_last_updated_ts: c,
    });
  });
}

export function registerMarketRoutes(r: Router, { engine, live, pageCap }: SimContext): void {
  const data = marketDataRoutes(live ? liveMarketData(live, engine) : fixtureMarketData(engine), engine, {
    pageCap,
  });
  r.add("GET", "/markets", false, ({ q }) => ok(data.markets(q)));
  // Before /markets/{ticker}, which would otherwise take "orderbooks" for a ticker.
  r.add("GET", "/markets/orderbooks", true, ({ q }) => {
    const tickers = q
      .getAll("tickers")
      .flatMap((t) => t.split(","))
      .filter(Boolean);
    if (tickers.length < 1 || tickers.length > 100) throw bad("tickers must list 1 to 100 market tickers");
    const orderbooks = tickers
      .filter((t) => engine.findMarket(t))
      .map((t) => ({ ticker: t, orderbook_fp: orderbookToWire(engine, t) }));
    return ok({ orderbooks });
  });
  r.add("GET", "/markets/{ticker}/orderbook", true, ({ q, params }) => {
    const m = engine.market(params[0] ?? "");
    return ok({ orderbook_fp: orderbookToWire(engine, m.ticker, intParam(q, "depth", 0, 100) ?? 0) });
  });
  r.add("GET", "/markets/{ticker}", false, ({ params }) =>
    ok({ market: marketToWire(engine, engine.market(params[0] ?? "")) }),
  );
  r.add("GET", "/events", false, ({ q }) => ok(data.events(q)));
  r.add("GET", "/events/{event_ticker}", false, ({ q, params }) => ok(data.event(params[0] ?? "", q)));
  r.add("GET", "/series", false, ({ q }) => ok(data.seriesList(q)));
  r.add("GET", "/series/{series_ticker}", false, ({ params }) => ok(data.series(params[0] ?? "")));
  r.add("GET", "/search/tags_by_categories", false, () => ok(data.tagsByCategories()));
}
