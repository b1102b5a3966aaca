/**
 * createApp's start and stop: a failed start names the step that failed, health counts only polls
 * that worked, and a shutdown (app.stop(), SIGTERM to `npm start`) stays within its budget while
 * still writing the outcome of an order that was being placed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import diagnostics from "node:diagnostics_channel";
import http from "node:http";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppStartError, createApp, STOP_BUDGET_MS, successfulPolls, type App } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { formatDollars } from "../src/domain/money.js";
import { validPrices } from "../src/sim/engine.js";
import { startSim, type SimServer } from "../src/sim/server.js";
import { type AppHarness, OWNER, startAppHarness, until } from "./support/appHarness.js";

const ROOT = resolve(import.meta.dirname, "..");
// The app runs the way `npm start` runs it: one node process with tsx's loader. (tsx's own CLI runs
// it in a second process and turns a signal the app does not report within 30 ms into exit 143, which
// a loaded machine can hit.)
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe("health counts only successful polls", () => {
  it("records getUpdates answers that are ok, not error answers, throws or other methods", async () => {
    let polls = 0;
    const t = successfulPolls(() => polls++);
    const call = (method: string, res: unknown) =>
      t(
        () => (res instanceof Error ? Promise.reject(res) : Promise.resolve(res)) as never,
        method as never,
        {} as never,
      );
    await call("getUpdates", { ok: true, result: [] });
    expect(polls).toBe(1);
    await call("getUpdates", { ok: false, error_code: 502, description: "Bad Gateway" });
    await expect(call("getUpdates", new Error("network down"))).rejects.toThrow("network down");
    await call("sendMessage", { ok: true, result: {} });
    expect(polls).toBe(1);
  });
});

describe("app.start() names the step that failed", () => {
  it("the health port in use: an AppStartError for the health step, naming the port", async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as AddressInfo).port;
    const err = await startAppHarness({ env: { HEALTH_PORT: String(port) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppStartError);
    expect(err).toMatchObject({ step: "health" });
    expect((err as Error).message).toContain(`port ${port} is already in use`);
    expect((err as Error).message).not.toMatch(/Telegram/);
  });

  it("Telegram refusing the token: an AppStartError for the telegram step, without the token", async () => {
    const dir = await mkdtemp(join(tmpdir(), "app-start-tg-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const api = new LocalBotApi();
    const apiRoot = await api.listen();
    cleanups.push(() => api.close());
    const config = loadConfig(
      {
        KALSHI_ENVIRONMENT: "sim",
        TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
        LOG_DIR: join(dir, "logs"),
        DATA_DIR: join(dir, "data"),
      },
      { cwd: dir },
    );
    const badToken = "123456:not-the-right-token-abcdef";
    const app: App = await createApp({
      config,
      token: badToken,
      botConfig: { client: { apiRoot } },
      console: false,
      sim: { livingMarket: false, rateLimit: false },
    });
    cleanups.push(() => app.stop());
    const err = await app.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppStartError);
    expect(err).toMatchObject({ step: "telegram" });
    expect((err as Error).message).toMatch(
      /^The bot could not connect to Telegram: .*Check TELEGRAM_BOT_TOKEN/,
    );
    expect((err as Error).message).not.toContain(badToken);
    expect((err as Error).message).not.toContain("not-the-right-token");
  });
});

describe("shutdown", () => {
  let h: AppHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("app.stop() during app.start(): nothing is started after the stop (no polling, no health port)", async () => {
    h = await startAppHarness({ start: false, health: true });
    const starting = h.app.start().catch((e: unknown) => e);
    await h.app.stop();
    await starting;
    expect(h.app.health).toBeNull();
    const report = await h.app.checkHealth();
    expect(report.checks.polling.ok).toBe(false);
  });

  it("app.stop() while Kalshi hangs (settlement poll and a /portfolio in flight) keeps its budget", async () => {
    // The requests the sim receives, seen through Node's own HTTP server diagnostics channel (sim, client
    // and test share this process): stop() must find a settlement poll and /portfolio hung at the sim,
    // not still to come.
    const received: string[] = [];
    const onRequest = (m: unknown) => {
      const url = (m as { request: http.IncomingMessage }).request.url ?? "";
      if (url.startsWith("/trade-api/v2/")) received.push(url);
    };
    const settlementPolls = (from: number) =>
      received
        .slice(from)
        .filter((u) => u.startsWith("/trade-api/v2/portfolio/settlements?") && u.includes("min_ts="));
    diagnostics.subscribe("http.server.request.start", onRequest);
    try {
      h = await startAppHarness({ alerts: { settlementPollMs: 200 } });
      // Two polls: the first one (after the start-up backfill) is done, the next comes 200 ms after it.
      await until("the settlement polls running", () => settlementPolls(0).length >= 2);
      h.sim.setLatency(60_000);
      const mark = received.length; // a request received from here on hangs
      void h.say("/portfolio");
      await until(
        "a settlement poll and /portfolio's positions read hanging at the sim",
        () =>
          settlementPolls(mark).length > 0 &&
          received.slice(mark).some((u) => u.startsWith("/trade-api/v2/portfolio/positions")),
      );
    } finally {
      diagnostics.unsubscribe("http.server.request.start", onRequest);
    }
    const t0 = Date.now();
    await h.app.stop();
    // Kalshi hangs for 60 s; the budget cuts the wait (the slack is for a loaded machine, not for a hang).
    expect(Date.now() - t0).toBeLessThan(STOP_BUDGET_MS + 1_000);
    // Polling ended (the app polls with its own per-chat poller, not bot.start()).
    expect((await h.app.checkHealth()).checks.polling.ok).toBe(false);
    const logs = await readdir(join(h.dir, "logs"));
    const appLog = await readFile(
      join(
        h.dir,
        "logs",
        logs.find((f) => /^app-.*\.log$/.test(f))!,
      ),
      "utf8",
    );
    expect(appLog).toContain('"message":"stopped"');
  });

  it("SIGTERM while an order POST hangs: exits in time, tells the user and journals the open outcome", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sigterm-hang-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sim: SimServer = await startSim({
      keyDir: join(dir, "simkeys"),
      livingMarket: false,
      rateLimit: false,
    });
    cleanups.push(() => sim.close());
    const api = new LocalBotApi();
    await api.listen();
    cleanups.push(() => api.close());

    // A proxy in front of the sim that can swallow order POSTs (no answer, connection kept open).
    let hangPosts = false;
    let hung = false;
    const simUrl = new URL(sim.baseUrl);
    const proxy = http.createServer((req, res) => {
      if (hangPosts && req.method === "POST") {
        hung = true;
        return;
      }
      const up = http.request(
        { host: simUrl.hostname, port: simUrl.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode!, r.headers);
          r.pipe(res);
        },
      );
      up.on("error", () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    cleanups.push(() => {
      proxy.closeAllConnections();
      return new Promise((r) => proxy.close(r));
    });
    const base = sim.baseUrl.replace(`:${simUrl.port}`, `:${(proxy.address() as AddressInfo).port}`);

    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      TELEGRAM_BOT_TOKEN: api.token,
      TELEGRAM_API_ROOT: api.apiRoot,
      TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
      KALSHI_ENVIRONMENT: "sim",
      KALSHI_API_BASE_URL: base,
      KALSHI_WS_URL: sim.wsUrl,
      KALSHI_API_KEY: sim.keyId,
      KALSHI_PRIVATE_KEY_PATH: sim.privateKeyPath!,
      LOG_DIR: join(dir, "logs"),
      DATA_DIR: join(dir, "data"),
    };
    const proc: ChildProcess = spawn(process.execPath, ["--import", TSX_LOADER, join(ROOT, "src/main.ts")], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
    cleanups.push(async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    });
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    await until("the bot to run", () => out.includes("The bot is running"), 20_000, 25);

    const m = sim.engine
      .markets()
      .find((x) => x.status === "active" && sim.engine.top(x.ticker).ask !== null)!;
    const top = sim.engine.top(m.ticker);
    const p = validPrices(m.priceRanges).find((x) => x > (top.bid ?? 0) && x < top.ask!)!;
    await api.sendText(OWNER, OWNER, `/buy ${m.ticker} yes 3 @${formatDollars(p, 2)}`);
    const confirm = await until("the quote card", () => api.findButton(OWNER, "Confirm"), 10_000);
    hangPosts = true;
    void api.tap(OWNER, OWNER, confirm.messageId, confirm.data);
    await until("the order POST to hang at the proxy", () => hung, 10_000);

    const t0 = Date.now();
    proc.kill("SIGTERM");
    const code = await exited;
    expect(Date.now() - t0).toBeLessThan(4_500);
    expect(code).toBe(0);
    expect(out).not.toContain("logging failed");

    // The user learns that the outcome is open, not that nothing happened or to simply retry.
    const last = api.botMessages(OWNER).at(-1)!.text;
    expect(last).toContain(
      "The bot was shutting down while the request was being sent; it is not known whether Kalshi acted on it.",
    );
    expect(last).not.toMatch(/nothing was (placed|changed)|please try again/i);

    // The trade journal has the submitted order and its open outcome.
    const files = await readdir(join(dir, "logs"));
    const trades = await readFile(
      join(
        dir,
        "logs",
        files.find((f) => /^trades-.*\.log$/.test(f))!,
      ),
      "utf8",
    );
    const entries = trades
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; clientOrderId?: string });
    const submitted = entries.find((e) => e.type === "order_submitted");
    expect(submitted).toBeDefined();
    expect(
      entries.some((e) => e.type === "order_unknown" && e.clientOrderId === submitted!.clientOrderId),
    ).toBe(true);
  }, 40_000);
});
