/**
 * `npm run bench`: every benchmark, one table. Each result sits next to a baseline measured in the
 * same run on the same machine. 127.0.0.1 only; every server and child process is stopped.
 *
 *   npm run bench [-- --quick] [-- --verbose] [-- --markdown]
 *   npm run bench -- --soak [--quick]     (the soak alone: a simulated week, bench/soak.bench.ts)
 *
 * --quick runs every benchmark with tiny sizes (a smoke run for CI: the numbers mean nothing, only
 * that every row comes out); --verbose shows the sub-benchmarks' own output; --markdown also prints
 * the table as Markdown. Method notes: docs/benchmarks.md.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { cpus } from "node:os";
import { run as alertsRun, type AlertsBenchOptions } from "./alerts.bench.js";
import { run as appProcessRun, runLiveIdle } from "./app-process.bench.js";
import type { CsvBenchResult } from "./csv.bench.js";
import { run as chartRun } from "./chart.bench.js";
import { run as orderPathRun } from "./order-path.bench.js";
import { run as ordersRun } from "./orders.bench.js";
import { run as portfolioRun } from "./portfolio.bench.js";
import { run as portfolioCardsRun } from "./portfolio-cards.bench.js";
import { run as priceAlertsRun, type PriceAlertsBenchOptions } from "./price-alerts.bench.js";
import { run as searchRun, SEARCH_FULL, SEARCH_QUICK, type SearchBenchSizes } from "./search.bench.js";
import { run as simOrdersRun } from "./sim-orders.js";
import { formatGrowth, run as soakRun, type SoakOptions, type SoakResult } from "./soak.bench.js";
import { fmtMb, fmtMs, median, percentile, quietly, ratio, timeCommand, TSX_LOADER } from "./util.js";

export interface Row {
  benchmark: string;
  result: string;
  baseline: string;
  notes: string;
}

/** How big each benchmark runs. */
export interface BenchSizes {
  orders: number;
  orderWarmup: number;
  alerts: AlertsBenchOptions;
  priceAlerts: PriceAlertsBenchOptions;
  positions: number;
  portfolioLatencyMs: number;
  /** /orders: resting orders listed with their queue positions (default 100). */
  restingOrders?: number;
  csvFills: number;
  starts: number;
  idleMs: number;
  baselineRuns: number;
  simOrders: number;
  search: SearchBenchSizes;
  /** The bot process against a sim process: which catalog (the CLI's live one, or the small fixtures). */
  liveIdle: { catalog: "live" | "fixtures"; idleMs: number; restart: boolean; entries: ("tsx" | "dist")[] };
  /** The soak (bench/soak.bench.ts); null = not in this run (`--soak` runs the week alone). */
  soak: SoakOptions | null;
  /** P&L chart renders per range, and fills in the digest build. */
  charts?: { runs: number; digestFills: number };
}

/** `--soak`: a simulated week (about 10 minutes of wall time; see bench/soak.bench.ts). */
export const SOAK_SIZES: SoakOptions = { days: 7, fillsPerMin: 1, pricesPerMin: 100 };

export const FULL_SIZES: BenchSizes = {
  orders: 50,
  orderWarmup: 5,
  alerts: {},
  priceAlerts: { crossings: 100, pollMs: 5_000 },
  positions: 200,
  portfolioLatencyMs: 2,
  csvFills: 100_000,
  starts: 3,
  idleMs: 3_000,
  baselineRuns: 5,
  simOrders: 2000,
  search: SEARCH_FULL,
  liveIdle: { catalog: "live", idleMs: 3_000, restart: true, entries: ["tsx", "dist"] },
  soak: null,
  charts: { runs: 15, digestFills: 10_000 },
};

