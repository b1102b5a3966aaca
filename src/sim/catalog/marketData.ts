/**
 * The read side of the sim's catalog, as the market-data routes see it: the small fixtures the
 * engine holds (default), or the live-sized generated catalog. Markets are addressed by position
 * in one flat list (plain markets, then combo markets) so list endpoints can page through a
 * catalog far larger than anything worth materialising.
 */
import type { SimEngine } from "../engine.js";
import type { SimEvent, SimMarket, SimSeries } from "../fixtures.js";
import type { LiveCatalog } from "./live.js";

export type EventStatus = "unopened" | "open" | "closed" | "settled";

export interface MarketData {
  seriesList(): SimSeries[];
  series(ticker: string): SimSeries | undefined;
  /** Plain (non-combo) events in listing order. */
  events(): SimEvent[];
  event(eventTicker: string): SimEvent | undefined;
  eventMarkets(e: SimEvent): SimMarket[];
  eventUpdatedTs(e: SimEvent): number;
  eventStatus(e: SimEvent): EventStatus;
  /** The latest close time of its markets. */
  eventCloseTs(e: SimEvent): number;
  /** Whether the engine holds this market (with a real order book). */
  adopted(ticker: string): boolean;
  plainCount(): number;
  plainAt(i: number): SimMarket | undefined;
  comboCount(): number;
  comboAt(i: number): SimMarket;
  /** Legs of a combo market, for the wire's mve_selected_legs. */
  comboLegs(m: SimMarket): { event_ticker: string; market_ticker: string; side: string }[] | null;
  /** By ticker, without adopting it into the engine. */
  find(ticker: string): SimMarket | undefined;
  tagsByCategories(): Record<string, string[]>;
}

export function eventStatusOf(markets: SimMarket[]): EventStatus {
  if (markets.some((m) => m.status === "active")) return "open";
  if (markets.some((m) => m.status === "initialized")) return "unopened";
  if (markets.length > 0 && markets.every((m) => m.status === "finalized" || m.status === "determined"))
    return "settled";
  return "closed";
}

/** The default: everything the engine holds (the readable fixtures). */
export function fixtureMarketData(engine: SimEngine): MarketData {
  return {
    seriesList: () => engine.seriesList(),
    series: (t) => engine.series(t),
    events: () => engine.events(),
    event: (t) => engine.event(t),
    eventMarkets: (e) => engine.markets().filter((m) => m.eventTicker === e.eventTicker),
    eventUpdatedTs: (e) =>
      engine
        .markets()
        .filter((m) => m.eventTicker === e.eventTicker)
        .reduce((ts, m) => Math.max(ts, m.updatedTime), 0),
    eventStatus: (e) => eventStatusOf(engine.markets().filter((m) => m.eventTicker === e.eventTicker)),
    eventCloseTs: (e) =>
      engine
        .markets()
        .filter((m) => m.eventTicker === e.eventTicker)
        .reduce((ts, m) => Math.max(ts, m.closeTime), 0),
    adopted: () => true,
    plainCount: () => engine.markets().length,
    plainAt: (i) => engine.markets()[i],
    comboCount: () => 0,
    comboAt: () => {
      throw new RangeError("the fixtures hold no combo markets");
    },
    comboLegs: () => null,
    find: (t) => engine.findMarket(t),
    tagsByCategories: () => {
      const out: Record<string, string[]> = {};
      for (const s of engine.seriesList()) {
        const tags = (out[s.category] ??= []);
        for (const t of s.tags) if (!tags.includes(t)) tags.push(t);
      }
      return out;
    },
  };
}

/** The live-sized catalog, with the engine's adopted markets overriding generated ones. */
export function liveMarketData(catalog: LiveCatalog, engine: SimEngine): MarketData {
  const now = (): number => engine.now();
  const ev = (e: SimEvent) => catalog.event(e.eventTicker);
  return {
    seriesList: () => catalog.series,
    series: (t) => catalog.seriesFor(t) ?? engine.series(t),
    events: () => catalog.events,
    event: (t) => catalog.event(t),
    eventMarkets: (e) => {
      const c = ev(e);
      return c ? catalog.eventMarkets(c, now()) : [];
    },
    eventUpdatedTs: (e) => {
      const c = ev(e);
      return c ? catalog.eventUpdatedTs(c, now()) : 0;
    },
    eventStatus: (e) => {
      const c = ev(e);
      if (!c) return "closed";
      return catalog.hasAdopted(c)
        ? eventStatusOf(catalog.eventMarkets(c, now()))
        : catalog.eventPhase(c, now());
    },
    eventCloseTs: (e) => {
      const c = ev(e);
      if (!c) return 0;
      return catalog.hasAdopted(c)
        ? catalog.eventMarkets(c, now()).reduce((ts, m) => Math.max(ts, m.closeTime), 0)
        : c.closeTs;
    },
    adopted: (t) => catalog.isAdopted(t),
    plainCount: () => catalog.plainCount,
    plainAt: (i) => catalog.plainAt(i, now()),
    comboCount: () => catalog.comboCount,
    comboAt: (i) => catalog.comboAt(i, now()),
    comboLegs: (m) => {
      if (!m.ticker.startsWith("KXMVE")) return null;
      const i = parseInt(m.eventTicker.slice(-11, -6), 16);
      const c = catalog.combo(i);
      if (c.market.ticker !== m.ticker) return null;
      return c.legs.map((l) => ({
        event_ticker: l.leg.eventTicker,
        market_ticker: l.leg.marketTicker,
        side: l.side,
      }));
    },
    find: (t) => catalog.find(t, now()),
    tagsByCategories: () => catalog.tagsByCategories(),
  };
}
