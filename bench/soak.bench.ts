/**
 * Soak: the real bot as its own process (`src/main.ts`, as `npm start` runs it) against the sim at a
 * high event rate for a simulated week, sampling the bot's RSS, heap (after a full GC), open handles,
 * its state files (DATA_DIR) and its logs (LOG_DIR) every simulated hour, and printing the growth per
 * simulated day. Memory or files that grow without bound show as a steady slope.
 *
 * How simulated time relates to wall time: the sim (in this process, playing Kalshi) keeps its own
 * clock, and the benchmark advances it one simulated minute per step (POST /sim/clock's engine call),
 * so fills carry simulated timestamps and markets close and settle on the simulated calendar. Each
 * simulated minute carries `fillsPerMin` fills of the user (the user takes one contract at the best
 * price, alternating buy and sell, so the position stays flat) and `pricesPerMin` price updates (the
 * market maker requotes) in the user's markets. Steps run back to back; after each simulated hour
 * the benchmark waits until the bot has delivered every alert of that hour (its alert state shows the
 * hour's last fill delivered and nothing pending) and answered /balance: a bot that falls behind makes
 * the run slower, never a queue that looks like a leak. The bot's own timers (polling, retries, log
 * rotation by date) run on wall time: a simulated week passes in minutes for the exchange and for
 * the event volume, not for the bot's calendar (daily log files; see docs/benchmarks.md).
 *
 * The user's markets are kept open for the whole run (their close time moved out of the week); the
 * sim keeps no file (its account history is the exchange's, like Kalshi's, not the bot's).
 *
 * The bot takes about 20 fill alerts a second here (each one durable: the alert state written before
 * and after the Telegram call), so a week at 30 fills a minute (302,400 alerts) takes hours of wall
 * time; the default is 1 fill a minute (10,080 fills a week, minutes of wall time) and the table
 * also gives the growth per 10,000 fills, to scale to any rate.
 *
 *   npx tsx bench/soak.bench.ts [--days 7] [--fills 1] [--prices 100]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { centis, micros } from "../src/domain/money.js";
import { USER } from "../src/sim/engine.js";
import { startSim, type SimServer } from "../src/sim/server.js";
import { procRss, stopChild, TSX_LOADER } from "./util.js";

const OWNER = 4242;
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const PROBE = pathToFileURL(fileURLToPath(new URL("./soak-probe.ts", import.meta.url))).href;
const HOUR = 3_600_000;
const MINUTE = 60_000;

export interface SoakOptions {
  /** Simulated days (default 7). */
  days?: number;
  /** User fills per simulated minute (default 1; see the note on wall time above). */
  fillsPerMin?: number;
  /** Price updates per simulated minute in the user's markets (default 100). */
  pricesPerMin?: number;
  /** How many markets the user trades in (default 3). */
  markets?: number;
  /** Samples before this simulated hour are warm-up, left out of the growth (default: 1 day, at most a quarter). */
  warmupHours?: number;
  /** Longest wait for the bot to catch up after a simulated hour (default 120 s). */
  catchUpTimeoutMs?: number;
}

export interface SoakSample {
  hour: number;
  wallS: number;
  rssMb: number;
  heapMb: number;
  handles: number;
  /** Bytes per file in DATA_DIR (relative name → size). */
  state: Record<string, number>;
  /** Bytes per file in LOG_DIR. */
  logs: Record<string, number>;
}

export interface Growth {
  name: string;
  unit: string;
  first: number;
  last: number;
  /** Least-squares slope over the samples after warm-up, per simulated day. */
  perDay: number;
}