/** `--quick`: every code path, tiny sizes. */
export const QUICK_SIZES: BenchSizes = {
  orders: 5,
  orderWarmup: 1,
  alerts: { fills: 20, spacingMs: 5, pollIntervalMs: 100, simFills: 5, simPollIntervalMs: 100 },
  priceAlerts: { crossings: 10, pollMs: 200 },
  positions: 20,
  portfolioLatencyMs: 1,
  restingOrders: 10,
  csvFills: 1_000,
  starts: 1,
  idleMs: 300,
  baselineRuns: 1,
  simOrders: 50,
  search: SEARCH_QUICK,
  liveIdle: { catalog: "fixtures", idleMs: 300, restart: false, entries: ["tsx"] },
  soak: { days: 3 / 24, fillsPerMin: 2, pricesPerMin: 10 },
  charts: { runs: 2, digestFills: 500 },
};

const n = (x: number) => Math.round(x).toLocaleString("en-US");

interface AlertRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

/** alerts.bench run() rows: "alerts: stub websocket, 200 fills", "alerts: sim polling-only (every 500 ms), 40 fills", … */
function alertRows(res: unknown): Row[] {
  const list = (Array.isArray(res) ? res : []) as Partial<AlertRow>[];
  const pick = (where: "stub" | "sim", mode: RegExp) =>
    list.find(
      (x): x is AlertRow =>
        typeof x.name === "string" &&
        x.name.includes(`${where} `) &&
        mode.test(x.name) &&
        typeof x.p50Ms === "number",
    );
  const out: Row[] = [];
  for (const [where, label] of [
    ["stub", "stub Kalshi"],
    ["sim", "sim"],
  ] as const) {
    const ws = pick(where, /websocket/i);
    const poll = pick(where, /polling/i);
    if (!ws || !poll) {
      throw new Error(
        `alerts.bench run() returned an unexpected shape: ${JSON.stringify(res).slice(0, 200)}`,
      );
    }
    const fills = /(\d+) fills/.exec(ws.name)?.[1];
    const pollMode = /polling-only \(every \d+ ms\)/.exec(poll.name)?.[0] ?? "polling-only";
    out.push({
      benchmark: `Fill alert latency, ${label}, WebSocket, p50 / p99${fills ? ` (${fills} fills)` : ""}`,
      result: `${fmtMs(ws.p50Ms)} / ${fmtMs(ws.p99Ms)}`,
      baseline: `${pollMode} ${fmtMs(poll.p50Ms)} / ${fmtMs(poll.p99Ms)}`,
      notes: `polling-only is ${ratio(poll.p50Ms, ws.p50Ms)} slower at p50`,
    });
  }
  return out;
}

export interface BenchRunResult {
  rows: Row[];
  failed: number;
  seconds: number;
}

