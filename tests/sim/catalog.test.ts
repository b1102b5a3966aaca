/**
 * The live-sized catalog: Kalshi-sized counts from one seed, and the market-data endpoints'
 * filters (status, mve_filter, min_updated_ts, cursor paging) on a small generated catalog.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- wire JSON read loosely, as in tests/support/simClient.ts */
import { afterEach, describe, expect, it } from "vitest";
import { LiveCatalog, LIVE_SIZES } from "../../src/sim/catalog/live.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { SimClient } from "../support/simClient.js";

const NOW = Date.UTC(2026, 10, 20, 15, 0, 0);
const sims: SimServer[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function smallSim(): Promise<{ sim: SimServer; c: SimClient; clock: { t: number } }> {
  const clock = { t: NOW };
  const sim = await startSim({
    livingMarket: false,
    now: () => clock.t,
    catalog: { series: 30, openEvents: 90, combos: 300 },
  });
  sims.push(sim);
  return { sim, c: new SimClient(sim), clock };
}

async function all(c: SimClient, path: string, key: "events" | "markets"): Promise<any[]> {
  const out: any[] = [];
  let cursor = "";
  for (let i = 0; i < 100; i++) {
    const sep = path.includes("?") ? "&" : "?";
    const r = await c.get(`${path}${cursor ? `${sep}cursor=${cursor}` : ""}`);
    expect(r.status, r.text).toBe(200);
    out.push(...r.body[key]);
    cursor = r.body.cursor;
    if (!cursor) break;
  }
  return out;
}

describe("live-sized catalog", () => {
  it("has Kalshi's sizes, the same from the same seed, without generating the markets up front", () => {
    const a = new LiveCatalog({ now: NOW, seed: 7 });
    const open = a.events.filter((e) => a.eventPhase(e, NOW) === "open");
    expect(a.series).toHaveLength(LIVE_SIZES.series);
    expect(open).toHaveLength(3_000);
    const openMarkets = open.reduce((n, e) => n + e.marketCount, 0);
    expect(openMarkets).toBeGreaterThan(35_000);
    expect(openMarkets).toBeLessThan(45_000);
    expect(a.comboCount).toBeGreaterThanOrEqual(150_000);
    expect(new Set(a.series.map((s) => s.category)).size).toBeGreaterThanOrEqual(12);
    // Same seed, same catalog; a combo is a pure function of its index and found by ticker.
    const b = new LiveCatalog({ now: NOW, seed: 7 });
    expect(b.events.map((e) => e.eventTicker)).toEqual(a.events.map((e) => e.eventTicker));
    const combo = a.combo(149_999).market;
    expect(combo.ticker).toMatch(/^KXMVE/);
    expect(b.find(combo.ticker, NOW)?.title).toBe(combo.title);
    const e = open[1234]!;
    expect(b.eventMarkets(b.event(e.eventTicker)!, NOW).map((m) => m.ticker)).toEqual(
      a.eventMarkets(e, NOW).map((m) => m.ticker),
    );
  });

  it("pages open events 200 at a time, nests markets on request, and keeps combos out of /events", async () => {
    const { c } = await smallSim();
    const first = await c.get("/events?status=open");
    expect(first.body.events.length).toBeLessThanOrEqual(200);
    const events = await all(c, "/events?status=open&limit=25&with_nested_markets=true", "events");
    expect(events).toHaveLength(90);
    expect(new Set(events.map((e) => e.event_ticker)).size).toBe(90);
    expect(events.every((e) => !e.event_ticker.startsWith("KXMVE"))).toBe(true);
    expect(
      events.every((e) => e.markets.length > 0 && e.markets.every((m: any) => m.status === "active")),
    ).toBe(true);
    expect((await c.get("/events?limit=201")).status).toBe(400);
  });

  it("filters markets by mve_filter, event, series and tickers, and refuses filters the spec forbids", async () => {
    const { c } = await smallSim();
    const plain = await all(c, "/markets?status=open&mve_filter=exclude&limit=1000", "markets");
    expect(plain.length).toBeGreaterThan(300);
    expect(plain.some((m) => m.ticker.startsWith("KXMVE"))).toBe(false);
    const combos = await all(c, "/markets?mve_filter=only&limit=1000", "markets");
    expect(combos).toHaveLength(300);
    expect(combos.every((m) => m.ticker.startsWith("KXMVE") && m.mve_selected_legs.length >= 2)).toBe(true);
    const everything = await all(c, "/markets?status=open&limit=1000", "markets");
    expect(everything).toHaveLength(plain.length + 300);

    const one = plain[17];
    const ofEvent = (await c.get(`/markets?event_ticker=${one.event_ticker}`)).body.markets;
    expect(ofEvent.map((m: any) => m.ticker)).toContain(one.ticker);
    expect(ofEvent.every((m: any) => m.event_ticker === one.event_ticker)).toBe(true);
    const picked = (await c.get(`/markets?tickers=${one.ticker},${combos[3].ticker},NOPE-1`)).body.markets;
    expect(picked.map((m: any) => m.ticker)).toEqual([one.ticker, combos[3].ticker]);

    for (const q of [
      "status=open&min_updated_ts=1",
      "event_ticker=X&min_updated_ts=1",
      "series_ticker=KXHIGHNY&min_updated_ts=1",
      "mve_filter=sometimes",
      "status=open&min_close_ts=1",
    ]) {
      expect((await c.get(`/markets?${q}`)).status, q).toBe(400);
    }
    expect((await c.get("/markets?series_ticker=KXHIGHNY&min_updated_ts=1&mve_filter=exclude")).status).toBe(
      200,
    );
  });

  it("min_updated_ts reports events that opened or closed since, as the clock moves", async () => {
    const { sim, c, clock } = await smallSim();
    const before = Math.floor(clock.t / 1000);
    const open = await all(c, "/events?status=open&with_nested_markets=true", "events");
    expect((await all(c, `/events?min_updated_ts=${before}`, "events")).length).toBe(0);
    clock.t += 3 * 86_400_000;
    const changed = await all(c, `/events?min_updated_ts=${before}&with_nested_markets=true`, "events");
    const opened = changed.filter((e) => e.markets.some((m: any) => m.status === "active"));
    const wasOpen = new Set(open.map((o) => o.event_ticker));
    // New events (unopened before) show up…
    expect(opened.filter((e) => !wasOpen.has(e.event_ticker)).length).toBeGreaterThan(0);
    // …and every open event whose close time has passed is reported, with no active market left.
    const due = open.filter((e) => e.markets.every((m: any) => Date.parse(m.close_time) <= clock.t));
    expect(due.length).toBeGreaterThan(0);
    for (const e of due) {
      const now = changed.find((x) => x.event_ticker === e.event_ticker);
      expect(
        now?.markets.every((m: any) => m.status !== "active"),
        e.event_ticker,
      ).toBe(true);
    }
    expect(sim.engine.markets()).toHaveLength(0);
  });

  it("trades on a catalog market: the engine adopts its event whole and lists it with a real book", async () => {
    const { sim, c } = await smallSim();
    const ev = (await c.get("/events?status=open&with_nested_markets=true&limit=1")).body.events[0];
    const m = ev.markets[0];
    const r = await c.order({ ticker: m.ticker, side: "bid", price: m.yes_ask_dollars, count: "2" });
    expect(r.status, r.text).toBe(201);
    expect(
      sim.engine
        .markets()
        .map((x) => x.ticker)
        .sort(),
    ).toEqual(ev.markets.map((x: any) => x.ticker).sort());
    const pos = (await c.get("/portfolio/positions")).body.market_positions;
    expect(pos.map((p: any) => p.ticker)).toEqual([m.ticker]);
    const listed = (await c.get(`/markets?tickers=${m.ticker}`)).body.markets[0];
    expect(listed.volume_fp).not.toBe(m.volume_fp);
  });

  it("answers tags_by_categories from the series' categories", async () => {
    const { c } = await smallSim();
    const r = await c.get("/search/tags_by_categories");
    expect(r.status).toBe(200);
    expect(r.body.tags_by_categories["Climate and Weather"]).toContain("Weather");
    expect(Object.keys(r.body.tags_by_categories).length).toBeGreaterThan(3);
  });
});
