/**
 * The real bot as its own process (`node --import tsx src/main.ts`, KALSHI_ENVIRONMENT=sim so the app
 * starts its in-process sim, living market on), talking to a LocalBotApi in this process over HTTP:
 *
 * - start-up time: spawn → the bot's first getUpdates reaching the Bot API, median of `starts` runs
 *   (the first run also generates the sim's key pair), next to `node -e 0` (spawn → exit) and tsx
 *   loading an empty .ts file, measured in the same run;
 * - idle RSS: VmRSS from /proc/<pid>/status after `idleMs` of idling, next to an idle bare node;
 * - shutdown: SIGTERM → exit.
 *
 * runLiveIdle(): the bot's idle RSS with the live-sized catalog. The sim runs as a SEPARATE process
 * (`src/sim/cli.ts`, as `npm run sim`, SIM_CATALOG=live, rate limit on, living market off) so its
 * memory is not counted; the bot points at it (KALSHI_API_BASE_URL, KALSHI_WS_URL, the sim's key),
 * builds its search index on a first /search, idles, and its VmRSS is read next to its own idle
 * RSS before the index; then it is restarted on the same DATA_DIR (the saved index) and read again.
 * With `entry: "dist"` the bot runs as the Docker image runs it, `node dist/main.js` with the image's
 * NODE_OPTIONS (read from the Dockerfile; `--node-options=<flags>` overrides them) (compiled first
 * with tsconfig.build.json), without tsx's own memory.
 *
 *   npx tsx bench/app-process.bench.ts         (bench/run.ts calls run())
 *   npx tsx bench/app-process.bench.ts --live [--dist]
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { exited, median, procRss, readBody, stopChild, timeCommand, TSX_LOADER } from "./util.js";

const USER = 4242;
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST_MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const SIM_CLI = fileURLToPath(new URL("../src/sim/cli.ts", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AppProcessResult {
  /** spawn → first getUpdates, ms, one per start (the first includes key generation). */
  startupMs: number[];
  startupP50Ms: number;
  /** `node -e 0`, spawn → exit, ms. */
  nodeBaselineMs: number[];
  nodeBaselineP50Ms: number;
  /** `node --import tsx empty.ts`, spawn → exit, ms. */
  tsxBaselineMs: number[];
  tsxBaselineP50Ms: number;
  idleMs: number;
  /** VmRSS of the idle bot, MB (NaN without /proc). */
  idleRssMb: number;
  /** VmHWM (peak RSS so far) of the bot at that moment, MB. */
  idleHwmMb: number;
  /** VmRSS of an idle `node -e "setInterval(...)"`, MB. */
  nodeIdleRssMb: number;
  /** VmRSS of an idle .ts file under tsx (setInterval only), MB. */
  tsxIdleRssMb: number;
  /** SIGTERM → exit, ms, of the last start. */
  shutdownMs: number;
  /** The idle bot answered /balance afterwards (it was really running). */
  answered: boolean;
}