export interface SoakResult {
  days: number;
  fillsPerMin: number;
  pricesPerMin: number;
  fills: number;
  priceUpdates: number;
  wallS: number;
  samples: SoakSample[];
  growth: Growth[];
  /** The bot answered /account after the last hour. */
  answered: boolean;
  warmupHours: number;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Bytes of every file under `dir` (names relative to it); temp files of atomic writes left out. */
async function fileSizes(dir: string, prefix = ""): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let names: string[];
  try {
    names = await readdir(join(dir, prefix));
  } catch {
    return out;
  }
  for (const n of names) {
    const rel = prefix ? `${prefix}/${n}` : n;
    if (n.endsWith(".tmp")) continue;
    try {
      const s = await stat(join(dir, rel));
      if (s.isDirectory()) Object.assign(out, await fileSizes(dir, rel));
      else out[rel] = s.size;
    } catch {
      // gone between readdir and stat (a rotation)
    }
  }
  return out;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Growth per simulated day of each measure, over the samples after warm-up. */
export function growthOf(samples: SoakSample[], warmupHours: number): Growth[] {
  const after = samples.filter((s) => s.hour >= warmupHours);
  const use = after.length >= 2 ? after : samples;
  const hours = use.map((s) => s.hour);
  const one = (name: string, unit: string, f: (s: SoakSample) => number): Growth => ({
    name,
    unit,
    first: f(use[0]!),
    last: f(use.at(-1)!),
    perDay: slope(hours, use.map(f)) * 24,
  });
  const files = [...new Set(samples.flatMap((s) => Object.keys(s.state)))].sort();
  return [
    one("RSS", "MB", (s) => s.rssMb),
    one("heap after GC", "MB", (s) => s.heapMb),
    one("open handles", "", (s) => s.handles),
    ...files.map((f) => one(`DATA_DIR/${f}`, "KB", (s) => (s.state[f] ?? 0) / 1024)),
    one("LOG_DIR, all files", "KB", (s) => sum(s.logs) / 1024),
  ];
}

/** The bot's environment: the sim in this process, the fake Bot API, data and logs under `dir`. */
function botEnv(dir: string, api: LocalBotApi, apiRoot: string, sim: SimServer): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
    KALSHI_ENVIRONMENT: "sim",
    KALSHI_API_BASE_URL: sim.baseUrl,
    KALSHI_WS_URL: sim.wsUrl,
    KALSHI_API_KEY: sim.keyId,
    KALSHI_PRIVATE_KEY_PATH: sim.privateKeyPath ?? "",
    LOG_DIR: join(dir, "logs"),
    DATA_DIR: join(dir, "data"),
    DISPLAY_TIMEZONE: "UTC",
    LOG_LEVEL: "info",
  };
}

