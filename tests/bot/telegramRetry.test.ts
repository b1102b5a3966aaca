/**
 * Bot API retries are bounded (src/bot/telegramRetry.ts), on a fake clock: network errors get at most
 * `maxRetryAttempts` retries, a retry_after above `maxDelaySeconds` fails at once, and a call that keeps
 * hanging is cut at `maxTotalMs`. getUpdates is passed through untouched.
 */
import { Bot, GrammyError, HttpError } from "grammy";
import { telegramDeliveryError as toDeliveryError } from "../../src/bot/alertSink.js";
import { telegramCallResults } from "../../src/app.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { telegramRetry } from "../../src/bot/telegramRetry.js";

const TOKEN = "123456:LOCAL-TEST-TOKEN";

afterEach(() => {
  vi.useRealTimers();
});

type Answer = "refused" | "hang" | { status: number; body: unknown };

/** A bot whose every Bot API request gets the next scripted answer (the last one repeats). */
function scriptedBot(script: Answer[], options: Parameters<typeof telegramRetry>[0] = {}) {
  const calls: string[] = [];
  const fetch = (url: string, init?: { signal?: AbortSignal }) => {
    calls.push(String(url).split("/").pop()!);
    const next = script.length > 1 ? script.shift()! : script[0]!;
    if (next === "refused") return Promise.reject(new TypeError("connect ECONNREFUSED"));
    if (next === "hang")
      return new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("The operation was aborted"))),
      );
    return Promise.resolve(new Response(JSON.stringify(next.body), { status: next.status }));
  };
  const bot = new Bot(TOKEN, { client: { fetch: fetch as never } });
  bot.api.config.use(telegramRetry(options));
  return { bot, calls };
}

/** Runs `p` to the end on the fake clock; returns its outcome and the fake time it took. */
async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const t0 = Date.now();
  let out: { value?: T; error?: unknown } | undefined;
  p.then(
    (value) => (out = { value }),
    (error: unknown) => (out = { error }),
  );
  while (!out && Date.now() - t0 < 600_000) await vi.advanceTimersByTimeAsync(100);
  return { ...out!, ms: Date.now() - t0 };
}

const ok = { status: 200, body: { ok: true, result: true } };

describe("telegramRetry", () => {
  it("network errors: 3 retries (0.5, 1, 2 s), then the error", async () => {
    vi.useFakeTimers();
    const { bot, calls } = scriptedBot(["refused"]);
    const r = await settle(bot.api.sendChatAction(1, "typing"));
    expect(r.error).toBeInstanceOf(HttpError);
    expect(calls).toHaveLength(4);
    expect(r.ms).toBeGreaterThanOrEqual(3_500);
    expect(r.ms).toBeLessThan(4_000);
  });

  it("a network error then success: one retry, the call works", async () => {
    vi.useFakeTimers();
    const { bot, calls } = scriptedBot(["refused", ok]);
    const r = await settle(bot.api.sendChatAction(1, "typing"));
    expect(r.value).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it("a retry_after within the bound is waited out; a longer one fails at once", async () => {
    vi.useFakeTimers();
    const tooMany = (s: number) => ({
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: s } },
    });
    const short = scriptedBot([tooMany(5), ok]);
    const a = await settle(short.bot.api.sendChatAction(1, "typing"));
    expect(a.value).toBe(true);
    expect(a.ms).toBeGreaterThanOrEqual(5_000);

    const long = scriptedBot([tooMany(90), ok]);
    const b = await settle(long.bot.api.sendChatAction(1, "typing"));
    expect(b.error).toBeDefined();
    expect(long.calls).toHaveLength(1);
    expect(b.ms).toBeLessThan(1_000);
  });

  it("429s cut off by maxTotalMs fail with Telegram's 429 (the outbox then waits as asked, no 'sent again')", async () => {
    vi.useFakeTimers();
    const tooMany = {
      status: 429,
      body: { ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: 20 } },
    };
    const { bot, calls } = scriptedBot([tooMany]);
    const r = await settle(bot.api.sendMessage(1, "Order placed"));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(r.ms).toBeLessThanOrEqual(45_100);
    expect(r.error).toBeInstanceOf(GrammyError);
    const de = toDeliveryError(r.error);
    expect(de.retryAfterMs).toBe(20_000);
    expect(de.maybeDelivered).toBe(false);
  });

  it("a hanging call is cut at maxTotalMs", async () => {
    vi.useFakeTimers();
    const { bot } = scriptedBot(["hang"], { maxTotalMs: 10_000 });
    const r = await settle(bot.api.sendChatAction(1, "typing"));
    expect(r.error).toBeDefined();
    expect(r.ms).toBeGreaterThanOrEqual(10_000);
    expect(r.ms).toBeLessThan(11_000);
  });

  it("health counts a call cut at maxTotalMs as failed, a call cut by a stop as neither", async () => {
    vi.useFakeTimers();
    const results: boolean[] = [];
    const hang = (_url: string, init?: { signal?: AbortSignal }) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("The operation was aborted"))),
      );
    const bot = new Bot(TOKEN, { client: { fetch: hang as never } });
    // As the app installs them: the counter inside the bounded retries.
    bot.api.config.use(
      telegramCallResults((ok) => results.push(ok)),
      telegramRetry({ maxTotalMs: 10_000 }),
    );
    for (let i = 0; i < 3; i++) await settle(bot.api.sendChatAction(1, "typing"));
    expect(results).toEqual([false, false, false]);
    const stop = new AbortController();
    const cut = settle(bot.api.sendChatAction(1, "typing", undefined, stop.signal as never));
    await vi.advanceTimersByTimeAsync(100);
    stop.abort();
    await cut;
    expect(results).toEqual([false, false, false]);
  });

  it("getUpdates is not retried here (the poller retries it)", async () => {
    vi.useFakeTimers();
    const { bot, calls } = scriptedBot(["refused"]);
    const r = await settle(bot.api.getUpdates({ timeout: 0 }));
    expect(r.error).toBeInstanceOf(HttpError);
    expect(calls).toEqual(["getUpdates"]);
  });
});