/** LocalBotApi served over HTTP through its in-process fetch, noting when each getUpdates arrives. */
async function serveBotApi(api: LocalBotApi) {
  let onPoll: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    void (async () => {
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      try {
        if (req.url?.endsWith("/getUpdates") && onPoll) {
          onPoll();
          onPoll = undefined;
        }
        const body = await readBody(req);
        const r = await api.fetch(`http://127.0.0.1${req.url ?? "/"}`, {
          body,
          headers: { "content-type": req.headers["content-type"] ?? "" },
          signal: abort.signal,
        });
        if (res.destroyed) return;
        res.writeHead(r.status, { "content-type": "application/json" });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch {
        if (!res.headersSent && !res.destroyed) res.writeHead(500);
        res.end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves at the next getUpdates. */
    nextPoll: () => new Promise<number>((r) => (onPoll = () => r(performance.now()))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * The bot's whole environment (no inherited settings, no stray .env): the fake Bot API, the sim,
 * logs and data under `dir`. `kalshi` (the KALSHI_* lines a sim process prints) points it at that sim.
 */
function botEnv(
  dir: string,
  token: string,
  apiRoot: string,
  kalshi: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_ALLOWED_USER_IDS: String(USER),
    KALSHI_ENVIRONMENT: "sim",
    ...kalshi,
    LOG_DIR: join(dir, "logs"),
    DATA_DIR: join(dir, "data"),
    DISPLAY_TIMEZONE: "UTC",
  };
}

export async function run(
  opts: { starts?: number; idleMs?: number; baselineRuns?: number } = {},
): Promise<AppProcessResult> {
  const starts = opts.starts ?? 3;
  const idleMs = opts.idleMs ?? 3_000;
  const baselineRuns = opts.baselineRuns ?? 5;
  const dir = await mkdtemp(join(tmpdir(), "app-process-bench-"));
  const api = new LocalBotApi();
  const botApi = await serveBotApi(api);
  const children = new Set<ChildProcess>();
  try {
    // Baselines, same run.
    const nodeBaselineMs: number[] = [];
    for (let i = 0; i < baselineRuns; i++) {
      nodeBaselineMs.push((await timeCommand(process.execPath, ["-e", "0"])).ms);
    }
    const empty = join(dir, "empty.ts");
    await writeFile(empty, "export {};\n");
    const tsxBaselineMs: number[] = [];
    for (let i = 0; i < Math.min(3, baselineRuns); i++) {
      const r = await timeCommand(process.execPath, ["--import", TSX_LOADER, empty], { cwd: dir });
      if (r.code !== 0) throw new Error(`tsx baseline failed: ${r.stderr.slice(-500)}`);
      tsxBaselineMs.push(r.ms);
    }
    const idleRss = async (args: string[]): Promise<number> => {
      const c = spawn(process.execPath, args, { cwd: dir, stdio: "ignore" });
      children.add(c);
      await sleep(Math.min(1_000, idleMs));
      const mb = (await procRss(c.pid!))?.rssMb ?? NaN;
      await stopChild(c);
      children.delete(c);
      return mb;
    };
    const nodeIdleRssMb = await idleRss(["-e", "setInterval(() => {}, 1000)"]);
    const idleTs = join(dir, "idle.ts");
    await writeFile(idleTs, "setInterval(() => {}, 1000);\nexport {};\n");
    const tsxIdleRssMb = await idleRss(["--import", TSX_LOADER, idleTs]);

    // The bot.
    const env = botEnv(dir, api.token, botApi.url);
    const startupMs: number[] = [];
    let idleRssMb = NaN;
    let idleHwmMb = NaN;
    let shutdownMs = NaN;
    let answered = false;
    for (let i = 0; i < starts; i++) {
      const polled = botApi.nextPoll();
      const t0 = performance.now();
      const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN], {
        cwd: dir, // no stray .env from the repository
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(child);
      const t1 = await before(polled, child, "the bot's first poll", keepOutput(child), 30_000);
      startupMs.push(t1 - t0);

      if (i === starts - 1) {
        await sleep(idleMs);
        const rss = await procRss(child.pid!);
        idleRssMb = rss?.rssMb ?? NaN;
        idleHwmMb = rss?.hwmMb ?? NaN;
        const before = api.calls.length;
        await api.sendText(USER, USER, "/balance");
        answered = await api
          .waitForCall(
            "sendMessage",
            (c) => api.calls.indexOf(c) >= before && c.params.chat_id === USER,
            10_000,
          )
          .then(
            () => true,
            () => false,
          );
      }
      const s0 = performance.now();
      await stopChild(child);
      shutdownMs = performance.now() - s0;
      children.delete(child);
    }
    const result: AppProcessResult = {
      startupMs,
      startupP50Ms: median(startupMs),
      nodeBaselineMs,
      nodeBaselineP50Ms: median(nodeBaselineMs),
      tsxBaselineMs,
      tsxBaselineP50Ms: median(tsxBaselineMs),
      idleMs,
      idleRssMb,
      idleHwmMb,
      nodeIdleRssMb,
      tsxIdleRssMb,
      shutdownMs,
      answered,
    };
    console.log(
      `bot process: start-up ${startupMs.map((x) => x.toFixed(0)).join(", ")} ms (node -e 0: ` +
        `${result.nodeBaselineP50Ms.toFixed(0)} ms, tsx empty file: ${result.tsxBaselineP50Ms.toFixed(0)} ms); ` +
        `idle RSS ${idleRssMb.toFixed(0)} MB (bare node ${nodeIdleRssMb.toFixed(0)} MB, ` +
        `tsx idle file ${tsxIdleRssMb.toFixed(0)} MB); ` +
        `shutdown ${shutdownMs.toFixed(0)} ms; answered /balance: ${answered}`,
    );
    return result;
  } finally {
    for (const c of children) await stopChild(c, 2_000);
    await botApi.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export interface LiveIdleResult {
  catalog: "live" | "fixtures";
  /** How the bot ran: `node --import tsx src/main.ts` (npm start) or `node dist/main.js` (Docker). */
  entry: "tsx" | "dist";
  /** NODE_OPTIONS the bot ran with ("" for none). */
  nodeOptions: string;
  /** Sim process spawn → its KALSHI_* lines printed, ms. */
  simStartMs: number;
  /** VmRSS of the idle bot before any search (no index), MB. */
  beforeRssMb: number;
  /** First /search (cold: the index is built from GET /events) → its answer, ms. */
  firstSearchMs: number;
  /** CPU time the bot process used during that first /search, ms (NaN without /proc). */
  firstSearchCpuMs: number;
  idleMs: number;
  /** VmRSS of the idle bot `idleMs` after the index was built, MB (NaN without /proc). */
  idleRssMb: number;
  /** VmHWM (peak RSS so far) at that moment, MB. */
  idleHwmMb: number;
  /** VmRSS of the bot restarted on the same DATA_DIR (index loaded from disk), `idleMs` after a /search, MB (NaN with restart: false). */
  restartRssMb: number;
}

/** Output lines of a child, kept (last 4,000 characters) for error messages. */
function keepOutput(child: ChildProcess): () => string {
  let out = "";
  const keep = (d: Buffer) => (out = (out + d.toString("utf8")).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => out;
}

/** Resolves with `p`, or rejects when `child` exits first or `ms` pass. */
async function before<T>(
  p: Promise<T>,
  child: ChildProcess,
  what: string,
  out: () => string,
  ms: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const gone = exited(child).then((code) => {
    throw new Error(`${what}: the process exited (code ${code}): ${out().slice(-1500)}`);
  });
  gone.catch(() => undefined);
  try {
    return await Promise.race([
      p,
      gone,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: no answer within ${ms / 1000} s: ${out().slice(-1500)}`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `npm run sim`'s entry point; resolves with the KALSHI_* settings it prints. */
async function startSimProcess(
  dir: string,
  catalog: "live" | "fixtures",
  children: Set<ChildProcess>,
): Promise<{ env: Record<string, string>; ms: number }> {
  const t0 = performance.now();
  const sim = spawn(process.execPath, ["--import", TSX_LOADER, SIM_CLI], {
    cwd: dir, // no stray .env from the repository
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      DATA_DIR: join(dir, "sim-data"),
      SIM_PORT: "0",
      SIM_CATALOG: catalog,
      SIM_LIVING_INTERVAL_MS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(sim);
  const out = keepOutput(sim);
  const printed = new Promise<Record<string, string>>((resolve) => {
    sim.stdout!.on("data", () => {
      const env = Object.fromEntries(
        [...out().matchAll(/^\s+(KALSHI_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]),
      );
      if (env.KALSHI_PRIVATE_KEY_PATH) resolve(env);
    });
  });
  const env = await before(printed, sim, "sim process", out, 60_000);
  return { env, ms: performance.now() - t0 };
}

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat; NaN without /proc. */
async function procCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15 (clock ticks of 10 ms).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Compiles src/ into dist/ as the Dockerfile's `npm run build` does. */
async function buildDist(): Promise<void> {
  const tsc = spawn(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const out = keepOutput(tsc);
  const code = await exited(tsc);
  if (code !== 0) throw new Error(`npm run build failed (code ${code}): ${out().slice(-1500)}`);
}

/** The NODE_OPTIONS the Docker image sets (its runtime `ENV NODE_OPTIONS="..."`), "" when it sets none. */
export async function dockerNodeOptions(): Promise<string> {
  const text = await readFile(join(ROOT, "Dockerfile"), "utf8");
  return /\bNODE_OPTIONS="([^"]*)"/.exec(text)?.[1] ?? "";
}

export async function runLiveIdle(
  opts: {
    catalog?: "live" | "fixtures";
    idleMs?: number;
    restart?: boolean;
    entry?: "tsx" | "dist";
    /** NODE_OPTIONS of the bot process; default: the Docker image's for "dist", none for "tsx". */
    nodeOptions?: string;
  } = {},
): Promise<LiveIdleResult> {
  const catalog = opts.catalog ?? "live";
  const entry = opts.entry ?? "tsx";
  const nodeOptions = opts.nodeOptions ?? (entry === "dist" ? await dockerNodeOptions() : "");
  if (entry === "dist") await buildDist();
  const restart = opts.restart ?? true;
  const idleMs = opts.idleMs ?? 3_000;
  const dir = await mkdtemp(join(tmpdir(), "live-idle-bench-"));
  const api = new LocalBotApi();
  const botApi = await serveBotApi(api);
  const children = new Set<ChildProcess>();
  try {
    const sim = await startSimProcess(dir, catalog, children);
    const env = {
      ...botEnv(dir, api.token, botApi.url, sim.env),
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    };
    /** Spawns the bot and waits for its first poll. */
    const startBot = async () => {
      const polled = botApi.nextPoll();
      const args = entry === "dist" ? [DIST_MAIN] : ["--import", TSX_LOADER, MAIN];
      const bot = spawn(process.execPath, args, {
        cwd: dir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(bot);
      const out = keepOutput(bot);
      await before(polled, bot, "the bot's first poll", out, 30_000);
      return { bot, out };
    };
    /** Sends a /search and waits for its answer (a list of hits); ms. */
    const search = async (bot: ChildProcess, out: () => string): Promise<number> => {
      const sent = api.calls.length;
      const t0 = performance.now();
      await api.sendText(USER, USER, "/search bitcoin price");
      const reply = await before(
        api.waitForCall(
          "sendMessage",
          (c) => api.calls.indexOf(c) >= sent && c.params.chat_id === USER,
          120_000,
        ),
        bot,
        "/search",
        out,
        120_000,
      );
      if (!String(reply.params.text).includes("Open markets matching")) {
        throw new Error(`/search found nothing: ${String(reply.params.text).slice(0, 200)}`);
      }
      return performance.now() - t0;
    };

    const first = await startBot();
    await sleep(idleMs);
    const beforeRssMb = (await procRss(first.bot.pid!))?.rssMb ?? NaN;
    // A first /search builds the index from the sim (its rate limit on, the client's budget on).
    const cpuBefore = await procCpuMs(first.bot.pid!);
    const firstSearchMs = await search(first.bot, first.out);
    const firstSearchCpuMs = (await procCpuMs(first.bot.pid!)) - cpuBefore;
    await sleep(idleMs);
    const rss = await procRss(first.bot.pid!);
    await stopChild(first.bot);
    children.delete(first.bot);

    // A restart loads the saved index from DATA_DIR instead of downloading it.
    let restartRssMb = NaN;
    if (restart) {
      const second = await startBot();
      await search(second.bot, second.out);
      await sleep(idleMs);
      restartRssMb = (await procRss(second.bot.pid!))?.rssMb ?? NaN;
    }

    const result: LiveIdleResult = {
      catalog,
      entry,
      nodeOptions,
      simStartMs: sim.ms,
      beforeRssMb,
      firstSearchMs,
      firstSearchCpuMs,
      idleMs,
      idleRssMb: rss?.rssMb ?? NaN,
      idleHwmMb: rss?.hwmMb ?? NaN,
      restartRssMb,
    };
    console.log(
      `bot (${nodeOptions ? `NODE_OPTIONS="${nodeOptions}" ` : ""}${entry === "dist" ? "node dist/main.js" : "tsx src/main.ts"}) with the ${catalog} catalog (sim in its own process, started in ${sim.ms.toFixed(0)} ms): ` +
        `idle RSS ${beforeRssMb.toFixed(0)} MB before the index, first /search ${firstSearchMs.toFixed(0)} ms (bot CPU ${firstSearchCpuMs.toFixed(0)} ms), ` +
        `idle RSS ${result.idleRssMb.toFixed(0)} MB with the index (peak ${result.idleHwmMb.toFixed(0)} MB), ` +
        `${result.restartRssMb.toFixed(0)} MB after a restart on the saved index`,
    );
    return result;
  } finally {
    // The bot first, then the sim it talks to.
    for (const c of [...children].reverse()) await stopChild(c, 2_000);
    await botApi.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--live"))
    await runLiveIdle({
      entry: process.argv.includes("--dist") ? "dist" : "tsx",
      // --node-options="<flags>" overrides the default (e.g. --node-options= for none), to compare settings.
      nodeOptions: process.argv.find((a) => a.startsWith("--node-options="))?.slice("--node-options=".length),
    });
  else await run();
}