/** Asks the bot process for its heap (after GC) and open handles over IPC. */
function probe(child: ChildProcess): Promise<{ heapUsedMb: number; rssMb: number; handles: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the bot process did not answer the probe")), 10_000);
    child.once("message", (m) => {
      clearTimeout(timer);
      resolve(m as { heapUsedMb: number; rssMb: number; handles: number });
    });
    child.send("sample");
  });
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`soak: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The bot's alert state: the newest delivered fill's time and how many notices are owed. */
async function alertProgress(dataDir: string): Promise<{ lastFillTs: number; pending: number } | null> {
  try {
    const s = JSON.parse(await readFile(join(dataDir, "alerts-state.json"), "utf8")) as {
      lastFillTs: number | null;
      pending: unknown[];
    };
    return { lastFillTs: s.lastFillTs ?? 0, pending: s.pending.length };
  } catch {
    return null;
  }
}

/** The user's markets: open ones with both sides quoted, kept open past the end of the run. */
function userMarkets(sim: SimServer, n: number, untilMs: number) {
  const { engine } = sim;
  const picked = engine
    .markets()
    .filter(
      (m) => m.status === "active" && engine.top(m.ticker).bid !== null && engine.top(m.ticker).ask !== null,
    )
    .slice(0, n);
  if (picked.length === 0) throw new Error("soak: the sim has no open market with both sides quoted");
  for (const m of picked) {
    m.closeTime = untilMs;
    m.settleTime = untilMs + HOUR;
  }
  return picked;
}

/** One simulated minute: the clock moves, the user takes `fills` contracts, the maker requotes. */
function simulatedMinute(
  sim: SimServer,
  markets: ReturnType<typeof userMarkets>,
  o: { fills: number; prices: number; step: number },
): { fills: number; lastFillTs: number } {
  const { engine } = sim;
  engine.advanceClock(MINUTE);
  let fills = 0;
  let lastFillTs = 0;
  for (let i = 0; i < o.fills; i++) {
    const m = markets[i % markets.length]!;
    const buy = (o.step + i) % 2 === 0;
    let top = engine.top(m.ticker);
    if ((buy ? top.ask : top.bid) === null) {
      engine.requote(m);
      top = engine.top(m.ticker);
    }
    const price = buy ? top.ask : top.bid;
    if (price === null) continue;
    try {
      const r = engine.placeOrder(USER, {
        ticker: m.ticker,
        side: buy ? "bid" : "ask",
        price: micros(price),
        count: centis(100),
        tif: "immediate_or_cancel",
      });
      fills += r.fills.length;
      if (r.fills.length) lastFillTs = r.tsMs;
    } catch {
      // refused (e.g. the market moved): no fill this time
    }
  }
  for (let j = 0; j < o.prices; j++) {
    const m = markets[j % markets.length]!;
    if (j < markets.length) {
      // Once a minute per market: a small random walk of the fair price and the maker's new ladder.
      const step = (((o.step * 31 + j * 17) % 3) - 1) * 10_000;
      m.fair = micros(Math.min(900_000, Math.max(100_000, m.fair + step)));
      engine.requote(m);
    } else {
      // The rest: other traders taking the best price, so the last price and the book move.
      engine.noiseTrade(m, (o.step + j) % 2 === 0 ? "bid" : "ask");
    }
  }
  return { fills, lastFillTs };
}

export async function run(opts: SoakOptions = {}): Promise<SoakResult> {
  const days = opts.days ?? 7;
  const fillsPerMin = opts.fillsPerMin ?? 1;
  const pricesPerMin = opts.pricesPerMin ?? 100;
  const hours = Math.max(2, Math.round(days * 24));
  const warmupHours = opts.warmupHours ?? Math.min(24, Math.floor(hours / 4));
  const catchUpMs = opts.catchUpTimeoutMs ?? 120_000;
  const dir = await mkdtemp(join(tmpdir(), "soak-bench-"));
  const dataDir = join(dir, "data");
  const api = new LocalBotApi();
  let sim: SimServer | undefined;
  let child: ChildProcess | undefined;
  try {
    const apiRoot = await api.listen();
    sim = await startSim({
      keyDir: join(dir, "sim-keys"),
      livingMarket: false,
      rateLimit: false,
      startingBalance: micros(10_000_000 * 1_000_000),
    });
    const markets = userMarkets(sim, opts.markets ?? 3, sim.engine.now() + (hours + 48) * HOUR);
    child = spawn(process.execPath, ["--expose-gc", "--import", TSX_LOADER, "--import", PROBE, MAIN], {
      cwd: dir,
      env: botEnv(dir, api, apiRoot, sim),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
    const bot = child;
    const alive = () => {
      if (bot.exitCode !== null) throw new Error(`soak: the bot exited (${bot.exitCode}): ${stderr}`);
    };
    const asked = async (): Promise<boolean> => {
      api.trim(50);
      await api.sendText(OWNER, OWNER, "/account");
      const said = await waitFor(
        "the bot's answer to /account",
        () => {
          alive();
          return api.calls.some((c) => c.method === "sendMessage" && /Cash:/.test(String(c.params.text)))
            ? true
            : undefined;
        },
        catchUpMs,
      ).catch((e: unknown) => {
        const seen = api.calls.map((c) => `${c.method} ${String(c.params.text ?? "").slice(0, 80)}`);
        throw new Error(`${String(e)}; calls: ${seen.join(" | ").slice(-600)}; bot stderr: ${stderr}`);
      });
      api.trim(50);
      return said;
    };
    await asked();

    const t0 = performance.now();
    const samples: SoakSample[] = [];
    let fills = 0;
    let step = 0;
    const sample = async (hour: number) => {
      const p = await probe(bot);
      const rss = await procRss(bot.pid!);
      samples.push({
        hour,
        wallS: (performance.now() - t0) / 1000,
        rssMb: rss?.rssMb ?? p.rssMb,
        heapMb: p.heapUsedMb,
        handles: p.handles,
        state: await fileSizes(dataDir),
        logs: await fileSizes(join(dir, "logs")),
      });
    };
    await sample(0);
    /** Waits until the bot delivered every alert up to the fill at `ts` and owes nothing. */
    const caughtUp = (ts: number, hour: number) =>
      waitFor(
        `the bot to deliver the alerts of simulated hour ${hour}`,
        async () => {
          alive();
          const s = await alertProgress(dataDir);
          return s && s.pending === 0 && s.lastFillTs >= ts - 1000 ? true : undefined;
        },
        catchUpMs,
      ).catch(async (e: unknown) => {
        const s = await alertProgress(dataDir);
        throw new Error(
          `${String(e)}: alert state ${JSON.stringify(s)}, last fill at ${ts}; bot stderr: ${stderr}`,
        );
      });
    for (let hour = 1; hour <= hours; hour++) {
      let lastFillTs = 0;
      const tHour = performance.now();
      for (let minute = 0; minute < 60; minute++, step++) {
        const r = simulatedMinute(sim, markets, { fills: fillsPerMin, prices: pricesPerMin, step });
        fills += r.fills;
        if (r.lastFillTs) lastFillTs = r.lastFillTs;
        // Let the sim's sockets and the bot breathe between minutes (the events go out in order).
        await new Promise((r) => setImmediate(r));
      }
      const tSim = performance.now();
      if (lastFillTs) await caughtUp(lastFillTs, hour);
      const tCaught = performance.now();
      await asked();
      const tAsked = performance.now();
      await sample(hour);
      if (process.env.SOAK_TRACE)
        console.error(
          `hour ${hour}: sim ${(tSim - tHour).toFixed(0)} ms, catch-up ${(tCaught - tSim).toFixed(0)} ms, /account ${(tAsked - tCaught).toFixed(0)} ms, sample ${(performance.now() - tAsked).toFixed(0)} ms`,
        );
      if (hour % 24 === 0)
        console.error(`  soak: simulated day ${hour / 24} done, ${samples.at(-1)!.wallS.toFixed(0)} s`);
    }
    const answered = await asked();
    return {
      days: hours / 24,
      fillsPerMin,
      pricesPerMin,
      fills,
      priceUpdates: step * pricesPerMin,
      wallS: (performance.now() - t0) / 1000,
      samples,
      growth: growthOf(samples, warmupHours),
      answered,
      warmupHours,
    };
  } finally {
    if (child) await stopChild(child);
    await sim?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/** The growth table as printed by `npm run bench -- --soak`. */
export function formatGrowth(r: SoakResult): string {
  const fillsPerDay = r.fillsPerMin * 1440;
  const lines = [
    `Soak: ${fmt(r.days, 2)} simulated days, ${r.fillsPerMin} fills + ${r.pricesPerMin} price updates per simulated minute ` +
      `(${r.fills.toLocaleString("en-US")} fills, ${r.priceUpdates.toLocaleString("en-US")} price updates), ${fmt(r.wallS, 0)} s wall; ` +
      `growth after ${r.warmupHours} simulated hours of warm-up`,
    "measure                          | first      | last       | per simulated day | per 10,000 fills",
  ];
  for (const g of r.growth) {
    const u = g.unit ? ` ${g.unit}` : "";
    const signed = (x: number) => `${x >= 0 ? "+" : ""}${fmt(x)}${u}`;
    lines.push(
      [
        g.name.padEnd(32),
        `${fmt(g.first, 1)}${u}`.padEnd(10),
        `${fmt(g.last, 1)}${u}`.padEnd(10),
        signed(g.perDay).padEnd(17),
        signed((g.perDay / fillsPerDay) * 10_000),
      ].join(" | "),
    );
  }
  return lines.join("\n");
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run({ days: arg("--days", 7), fillsPerMin: arg("--fills", 1), pricesPerMin: arg("--prices", 100) })
    .then((r) => console.log(formatGrowth(r)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
