/**
 * The sim's market-data endpoints (GET /markets, /events, /events/{t}, /series, /series/{t},
 * /search/tags_by_categories) over a MarketData view, with the filters and the filter rules the
 * spec states (openapi-3.31.0.yaml): mve_filter, min/max_updated_ts only with mve_filter=exclude
 * (and series_ticker), close-time filters only with status closed or none, 200 events per page.
 * Lists page by position, so a catalog of 200,000 markets pages without being materialised.
 */
import { type Centis, type Micros, centis } from "../../domain/money.js";
import { type SimEngine, SimError, validPrices } from "../engine.js";
import type { SimEvent, SimMarket } from "../fixtures.js";
import { bad, intParam } from "../orderRequests.js";
import { eventToWire, iso, marketToWire, seriesToWire } from "../wire.js";
import { type EventStatus, type MarketData } from "./marketData.js";

type Json = Record<string, unknown>;
type Query = URLSearchParams;
type Top = { bid: Micros | null; bidSize: Centis; ask: Micros | null; askSize: Centis };

function bool(q: Query, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === "" || v === "false") return false;
  if (v === "true") return true;
  throw bad(`${name} must be true or false`);
}

function readCursor(q: Query): number {
  const c = q.get("cursor");
  if (!c) return 0;
  const decoded = Buffer.from(c, "base64url").toString();
  if (!/^p:\d+$/.test(decoded)) throw bad("cursor is not valid");
  return Number(decoded.slice(2));
}
const writeCursor = (pos: number): string => Buffer.from(`p:${pos}`).toString("base64url");

/**
 * Takes up to `limit` matching items from position `from` of a virtual list; the cursor is the
 * position after the last item taken, or "" when nothing further matches.
 */
function scan<T>(
  from: number,
  end: number,
  at: (i: number) => T | undefined,
  keep: (x: T) => boolean,
  limit: number,
): { page: T[]; cursor: string } {
  const page: T[] = [];
  let i = from;
  for (; i < end && page.length < limit; i++) {
    const x = at(i);
    if (x !== undefined && keep(x)) page.push(x);
  }
  for (let j = i; j < end; j++) {
    const x = at(j);
    if (x !== undefined && keep(x)) return { page, cursor: writeCursor(i) };
  }
  return { page, cursor: "" };
}

const MARKET_STATUS: Record<string, SimMarket["status"][]> = {
  unopened: ["initialized"],
  open: ["active"],
  paused: ["inactive"],
  closed: ["closed"],
  settled: ["determined", "finalized"],
};

export interface MarketDataRoutes {
  markets(q: Query): Json;
  events(q: Query): Json;
  event(eventTicker: string, q: Query): Json;
  seriesList(q: Query): Json;
  series(ticker: string): Json;
  tagsByCategories(): Json;
}

