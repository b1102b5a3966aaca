/**
 * CSV export of 100,000 fills through the history service (FIFO P&L, journal join) to a temp dir:
 * time and peak RSS. Run: npx tsx bench/csv.bench.ts [fills] [--json]
 * With --json the last stdout line is the result as JSON (bench/run.ts runs it that way in a child
 * process, so that the peak RSS is this export's alone).
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createExportService } from "../src/trading/export.js";
import { createHistoryService } from "../src/trading/history.js";
import { SimExchange } from "../tests/support/simExchange.js";

export interface CsvBenchResult {
  fills: number;
  rows: number;
  files: number;
  bytes: number;
  ms: number;
  rssBeforeMb: number;
  peakRssMb: number;
  /** The process's lifetime peak RSS (getrusage maxrss), MB. */
  maxRssMb: number;
}

export async function run(fills = 100_000, opts: { quiet?: boolean } = {}): Promise<CsvBenchResult> {
  const log = opts.quiet ? () => undefined : (s: string) => console.log(s);
  const end = Date.UTC(2026, 10, 24);
  // Fills older than 14 days are in /historical.
  const fx = new SimExchange({ now: () => end, historicalCutoffMs: 14 * 86_400_000 });
  const ids = new Set<string>();
  for (let i = 0; i < fills; i++) {
    const ticker = `KXBENCH${i % 500}-26DEC31`;
    if (i < 500) fx.addMarket({ ticker, title: `Bench market ${i}, "quoted"` });
    const orderId = `o-${i}`;
    if (i % 3 === 0) ids.add(orderId);
    fx.addFill({
      ticker,
      side: i % 4 < 2 ? "bid" : "ask",
      yesPrice: `0.${String(10 + (i % 80)).padStart(2, "0")}`,
      count: 1 + (i % 7),
      fee: "0.02",
      time: end - (fills - i) * 10_000,
      orderId,
      fillId: `f-${i}`,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), "csv-bench-"));
  try {
    const history = createHistoryService({
      exchange: fx,
      journalIndex: { orderIds: ids, clientOrderIds: new Set() },
    });
    const exporter = createExportService({
      history,
      dataDir: dir,
      timeZone: "America/New_York",
      environment: "sim",
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t = performance.now();
    const res = await exporter.exportCsv(0, end);
    const ms = performance.now() - t;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    let bytes = 0;
    for (const f of res.files) bytes += (await stat(f)).size;
    const result: CsvBenchResult = {
      fills,
      rows: res.rows,
      files: res.files.length,
      bytes,
      ms,
      rssBeforeMb: rssBefore / 2 ** 20,
      peakRssMb: peak / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
    log(
      `csv export: ${fills} fills → ${res.rows} rows, ${res.files.length} file(s), ${(bytes / 2 ** 20).toFixed(1)} MB`,
    );
    log(
      `  time ${ms.toFixed(0)} ms; RSS ${result.rssBeforeMb.toFixed(0)} MB before, peak ${result.peakRssMb.toFixed(0)} MB`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const n = Number(args.find((a) => /^\d+$/.test(a))) || 100_000;
  const result = await run(n, { quiet: json });
  if (json) console.log(JSON.stringify(result));
}
