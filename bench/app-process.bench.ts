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
 *   npx tsx bench/app-process.bench.ts         (bench/run.ts calls run())
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { exited, median, procRss, readBody, stopChild, timeCommand, TSX_LOADER } from "./util.js";

const USER = 4242;
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
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
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_ALLOWED_USER_IDS: String(USER),
      KALSHI_ENVIRONMENT: "sim",
      LOG_DIR: join(dir, "logs"),
      DATA_DIR: join(dir, "data"),
      DISPLAY_TIMEZONE: "UTC",
    };
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
      let output = "";
      const keep = (d: Buffer) => (output = (output + d.toString("utf8")).slice(-4000));
      child.stdout!.on("data", keep);
      child.stderr!.on("data", keep);
      const gone = exited(child).then((code) => {
        throw new Error(`the bot exited early (code ${code}): ${output.slice(-1500)}`);
      });
      gone.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const t1 = await Promise.race([
        polled,
        gone,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the bot did not poll within 30 s: ${output}`)), 30_000);
        }),
      ]).finally(() => clearTimeout(timer));
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