export function marketDataRoutes(
  md: MarketData,
  engine: SimEngine,
  opts: { pageCap?: number } = {},
): MarketDataRoutes {
  const pageCap = opts.pageCap ?? Infinity;

  /** What the market maker will quote once the market is used: one tick either side of fair. */
  const impliedTop = (m: SimMarket): Top => {
    const ticks = validPrices(m.priceRanges);
    let fi = 0;
    for (let i = 0; i < ticks.length; i++)
      if (Math.abs((ticks[i] as number) - m.fair) < Math.abs((ticks[fi] as number) - m.fair)) fi = i;
    return {
      bid: ticks[fi - 1] ?? null,
      bidSize: centis(10_000),
      ask: ticks[fi + 1] ?? null,
      askSize: centis(10_000),
    };
  };

  const marketWire = (m: SimMarket): Json => {
    const out =
      m.status === "active" && !md.adopted(m.ticker)
        ? marketToWire({ top: () => impliedTop(m) } as unknown as SimEngine, m)
        : marketToWire(engine, m);
    const legs = md.comboLegs(m);
    if (legs) {
      out.mve_collection_ticker = m.seriesTicker;
      out.mve_selected_legs = legs;
    }
    return out;
  };

  const eventWire = (e: SimEvent, nested: boolean): Json => {
    const out = eventToWire(engine, e, false);
    out.settlement_sources = md.series(e.seriesTicker)?.settlementSources ?? [];
    out.last_updated_ts = iso(md.eventUpdatedTs(e));
    if (nested) out.markets = md.eventMarkets(e).map(marketWire);
    return out;
  };

  const limitOf = (q: Query, def: number, max: number, min = 0): number => {
    const l = intParam(q, "limit", min, max) ?? def;
    return Math.min(l === 0 ? def : l, pageCap);
  };

  const statusOf = (e: SimEvent): EventStatus => md.eventStatus(e);

  return {
    markets(q) {
      const status = q.get("status");
      if (status && !MARKET_STATUS[status])
        throw bad("status must be one of unopened, open, paused, closed, settled");
      const mve = q.get("mve_filter");
      if (mve && mve !== "only" && mve !== "exclude") throw bad("mve_filter must be only or exclude");
      const series = q.get("series_ticker");
      const ev = q.get("event_ticker");
      const tickers = q.get("tickers")?.split(",").filter(Boolean);
      const minUpd = intParam(q, "min_updated_ts");
      const maxUpd = intParam(q, "max_updated_ts");
      const minClose = intParam(q, "min_close_ts");
      const maxClose = intParam(q, "max_close_ts");
      if (minUpd !== undefined || maxUpd !== undefined) {
        if (mve !== "exclude" && (series || mve))
          throw bad(
            "min_updated_ts and max_updated_ts combine with series_ticker only when mve_filter=exclude",
          );
        if (status || ev || tickers?.length || minClose !== undefined || maxClose !== undefined)
          throw bad("min_updated_ts and max_updated_ts cannot be combined with other filters");
      }
      if ((minClose !== undefined || maxClose !== undefined) && status && status !== "closed")
        throw bad("min_close_ts and max_close_ts combine only with status=closed");
      const allowed = status ? MARKET_STATUS[status] : null;
      const keep = (m: SimMarket): boolean =>
        (!allowed || allowed.includes(m.status)) &&
        (!series || m.seriesTicker === series) &&
        (!ev || m.eventTicker === ev) &&
        (mve !== "exclude" || !m.ticker.startsWith("KXMVE")) &&
        (mve !== "only" || m.ticker.startsWith("KXMVE")) &&
        (minUpd === undefined || m.updatedTime > minUpd * 1000) &&
        (maxUpd === undefined || m.updatedTime <= maxUpd * 1000 + 999) &&
        (minClose === undefined || m.closeTime >= minClose * 1000) &&
        (maxClose === undefined || m.closeTime <= maxClose * 1000);
      const limit = limitOf(q, 100, 1000);
      let list: SimMarket[] | null = null;
      if (tickers?.length)
        list = tickers.map((t) => md.find(t)).filter((m): m is SimMarket => m !== undefined);
      else if (ev) {
        const e = md.event(ev);
        list = e ? md.eventMarkets(e) : [];
      } else if (series)
        list = md
          .events()
          .filter((e) => e.seriesTicker === series)
          .flatMap((e) => md.eventMarkets(e));
      const { page, cursor } = list
        ? scan(readCursor(q), list.length, (i) => list[i], keep, limit)
        : scan(
            mve === "only" ? md.plainCount() : readCursor(q),
            mve === "exclude" ? md.plainCount() : md.plainCount() + md.comboCount(),
            (i) => (i < md.plainCount() ? md.plainAt(i) : md.comboAt(i - md.plainCount())),
            keep,
            limit,
          );
      return { markets: page.map(marketWire), cursor };
    },

    events(q) {
      const status = q.get("status");
      if (status && !["unopened", "open", "closed", "settled"].includes(status))
        throw bad("status must be one of unopened, open, closed, settled");
      const series = q.get("series_ticker");
      const tickers = q.get("tickers")?.split(",").filter(Boolean);
      const nested = bool(q, "with_nested_markets");
      bool(q, "with_milestones");
      const minClose = intParam(q, "min_close_ts");
      const minUpd = intParam(q, "min_updated_ts");
      const limit = limitOf(q, 200, 200, 1);
      const all = tickers?.length
        ? tickers.map((t) => md.event(t)).filter((e): e is SimEvent => e !== undefined)
        : md.events();
      const keep = (e: SimEvent): boolean =>
        (!series || e.seriesTicker === series) &&
        (!status || statusOf(e) === status) &&
        (minClose === undefined || md.eventCloseTs(e) > minClose * 1000) &&
        (minUpd === undefined || md.eventUpdatedTs(e) > minUpd * 1000);
      const { page, cursor } = scan(readCursor(q), all.length, (i) => all[i], keep, limit);
      return { events: page.map((e) => eventWire(e, nested)), cursor };
    },

    event(eventTicker, q) {
      const e = md.event(eventTicker);
      if (!e) throw new SimError(404, "not_found", "event not found");
      return {
        event: eventWire(e, bool(q, "with_nested_markets")),
        markets: md.eventMarkets(e).map(marketWire),
      };
    },

    seriesList(q) {
      const cat = q.get("category");
      const tags = q.get("tags")?.split(",").filter(Boolean);
      bool(q, "include_product_metadata");
      bool(q, "include_volume");
      intParam(q, "min_updated_ts");
      return {
        series: md
          .seriesList()
          .filter(
            (s) => (!cat || s.category === cat) && (!tags?.length || tags.some((t) => s.tags.includes(t))),
          )
          .map(seriesToWire),
      };
    },

    series(ticker) {
      const s = md.series(ticker);
      if (!s) throw new SimError(404, "not_found", "series not found");
      return { series: seriesToWire(s) };
    },

    tagsByCategories() {
      return { tags_by_categories: md.tagsByCategories() };
    },
  };
}