/** Runs every benchmark in turn; a benchmark that throws gives one `FAILED` row and the rest still run. */
export async function runBenchmarks(
  sizes: BenchSizes,
  opts: { verbose?: boolean; progress?: (line: string) => void } = {},
): Promise<BenchRunResult> {
  const progress = opts.progress ?? (() => undefined);
  const rows: Row[] = [];
  let failed = 0;
  const t0 = performance.now();

  async function section(name: string, fn: () => Promise<Row[]>): Promise<void> {
    progress(`… ${name}`);
    const t = performance.now();
    try {
      rows.push(...(await quietly(fn, opts.verbose)));
      progress(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } catch (e) {
      failed++;
      const msg = e instanceof Error ? e.message : String(e);
      progress(`  FAILED: ${msg}`);
      rows.push({
        benchmark: name,
        result: "FAILED",
        baseline: "",
        notes: msg.split("\n")[0]!.slice(0, 120),
      });
    }
  }

  await section("order path", async () => {
    const r = await orderPathRun({ orders: sizes.orders, warmup: sizes.orderWarmup });
    return [
      {
        benchmark: `Order path: Confirm tap → POST at exchange, p50 (${r.orders} orders)`,
        result: `${fmtMs(r.botP50Ms)} (p90 ${fmtMs(r.botP90Ms)})`,
        baseline: `bare signed fetch ${fmtMs(r.bareP50Ms)} (p90 ${fmtMs(r.bareP90Ms)})`,
        notes:
          `${ratio(r.botP50Ms, r.bareP50Ms)} bare; p50 parts: tap → outbox ${fmtMs(r.parts.beforePlaceP50Ms)}, ` +
          `outbox → POST ${fmtMs(r.parts.placeP50Ms)} (durable outbox write beside it ${fmtMs(r.parts.writeP50Ms)})`,
      },
      {
        benchmark: `/buy → quote card, back to back, p50 / p90 (${r.quoteMs.length} quotes)`,
        result: `${fmtMs(median(r.quoteMs))} / ${fmtMs(percentile(r.quoteMs, 90))}`,
        baseline: `first /buy ${fmtMs(r.quoteMs[0] ?? NaN)}`,
        notes: `${r.quoteRequests.toFixed(1)} reads a quote; the client's Basic-tier read budget paces a burst`,
      },
    ];
  });

  await section("alert latency", async () => alertRows(await alertsRun(sizes.alerts)));

  await section("price alert latency", async () => {
    const r = await priceAlertsRun(sizes.priceAlerts);
    return [
      {
        benchmark: `Price alert latency, sim ticker frame → send, p50 / p99 (${r.crossings} crossings)`,
        result: `${fmtMs(r.ws.p50Ms)} / ${fmtMs(r.ws.p99Ms)}`,
        baseline: `REST polling every ${r.pollMs} ms ${fmtMs(r.poll.p50Ms)} / ${fmtMs(r.poll.p99Ms)}`,
        notes: `polling is ${ratio(r.poll.p50Ms, r.ws.p50Ms)} slower at p50`,
      },
    ];
  });

  await section("portfolio", async () => {
    const r = await portfolioRun(sizes.positions, sizes.portfolioLatencyMs);
    return [
      {
        benchmark: `/portfolio, ${r.positions} positions: requests`,
        result: `${r.batched.requests}`,
        baseline: `naive ${r.naive.requests}`,
        notes: `${ratio(r.naive.requests, r.batched.requests)} fewer requests`,
      },
      {
        benchmark: `/portfolio, ${r.positions} positions: time (${r.latencyMs} ms/request)`,
        result: fmtMs(r.batched.ms),
        baseline: `naive ${fmtMs(r.naive.ms)}`,
        notes: `${ratio(r.naive.ms, r.batched.ms)} faster`,
      },
    ];
  });

  await section("portfolio cards (through the bot)", async () => {
    const r = await portfolioCardsRun(sizes.positions, sizes.portfolioLatencyMs);
    return [
      {
        benchmark: `/portfolio, ${r.positions} positions and their buttons (bot): requests / time`,
        result: `${r.first.requests} / ${fmtMs(r.first.ms)}`,
        baseline: `service alone ${r.service.requests} / ${fmtMs(r.service.ms)}`,
        notes: `${r.first.pages} pages ≤ ${r.first.longestPage} chars, ${r.first.buttons} buttons on page 1; page turn ${r.turn.requests} requests ${fmtMs(r.turn.ms)}; sell tap → quote ${r.sell.requests} requests ${fmtMs(r.sell.ms)}`,
      },
    ];
  });

  await section("orders", async () => {
    const r = await ordersRun(sizes.restingOrders ?? 100, sizes.portfolioLatencyMs);
    return [
      {
        benchmark: `/orders, ${r.orders} resting orders with queue positions: requests`,
        result: `${r.batched.requests}`,
        baseline: `naive ${r.naive.requests}`,
        notes: `one orders page + one queue read (100 markets a request); ${r.pages} pages of cards`,
      },
      {
        benchmark: `/orders, ${r.orders} resting orders: time (${r.latencyMs} ms/request)`,
        result: fmtMs(r.batched.ms),
        baseline: `naive ${fmtMs(r.naive.ms)}`,
        notes: `${ratio(r.naive.ms, r.batched.ms)} faster (read and render every page)`,
      },
    ];
  });

  await section("csv export (child process)", async () => {
    const script = fileURLToPath(new URL("./csv.bench.ts", import.meta.url));
    const out = await timeCommand(
      process.execPath,
      ["--expose-gc", "--import", TSX_LOADER, script, String(sizes.csvFills), "--json"],
      { timeoutMs: 120_000 },
    );
    const line = out.stdout
      .trim()
      .split("\n")
      .reverse()
      .find((l) => l.startsWith("{"));
    if (out.code !== 0 || !line)
      throw new Error(`csv.bench failed (code ${out.code}): ${out.stderr.slice(-300)}`);
    const r = JSON.parse(line) as CsvBenchResult;
    const peak = Math.max(r.peakRssMb, r.maxRssMb ?? 0);
    return [
      {
        benchmark: `CSV export, ${n(r.fills)} fills: time`,
        result: fmtMs(r.ms),
        baseline: "—",
        notes: `${n(r.rows)} rows, ${r.files} file(s), ${(r.bytes / 2 ** 20).toFixed(1)} MB, ${n(r.rows / (r.ms / 1000))} rows/s`,
      },
      {
        benchmark: `CSV export, ${n(r.fills)} fills: peak RSS (own process)`,
        result: fmtMb(peak),
        baseline: `${fmtMb(r.rssBeforeMb)} before the export`,
        notes: `+${fmtMb(peak - r.rssBeforeMb)} for the export (fills held by the fake exchange)`,
      },
    ];
  });

  await section("bot process (start-up, idle RSS)", async () => {
    const r = await appProcessRun({
      starts: sizes.starts,
      idleMs: sizes.idleMs,
      baselineRuns: sizes.baselineRuns,
    });
    // A number measured on a bot that does not work is no number.
    if (!r.answered) throw new Error("the bot process did not answer /balance after idling");
    return [
      {
        benchmark: `Start-up: spawn → first getUpdates, p50 of ${r.startupMs.length}`,
        result: fmtMs(r.startupP50Ms),
        baseline: `node -e 0 ${fmtMs(r.nodeBaselineP50Ms)}; tsx empty file ${fmtMs(r.tsxBaselineP50Ms)}`,
        notes: `${ratio(r.startupP50Ms, r.nodeBaselineP50Ms)} node; first start ${fmtMs(r.startupMs[0] ?? NaN)} (makes sim keys)`,
      },
      {
        benchmark: `Idle RSS of the running bot (after ${r.idleMs / 1000} s)`,
        result: fmtMb(r.idleRssMb),
        baseline: `idle node ${fmtMb(r.nodeIdleRssMb)}; idle tsx ${fmtMb(r.tsxIdleRssMb)}`,
        notes: `${ratio(r.idleRssMb, r.nodeIdleRssMb)} node, +${fmtMb(r.idleRssMb - r.tsxIdleRssMb)} over tsx; peak so far ${fmtMb(r.idleHwmMb)}`,
      },
      {
        benchmark: "Shutdown: SIGTERM → exit",
        result: fmtMs(r.shutdownMs),
        baseline: "—",
        notes: "polling, alert stream, sim and logs closed",
      },
    ];
  });

  await section("sim orders/s", async () => {
    const r = await simOrdersRun(sizes.simOrders, { quiet: true });
    if (r.moneyDiscrepancy !== 0) {
      throw new Error(`the sim's money check is off by ${r.moneyDiscrepancy} micros after the orders`);
    }
    return [
      {
        benchmark: `Sim orders/s, signed HTTP (${r.concurrency} in flight)`,
        result: `${n(r.httpOrdersPerSec)}/s`,
        baseline: `engine in-process ${n(r.engineOrdersPerSec)}/s`,
        notes: `HTTP at ${((r.httpOrdersPerSec / r.engineOrdersPerSec) * 100).toFixed(1)}% of the engine; money check 0`,
      },
    ];
  });

  await section("live scale (search, index, portfolio)", async () =>
    searchRows(await searchRun(sizes.search)),
  );

  await section("bot process with the live catalog (idle RSS)", async () => {
    const idleRows: Row[] = [];
    for (const entry of sizes.liveIdle.entries) {
      const r = await runLiveIdle({ ...sizes.liveIdle, entry });
      idleRows.push({
        benchmark: `Bot idle RSS with the ${r.catalog} catalog (index built)${entry === "dist" ? ", node dist/main.js" : ""}`,
        result: fmtMb(r.idleRssMb),
        baseline: `same bot before the index ${fmtMb(r.beforeRssMb)}; aim < 150 MB`,
        notes:
          `+${fmtMb(r.idleRssMb - r.beforeRssMb)} after the first /search (${fmtMs(r.firstSearchMs)}), peak ${fmtMb(r.idleHwmMb)}; ` +
          (Number.isNaN(r.restartRssMb) ? "" : `${fmtMb(r.restartRssMb)} restarted on the saved index; `) +
          "sim in its own process",
      });
    }
    return idleRows;
  });

  const soak = sizes.soak;
  if (soak) await section("soak", async () => [soakRow(await soakRun(soak))]);
  await section("P&L charts and the digest", async () => {
    const r = await chartRun(sizes.charts ?? { runs: 15, digestFills: 10_000 });
    return [
      {
        benchmark: "P&L chart PNG, p50: 7 / 90 / 365 days",
        result: `${fmtMs(r.p50Ms["7"])} / ${fmtMs(r.p50Ms["90"])} / ${fmtMs(r.p50Ms["365"])}`,
        baseline: `first (cold) render ${fmtMs(r.coldMs)}`,
        notes: `RSS added by the renderer ${fmtMb(r.rssAddedBytes / 1_048_576)}; ECharts SVG → resvg, DejaVu font`,
      },
      {
        benchmark: `Daily digest build, ${n(r.digestFills)} fills`,
        result: fmtMs(r.digestP50Ms),
        baseline: `FIFO ledger alone ${fmtMs(r.ledgerP50Ms)}`,
        notes: "p50; the exchange reads come on top",
      },
    ];
  });

  return { rows, failed, seconds: (performance.now() - t0) / 1000 };
}

/** The soak's row: RSS growth per simulated day after warm-up, the rest in the notes. */
export function soakRow(r: SoakResult): Row {
  // A number measured on a bot that does not work is no number.
  if (!r.answered) throw new Error("the bot did not answer /account at the end of the soak");
  const g = (name: string) => r.growth.find((x) => x.name === name);
  const perDay = (x: number | undefined, unit: string) =>
    x === undefined || !Number.isFinite(x) ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(1)}${unit}/day`;
  const files = r.growth.filter((x) => x.name.startsWith("DATA_DIR/"));
  const largest = [...files].sort((a, b) => b.last - a.last)[0];
  const stateDay = files.reduce((a, x) => a + x.perDay, 0);
  return {
    benchmark:
      `Soak, ${Math.round(r.days * 24)} simulated hours (${r.fillsPerMin} fills + ${r.pricesPerMin} price updates ` +
      "/ simulated minute): RSS growth per simulated day",
    result: perDay(g("RSS")?.perDay, " MB"),
    baseline: "aim < 5 MB/day after warm-up",
    notes:
      `heap ${perDay(g("heap after GC")?.perDay, " MB")}, handles ${perDay(g("open handles")?.perDay, "")}, ` +
      `state files ${perDay(stateDay, " KB")} (largest ${largest?.name.slice(9) ?? "none"} ${largest ? largest.last.toFixed(0) : 0} KB), ` +
      `logs ${perDay(g("LOG_DIR, all files")?.perDay, " KB")}; ${n(r.fills)} fills in ${r.wallS.toFixed(0)} s`,
  };
}

/** search.bench run() → rows: catalog, /search cold and warm vs the full download, index, /portfolio. */
function searchRows(r: Awaited<ReturnType<typeof searchRun>>): Row[] {
  const cat = `${n(r.catalog.openEvents)} open events, ${n(r.catalog.plainMarkets)} plain + ${n(r.catalog.combos)} combo markets`;
  return [
    {
      benchmark: "Sim with the live catalog: start-up / RSS added",
      result: `${fmtMs(r.simStartMs)} / ${fmtMb(r.simRssMb)}`,
      baseline: "aim < 5 s / < 400 MB",
      notes: cat,
    },
    {
      benchmark: "/search cold (empty index): time / requests",
      result: `${fmtMs(r.cold.ms)} / ${r.cold.requests}`,
      baseline: `full open-market download ${fmtMs(r.baseline.ms)} / ${r.baseline.requests}`,
      notes: `${ratio(r.baseline.ms, r.cold.ms)} faster, ${ratio(r.baseline.requests, r.cold.requests)} fewer requests; aim cold < 10 s`,
    },
    {
      benchmark: `/search warm, p50 / p99 (${r.warm.queries} different queries)`,
      result: `${fmtMs(r.warm.p50Ms)} / ${fmtMs(r.warm.p99Ms)}`,
      baseline: `full download per search ${fmtMs(r.baseline.ms)}`,
      notes: `${r.warm.requests} exchange requests for the ranking; aim p50 < 100 ms`,
    },
    {
      benchmark: "Search index: heap added / file on disk",
      result: `${fmtMb(r.indexRssMb)} / ${r.indexDiskMb.toFixed(1)} MB`,
      baseline: `${n(r.baseline.markets)} markets downloaded by the old /search`,
      notes: `${n(r.cold.events)} events indexed, no market prices kept`,
    },
    {
      benchmark: `/portfolio, ${r.portfolio.positions} positions over ${r.portfolio.events} events (live catalog): requests / time`,
      result: `${r.portfolio.requests} / ${fmtMs(r.portfolio.ms)}`,
      baseline: `naive ${1 + 2 * r.portfolio.positions} requests (market + book each)`,
      notes: "sim rate limit on; the client paces itself at Basic",
    },
  ];
}

const HEAD: Row = { benchmark: "benchmark", result: "result", baseline: "baseline", notes: "ratio / notes" };
const COLS = ["benchmark", "result", "baseline", "notes"] as const;

/** The plain-text table: a header line, a rule, one line per row, columns joined by " | ". */
export function formatTable(rows: Row[]): string {
  const w = Object.fromEntries(
    COLS.map((c) => [c, Math.max(...[HEAD, ...rows].map((r) => r[c].length))]),
  ) as Record<(typeof COLS)[number], number>;
  const line = (r: Row) =>
    COLS.map((c, i) => (i === COLS.length - 1 ? r[c] : r[c].padEnd(w[c])))
      .join(" | ")
      .trimEnd();
  return [line(HEAD), COLS.map((c) => "-".repeat(w[c])).join("-+-"), ...rows.map(line)].join("\n");
}

export function formatMarkdown(rows: Row[]): string {
  const md = (r: Row) => `| ${COLS.map((c) => r[c].replace(/\|/g, "\\|")).join(" | ")} |`;
  return [md(HEAD), `| ${COLS.map(() => "---").join(" | ")} |`, ...rows.map(md)].join("\n");
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const quick = args.has("--quick");
  if (args.has("--soak")) return soakMain(quick ? QUICK_SIZES.soak! : SOAK_SIZES);
  const { rows, failed, seconds } = await runBenchmarks(quick ? QUICK_SIZES : FULL_SIZES, {
    verbose: args.has("--verbose"),
    progress: (s) => process.stderr.write(`${s}\n`),
  });
  console.log("");
  console.log(
    `Benchmarks${quick ? " (--quick: tiny sizes, a smoke run; the numbers mean little)" : ""} ` +
      `(node ${process.version}, ${cpus().length} CPU, ${cpus()[0]?.model.trim() ?? "?"}), ${seconds.toFixed(0)} s`,
  );
  console.log(formatTable(rows));
  if (args.has("--markdown")) {
    console.log("");
    console.log(formatMarkdown(rows));
  }
  if (failed) process.exitCode = 1;
}

/** `npm run bench -- --soak`: the soak alone, its growth table, then its row of the bench table. */
async function soakMain(sizes: SoakOptions): Promise<void> {
  process.stderr.write("… soak\n");
  const r = await soakRun(sizes);
  console.log(formatGrowth(r));
  console.log("");
  console.log(formatTable([soakRow(r)]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
