/**
 * Live scale: the sim with the live-sized catalog (SIM_CATALOG=live) and its Basic-tier rate limit
 * on, the real KalshiClient (its own Basic read budget on) through a request-counting proxy.
 * Measures: sim start-up and RSS; /search cold (empty index) and warm (p50/p99 over 50 different
 * queries) next to today's baseline (downloading every open market, GET /markets?status=open) in
 * the same run; the index's RSS delta and disk size; /portfolio with positions over as many events.
 * Run: npx tsx bench/search.bench.ts [--quick]
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { centis } from "../src/domain/money.js";
import { KalshiClient } from "../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../src/exchange/kalshi/signer.js";
import { USER } from "../src/sim/engine.js";
import { startSim } from "../src/sim/server.js";
import { createPortfolioService } from "../src/trading/portfolio.js";
import { indexPath } from "../src/trading/search/indexStore.js";
import { createSearchService } from "../src/trading/search/service.js";
import { startCountingProxy } from "../tests/support/simStack.js";
import { median, percentile } from "./util.js";

export interface SearchBenchSizes {
  catalog: { series: number; openEvents: number; combos: number } | "live";
  queries: number;
  positions: number;
}

export const SEARCH_FULL: SearchBenchSizes = { catalog: "live", queries: 50, positions: 200 };
export const SEARCH_QUICK: SearchBenchSizes = {
  catalog: { series: 20, openEvents: 40, combos: 200 },
  queries: 10,
  positions: 10,
};

export interface SearchBenchResult {
  catalog: { openEvents: number; plainMarkets: number; combos: number };
  simStartMs: number;
  simRssMb: number;
  baseline: { ms: number; requests: number; markets: number };
  cold: { ms: number; requests: number; events: number };
  warm: { p50Ms: number; p99Ms: number; requests: number; queries: number };
  indexRssMb: number;
  indexDiskMb: number;
  portfolio: { positions: number; events: number; ms: number; requests: number };
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;
/** A full GC even without --expose-gc, so memory deltas are not garbage. */
v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Different queries a trader might type, from the catalog's own vocabulary. */
function queries(n: number): string[] {
  const base = [
    "bitcoin price",
    "highest temperature nyc",
    "ethereum",
    "fed funds rate",
    "cpi",
    "nba game winner",
    "boston",
    "premier league",
    "arsenal",
    "governor race",
    "senate pennsylvania",
    "approval rating",
    "rotten tomatoes",
    "box office",
    "spacex launches",
    "tesla",
    "nvidia close",
    "s&p 500",
    "gold",
    "rain seattle",
    "snow chicago",
    "gas price",
    "unemployment rate",
    "payrolls",
    "mortgage rate",
    "champion",
    "mvp",
    "total points",
    "solana",
    "dogecoin",
    "lowest temperature denver",
    "tsa",
    "measles",
    "inflation japan",
    "leader france",
    "billboard",
    "spotify",
    "ufc",
    "tennis sinner",
    "hockey toronto",
    "college basketball duke",
    "champions league real madrid",
    "musk posts",
    "trump say",
    "government shutdown",
    "openai",
    "apple revenue",
    "eur/usd",
    "10-year treasury",
    "miami high",
  ];
  return base.slice(0, n);
}

export async function run(sizes: SearchBenchSizes = SEARCH_FULL): Promise<SearchBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), "search-bench-"));
  gc();
  const rss0 = rssMb();
  let t = performance.now();
  const sim = await startSim({ livingMarket: false, rateLimit: true, seed: 11, catalog: sizes.catalog });
  const simStartMs = performance.now() - t;
  gc();
  const simRssMb = rssMb() - rss0;
  const requests: string[] = [];
  const proxy = await startCountingProxy(new URL(sim.baseUrl), requests);
  const client = await KalshiClient.create({
    baseUrl: `${proxy.url}${new URL(sim.baseUrl).pathname}`,
    keyId: sim.keyId,
    privateKey: loadPrivateKey(sim.privateKeyPem),
    timeoutMs: 60_000,
  });
  try {
    // Baseline: today's /search downloaded every open market (combos included) before ranking.
    requests.length = 0;
    t = performance.now();
    const all = await client.getMarkets({ status: "open" });
    const baseline = { ms: performance.now() - t, requests: requests.length, markets: all.length };
    const combos = all.filter((m) => m.ticker.startsWith("KXMVE")).length;
    all.length = 0;
    gc();

    // Cold: an empty index fills itself from GET /events?status=open (200 a page) and GET /series.
    const heapBeforeIndex = heapMb();
    const search = createSearchService({ exchange: client, dataDir: dir, refreshAfterMs: 3_600_000 });
    requests.length = 0;
    t = performance.now();
    const first = await search.search("bitcoin price");
    const cold = { ms: performance.now() - t, requests: requests.length, events: search.stats().events };
    if (first.hits.length === 0) throw new Error("search bench: no hit for 'bitcoin price'");
    gc();
    // Heap, not RSS: the baseline's freed pages are not given back at once, so an RSS delta lies here.
    const indexRssMb = heapMb() - heapBeforeIndex;
    const indexDiskMb = (await stat(indexPath(dir))).size / 2 ** 20;

    // Warm: different queries, no exchange request.
    requests.length = 0;
    const times: number[] = [];
    for (const q of queries(sizes.queries)) {
      t = performance.now();
      await search.search(q);
      times.push(performance.now() - t);
    }
    const warm = {
      p50Ms: median(times),
      p99Ms: percentile(times, 99),
      requests: requests.length,
      queries: times.length,
    };

    // /portfolio: one position in each of `positions` events of the catalog (a strike with an ask).
    const picks: string[] = [];
    let cursor = "";
    while (picks.length < sizes.positions) {
      const page = await client.getEventsPage({
        status: "open",
        withNestedMarkets: true,
        limit: 200,
        cursor,
      });
      for (const e of page.events) {
        if (picks.length >= sizes.positions) break;
        const m = (e.markets ?? []).find((x) => x.yesAsk !== null && x.yesAsk < 900_000 && x.yesAsk > 50_000);
        if (!m) continue;
        const ask = sim.engine.top(sim.engine.market(m.ticker).ticker).ask;
        if (ask === null) continue;
        const r = sim.engine.placeOrder(USER, {
          ticker: m.ticker,
          side: "bid",
          price: ask,
          count: centis(100),
          tif: "immediate_or_cancel",
        });
        if (r.fills.length > 0) picks.push(m.ticker);
      }
      cursor = page.cursor;
      if (!cursor) break;
    }
    const portfolioSvc = createPortfolioService({ exchange: client, timeZone: "America/New_York" });
    requests.length = 0;
    t = performance.now();
    const view = await portfolioSvc.view();
    const portfolio = {
      positions: view.positions.length,
      events: new Set(picks.map((p) => p.slice(0, p.lastIndexOf("-")))).size,
      ms: performance.now() - t,
      requests: requests.length,
    };
    const openEvents = cold.events;
    return {
      catalog: { openEvents, plainMarkets: baseline.markets - combos, combos },
      simStartMs,
      simRssMb,
      baseline,
      cold,
      warm,
      indexRssMb,
      indexDiskMb,
      portfolio,
    };
  } finally {
    await client.close();
    await proxy.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run(process.argv.includes("--quick") ? SEARCH_QUICK : SEARCH_FULL);
  console.log(JSON.stringify(r, null, 2));
}
