/**
 * Start-up while Telegram cannot be reached: a line on the console within 10 s ("cannot reach Telegram
 * yet: …, retrying"), retries with growing pauses for a bounded time, then "could not connect to
 * Telegram: …" and, for `npm start`, a non-zero exit. A refused token fails at once.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Bot, GrammyError } from "grammy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectTelegram, TelegramConnectError } from "../src/bot/connect.js";
import { telegramRetry } from "../src/bot/telegramRetry.js";
import { AppStartError, createApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { OWNER } from "./support/appHarness.js";

const ROOT = resolve(import.meta.dirname, "..");
const TSX_CLI = createRequire(import.meta.url).resolve("tsx/cli");
const TOKEN = "123456:LOCAL-TEST-TOKEN";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A 127.0.0.1 port nobody listens on (opened, then closed again). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("connectTelegram with the default timings (fake clock)", () => {
  it("first line within 10 s, pauses grow, gives up after the bound with the reason", async () => {
    vi.useFakeTimers();
    const bot = new Bot(TOKEN, {
      client: {
        fetch: (() => Promise.reject(new TypeError("connect ECONNREFUSED 127.0.0.1:9"))) as never,
      },
    });
    bot.api.config.use(telegramRetry());
    const t0 = Date.now();
    const notices: { at: number; line: string }[] = [];
    const result = connectTelegram(bot, {
      timeoutMs: 120_000,
      describe: (e) => (e instanceof Error ? e.message : String(e)),
      onRetry: (line) => notices.push({ at: Date.now() - t0, line }),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    let outcome: unknown = undefined;
    void result.then((e) => (outcome = e));
    while (outcome === undefined && Date.now() - t0 < 200_000) await vi.advanceTimersByTimeAsync(250);
    expect(notices.length).toBeGreaterThan(2);
    expect(notices[0]!.at).toBeLessThanOrEqual(10_000);
    expect(notices[0]!.line).toMatch(/^cannot reach Telegram yet: .*ECONNREFUSED.*; retrying in 1 s$/);
    // Growing pauses, capped at 15 s.
    expect(notices.map((n) => /retrying in (\d+) s/.exec(n.line)![1])).toEqual(
      expect.arrayContaining(["1", "2", "4", "8", "15"]),
    );
    expect(outcome).toBeInstanceOf(TelegramConnectError);
    expect((outcome as Error).message).toMatch(/ECONNREFUSED.*tried \d+ times over \d+ s/);
    // Gave up at the bound, not long after it.
    const gaveUpAt = Date.now() - t0;
    expect(gaveUpAt).toBeGreaterThan(100_000);
    expect(gaveUpAt).toBeLessThanOrEqual(120_000 + 5_000);
  });

  it("a refused token (401) fails at once, without retrying", async () => {
    let calls = 0;
    const bot = new Bot(TOKEN, {
      client: {
        fetch: (async () => {
          calls++;
          return new Response(JSON.stringify({ ok: false, error_code: 401, description: "Unauthorized" }), {
            status: 401,
          });
        }) as never,
      },
    });
    const notices: string[] = [];
    const err = await connectTelegram(bot, {
      timeoutMs: 120_000,
      describe: (e) => (e instanceof Error ? e.message : String(e)),
      onRetry: (line) => notices.push(line),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramConnectError);
    expect((err as TelegramConnectError).permanent).toBe(true);
    expect((err as TelegramConnectError).cause).toBeInstanceOf(GrammyError);
    expect(notices).toEqual([]);
    expect(calls).toBe(1);
  });
});

describe("app.start() against a closed port", () => {
  it("tells each retry and then fails with 'could not connect to Telegram'", async () => {
    const dir = await mkdtemp(join(tmpdir(), "app-connect-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await closedPort();
    const config = loadConfig(
      {
        KALSHI_ENVIRONMENT: "sim",
        TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
        LOG_DIR: join(dir, "logs"),
        DATA_DIR: join(dir, "data"),
        TELEGRAM_CONNECT_TIMEOUT_SECONDS: "2",
      },
      { cwd: dir },
    );
    const notices: string[] = [];
    const app = await createApp({
      config,
      token: TOKEN,
      botConfig: { client: { apiRoot: `http://127.0.0.1:${port}` } },
      console: false,
      sim: { livingMarket: false, rateLimit: false },
      telegram: { retry: { maxRetryAttempts: 0 }, connect: { firstPauseMs: 200 } },
      onStartupNotice: (line) => notices.push(line),
    });
    cleanups.push(() => app.stop());
    const err = await app.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppStartError);
    expect(err).toMatchObject({ step: "telegram" });
    expect((err as Error).message).toMatch(/^The bot could not connect to Telegram: .*tried \d+ times/);
    expect(notices.length).toBeGreaterThan(0);
    expect(notices[0]).toMatch(/^cannot reach Telegram yet: .*retrying in/);
    expect(notices.join("\n")).not.toContain(TOKEN);
    expect((err as Error).message).not.toContain(TOKEN);
  });
});

describe("npm start with Telegram unreachable", () => {
  it("prints 'cannot reach Telegram yet', then 'could not connect to Telegram' and exits 1", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "app-start-unreachable-"));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const port = await closedPort();
    const child = spawn(process.execPath, [TSX_CLI, join(ROOT, "src/main.ts")], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_ALLOWED_USER_IDS: "12345",
        TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`,
        // Long enough for one full attempt (its own network retries take ~3.5 s) and one retry.
        TELEGRAM_CONNECT_TIMEOUT_SECONDS: "6",
        LOG_DIR: join(cwd, "logs"),
        DATA_DIR: join(cwd, "data"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(async () => void child.kill("SIGKILL"));
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.on("exit", (c) => resolveExit(c)));
    expect(out).toMatch(/cannot reach Telegram yet: .*ECONNREFUSED.*; retrying in \d+ s/);
    expect(out).toContain("The bot could not connect to Telegram:");
    expect(out).not.toContain("LOCAL-TEST-TOKEN");
    expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(code).toBe(1);
  }, 60_000); // tsx start-up plus a 6 s bound; slow on a loaded machine
});
