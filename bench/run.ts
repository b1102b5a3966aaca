/**
 * `npm run bench`: every benchmark, one table. Each result sits next to a baseline measured in the
 * same run on the same machine. 127.0.0.1 only; every server and child process is stopped.
 *
 *   npm run bench [-- --verbose] [-- --markdown]
 *
 * --verbose shows the sub-benchmarks' own output; --markdown also prints the table as Markdown.
 * Method notes: docs/benchmarks.md.
 */
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";
import { run as alertsRun } from "./alerts.bench.js";
import { run as appProcessRun } from "./app-process.bench.js";
import type { CsvBenchResult } from "./csv.bench.js";
import { run as orderPathRun } from "./order-path.bench.js";
import { run as portfolioRun } from "./portfolio.bench.js";
import { run as simOrdersRun } from "./sim-orders.js";
import { fmtMb, fmtMs, median, percentile, quietly, ratio, timeCommand, TSX_LOADER } from "./util.js";

interface Row {
  benchmark: string;
  result: string;
  baseline: string;
  notes: string;
}

const args = new Set(process.argv.slice(2));
const verbose = args.has("--verbose");
const rows: Row[] = [];
let failed = 0;
const progress = (s: string) => process.stderr.write(`${s}\n`);

async function section(name: string, fn: () => Promise<Row[]>): Promise<void> {
  progress(`… ${name}`);
  const t = performance.now();
  try {
    rows.push(...(await quietly(fn, verbose)));
    progress(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } catch (e) {
    failed++;
    const msg = e instanceof Error ? e.message : String(e);
    progress(`  FAILED: ${msg}`);
    rows.push({ benchmark: name, result: "FAILED", baseline: "", notes: msg.split("\n")[0]!.slice(0, 120) });
  }
}

const n = (x: number) => Math.round(x).toLocaleString("en-US");

async function main(): Promise<void> {
  const t0 = performance.now();

  await section("order path", async () => {
    const r = await orderPathRun({ orders: 50, warmup: 5 });
    return [
      {
        benchmark: `Order path: Confirm tap → POST at exchange, p50 (${r.orders} orders)`,
        result: `${fmtMs(r.botP50Ms)} (p90 ${fmtMs(r.botP90Ms)})`,
        baseline: `bare signed fetch ${fmtMs(r.bareP50Ms)} (p90 ${fmtMs(r.bareP90Ms)})`,
        notes: `${ratio(r.botP50Ms, r.bareP50Ms)} bare; +${fmtMs(r.botP50Ms - r.bareP50Ms)} for bot + services`,
      },
      {
        benchmark: `/buy → quote card, back to back, p50 / p90 (${r.quoteMs.length} quotes)`,
        result: `${fmtMs(median(r.quoteMs))} / ${fmtMs(percentile(r.quoteMs, 90))}`,
        baseline: `first /buy ${fmtMs(r.quoteMs[0] ?? NaN)}`,
        notes: `${r.quoteRequests.toFixed(1)} reads a quote; the client's Basic-tier read budget paces a burst`,
      },
    ];
  });

  await section("alert latency", async () => {
    const res = (await alertsRun()) as unknown;
    const list = (Array.isArray(res) ? res : []) as { mode?: string; p50Ms?: number; p99Ms?: number }[];
    const ws = list.find((x) => /^websocket/i.test(x.mode ?? ""));
    const poll = list.find((x) => /poll/i.test(x.mode ?? ""));
    if (!ws || !poll || ws.p50Ms === undefined || poll.p50Ms === undefined) {
      throw new Error(
        `alerts.bench run() returned an unexpected shape: ${JSON.stringify(res).slice(0, 200)}`,
      );
    }
    const fills = (ws as { fills?: number }).fills;
    return [
      {
        benchmark: `Fill alert latency, WebSocket, p50 / p99${fills ? ` (${fills} fills)` : ""}`,
        result: `${fmtMs(ws.p50Ms)} / ${fmtMs(ws.p99Ms ?? NaN)}`,
        baseline: `${poll.mode ?? "polling-only"} ${fmtMs(poll.p50Ms)} / ${fmtMs(poll.p99Ms ?? NaN)}`,
        notes: `polling-only is ${ratio(poll.p50Ms, ws.p50Ms)} slower at p50`,
      },
    ];
  });

  await section("portfolio", async () => {
    const r = await portfolioRun(200, 2);
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

  await section("csv export (child process)", async () => {
    const script = fileURLToPath(new URL("./csv.bench.ts", import.meta.url));
    const out = await timeCommand(
      process.execPath,
      ["--expose-gc", "--import", TSX_LOADER, script, "100000", "--json"],
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
    const r = await appProcessRun({ starts: 3, idleMs: 3_000 });
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
        notes: `${ratio(r.idleRssMb, r.nodeIdleRssMb)} node, +${fmtMb(r.idleRssMb - r.tsxIdleRssMb)} over tsx; peak so far ${fmtMb(r.idleHwmMb)}${r.answered ? "" : "; DID NOT answer /balance"}`,
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
    const r = await simOrdersRun(2000, { quiet: true });
    return [
      {
        benchmark: `Sim orders/s, signed HTTP (${r.concurrency} in flight)`,
        result: `${n(r.httpOrdersPerSec)}/s`,
        baseline: `engine in-process ${n(r.engineOrdersPerSec)}/s`,
        notes: `HTTP at ${((r.httpOrdersPerSec / r.engineOrdersPerSec) * 100).toFixed(1)}% of the engine; money check ${r.moneyDiscrepancy === 0 ? "0" : `OFF BY ${r.moneyDiscrepancy}`}`,
      },
    ];
  });

  const total = (performance.now() - t0) / 1000;
  const head: Row = {
    benchmark: "benchmark",
    result: "result",
    baseline: "baseline",
    notes: "ratio / notes",
  };
  const cols = ["benchmark", "result", "baseline", "notes"] as const;
  const width = (c: (typeof cols)[number]) => Math.max(...[head, ...rows].map((r) => r[c].length));
  const w = Object.fromEntries(cols.map((c) => [c, width(c)])) as Record<(typeof cols)[number], number>;
  const line = (r: Row) =>
    cols
      .map((c, i) => (i === cols.length - 1 ? r[c] : r[c].padEnd(w[c])))
      .join(" | ")
      .trimEnd();
  console.log("");
  console.log(
    `Benchmarks (node ${process.version}, ${cpus().length} CPU, ${cpus()[0]?.model.trim() ?? "?"}), ${total.toFixed(0)} s`,
  );
  console.log(line(head));
  console.log(cols.map((c) => "-".repeat(w[c])).join("-+-"));
  for (const r of rows) console.log(line(r));
  if (args.has("--markdown")) {
    const md = (r: Row) => `| ${cols.map((c) => r[c].replace(/\|/g, "\\|")).join(" | ")} |`;
    console.log("");
    console.log(md(head));
    console.log(`| ${cols.map(() => "---").join(" | ")} |`);
    for (const r of rows) console.log(md(r));
  }
  if (failed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
