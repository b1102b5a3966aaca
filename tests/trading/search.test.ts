/**
 * Search over the local event index, against the sim with a small generated (live-style) catalog:
 * ranking, incremental refresh, the index on disk (restart, corruption) and bad input.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/trading/types.js";
import { createSearchService } from "../../src/trading/search/service.js";
import { indexPath } from "../../src/trading/search/indexStore.js";
import { CatalogIndex, eventOf, type IndexedEvent, rowOf } from "../../src/trading/search/catalogIndex.js";
import { startSimStack, type SimStack } from "../support/simStack.js";

const stacks: SimStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function stack(): Promise<SimStack> {
  const s = await startSimStack({
    countRequests: true,
    sim: { seed: 5, catalog: { series: 40, openEvents: 120, combos: 500 } },
  });
  stacks.push(s);
  return s;
}

function logger() {
  const lines: { level: string; msg: string }[] = [];
  return {
    lines,
    info: (msg: string) => lines.push({ level: "info", msg }),
    warn: (msg: string) => lines.push({ level: "warn", msg }),
  };
}

describe("ranking", () => {
  const ev = (eventTicker: string, over: Partial<IndexedEvent>): IndexedEvent => ({
    eventTicker,
    seriesTicker: eventTicker.split("-")[0]!,
    title: "Bitcoin price today",
    subTitle: "",
    category: "Crypto",
    closeTime: 10_000,
    volume: 100,
    strikes: [[`${eventTicker}-T1`, "$95,000 or above"]],
    ...over,
  });

  it("orders by words, then volume, then the sooner close; closed events drop out", () => {
    const idx = new CatalogIndex();
    idx.upsert(ev("KXA-1", { volume: 100, closeTime: 9_000 }));
    idx.upsert(ev("KXB-1", { volume: 500, closeTime: 20_000 }));
    idx.upsert(ev("KXC-1", { volume: 500, closeTime: 15_000 }));
    idx.upsert(ev("KXD-1", { title: "Bitcoin price today, exact words", volume: 1 }));
    idx.upsert(ev("KXE-1", { volume: 9_999, closeTime: 500 }));
    const order = idx.rank(["bitcoin", "price"], 1_000, 10).map((h) => h.event.eventTicker);
    expect(order).toEqual(["KXC-1", "KXB-1", "KXA-1", "KXD-1"]);
    // A better word match beats volume.
    expect(idx.rank(["exact"], 1_000, 10).map((h) => h.event.eventTicker)).toEqual(["KXD-1"]);
  });

  it("keeps every strike's ticker and label as given, whatever their shape", () => {
    const strikes: [string, string][] = [
      ["KXA-1-T95", "$95,000 or above"],
      ["KXA-1-B1-2", "with a dash"],
      ["OTHER-T3", "another event's prefix"],
      ["PLAIN", "no dash at all"],
      ["KXA-1-T4", "odd \u001f label"],
    ];
    const e = ev("KXA-1", { strikes });
    const back = eventOf(rowOf(e));
    expect(back.strikes.map(([t]) => t)).toEqual(strikes.map(([t]) => t));
    expect(back.strikes.map(([, l]) => l)).toEqual([...strikes.slice(0, 4).map(([, l]) => l), "odd   label"]);
    const idx = new CatalogIndex();
    idx.upsert(e);
    expect(idx.byTicker("plain")).toBeNull();
    expect(idx.byTicker("kxa-1-t95")?.marketTicker).toBe("KXA-1-T95");
    // Strike words name the strikes that carry them, across all shapes.
    expect(idx.rank(["dash"], 1_000, 10)[0]!.strikeTickers).toEqual(["KXA-1-B1-2", "PLAIN"]);
    expect(idx.rank(["95000"], 1_000, 10)[0]!.strikeTickers).toEqual(["KXA-1-T95"]);
  });
});

describe("search over the event index (generated catalog)", () => {
  it("ranks by words: exact ticker, series words, strike words, title + sub-title words; no combos", async () => {
    const s = await stack();
    const search = s.services.search;
    const events = (await s.client.getEventsPage({ status: "open", withNestedMarkets: true })).events;
    s.requests.length = 0;

    // Exact market ticker: its event, with that strike named.
    const ladder = events.find((e) => (e.markets?.length ?? 0) > 3)!;
    const strike = ladder.markets![2]!;
    const exact = await search.search(strike.ticker);
    expect(exact.hits[0]!.event.eventTicker).toBe(ladder.eventTicker);
    expect(exact.hits[0]!.strikeTickers).toEqual([strike.ticker]);
    const cold = s.requests.length;
    expect(cold).toBeGreaterThan(0);
    expect(s.requests.every((r) => r === "GET /events" || r === "GET /series")).toBe(true);

    // Series words: the NYC temperature series comes first; strikes of one event are one result.
    const nyc = await search.search("highest temperature nyc");
    expect(nyc.hits.length).toBeGreaterThan(0);
    expect(nyc.hits[0]!.event.seriesTicker).toBe("KXHIGHNY");
    expect(new Set(nyc.hits.map((h) => h.event.eventTicker)).size).toBe(nyc.hits.length);

    // Strike words narrow to the strikes that carry them.
    const nycEvent = nyc.hits[0]!.event;
    const [strikeTicker, label] = nycEvent.strikes[1]!;
    const number = label.match(/\d+/)![0];
    const byStrike = await search.search(`nyc temperature ${number}`);
    const sameEvent = byStrike.hits.find((h) => h.event.eventTicker === nycEvent.eventTicker)!;
    expect(sameEvent.strikeTickers).toContain(strikeTicker);

    // A word from the title and one only in the sub-title.
    const game = events.find((e) => / vs .* winner\?$/.test(e.title))!;
    const subOnly = game.subTitle.split(/\W+/).find((w) => w.length >= 3 && !game.title.includes(w))!;
    const titleWord = game.title.split(" ")[0]!;
    const across = await search.search(`${titleWord} ${subOnly} winner`);
    expect(across.hits.map((h) => h.event.eventTicker)).toContain(game.eventTicker);

    // No combo markets anywhere; the ranking itself reads nothing.
    s.requests.length = 0;
    for (const q of ["yes", "winner", "price", "game"]) {
      const r = await search.search(q, 50);
      expect(r.hits.some((h) => h.event.eventTicker.startsWith("KXMVE"))).toBe(false);
      expect(r.hits.some((h) => h.event.strikes.some(([t]) => t.startsWith("KXMVE")))).toBe(false);
    }
    expect(s.requests).toEqual([]);
  });

  it("a refresh asks only what changed: picks up a new event and drops a closed one", async () => {
    const s = await stack();
    const search = s.services.search;
    await search.search("price");
    const before = search.stats().events;
    s.requests.length = 0;
    s.sim.engine.advanceClock(3 * 86_400_000);
    const open = await s.client.getEventsPage({ status: "open" });
    expect(open.events.length).toBeGreaterThan(0);
    s.requests.length = 0;
    await search.search("price");
    expect(s.requests.filter((r) => r === "GET /events").length).toBeLessThanOrEqual(2);
    // The index now holds exactly the open events the exchange lists.
    const all: string[] = [];
    let cursor = "";
    do {
      const p = await s.client.getEventsPage({ status: "open", cursor });
      all.push(...p.events.map((e) => e.eventTicker));
      cursor = p.cursor;
    } while (cursor);
    const indexed: string[] = [];
    for (const t of all) if (await search.event(t)) indexed.push(t);
    expect(indexed).toEqual(all);
    expect(search.stats().events).toBe(all.length);
    expect(all.length).not.toBe(before);
  });

  it("a restart reuses the saved index with no request; a corrupt file is rebuilt with a log line", async () => {
    const s = await stack();
    await s.services.search.search("price");
    const saved = JSON.parse(readFileSync(indexPath(s.dataDir), "utf8"));
    expect(saved.events.length).toBe(s.services.search.stats().events);

    s.requests.length = 0;
    const log1 = logger();
    const restarted = createSearchService({
      exchange: s.client,
      dataDir: s.dataDir,
      now: () => s.sim.engine.now(),
      logger: log1,
    });
    const r = await restarted.search("price");
    expect(r.hits.length).toBeGreaterThan(0);
    expect(s.requests).toEqual([]);

    writeFileSync(indexPath(s.dataDir), '{"version":1,"events":[{"eventTicker":');
    const log2 = logger();
    const rebuilt = createSearchService({
      exchange: s.client,
      dataDir: s.dataDir,
      now: () => s.sim.engine.now(),
      logger: log2,
    });
    expect((await rebuilt.search("price")).hits.length).toBeGreaterThan(0);
    expect(log2.lines.some((l) => l.level === "warn" && /unreadable; rebuilding/.test(l.msg))).toBe(true);
    expect(JSON.parse(readFileSync(indexPath(s.dataDir), "utf8")).events.length).toBe(saved.events.length);
  });

  it("an index file of the previous format (a strike list per event) is read, not rebuilt", async () => {
    const s = await stack();
    await s.services.search.search("price");
    const saved = JSON.parse(readFileSync(indexPath(s.dataDir), "utf8"));
    expect(saved.version).toBe(2);
    // Version 1 stored each event as IndexedEvent (with its strike list).
    const v1 = { ...saved, version: 1, events: saved.events.map(eventOf) };
    writeFileSync(indexPath(s.dataDir), JSON.stringify(v1));
    s.requests.length = 0;
    const log = logger();
    const restarted = createSearchService({
      exchange: s.client,
      dataDir: s.dataDir,
      now: () => s.sim.engine.now(),
      logger: log,
    });
    const before = await s.services.search.search("highest temperature nyc");
    const after = await restarted.search("highest temperature nyc");
    expect(after.hits.map((h) => h.event)).toEqual(before.hits.map((h) => h.event));
    expect(s.requests).toEqual([]);
    expect(log.lines.some((l) => l.level === "warn")).toBe(false);
  });

  it("bad input gets a sentence and no exchange call", async () => {
    const s = await stack();
    s.requests.length = 0;
    for (const q of ["", "   ", "x".repeat(500), "<b>", "<b></b> !!"]) {
      const err = await s.services.search.search(q).catch((e: unknown) => e);
      expect(err, q).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/^[A-Z].*[.:] ?\w*/);
    }
    expect(s.requests).toEqual([]);
  });
});
