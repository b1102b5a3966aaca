import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BASIC_TIER_LIMITS,
  RateLimiterClosedError,
  TOKEN_RETURN_MARGIN_MS as M,
  TokenBucket,
} from "../../../src/exchange/kalshi/rateLimiter.js";
import type { KalshiClient } from "../../../src/exchange/kalshi/client.js";
import { FakeKalshi, makeClient } from "./helpers.js";

describe("TokenBucket (fake clock)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function burst(bucket: TokenBucket, n: number): { done: () => number } {
    let done = 0;
    for (let i = 0; i < n; i++) void bucket.take(10).then(() => done++);
    return { done: () => done };
  }

  it("lets 20 Basic-tier reads through at once, then 20 per second (plus the safety margin)", async () => {
    vi.useFakeTimers();
    const b = new TokenBucket(BASIC_TIER_LIMITS.read, () => Date.now());
    const r = burst(b, 60);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.done()).toBe(20);
    await vi.advanceTimersByTimeAsync(999 + M);
    expect(r.done()).toBe(20);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.done()).toBe(40);
    await vi.advanceTimersByTimeAsync(999 + M);
    expect(r.done()).toBe(40);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.done()).toBe(60);
    expect(b.waiting).toBe(0);
  });

  it("holds 100 tokens of Basic-tier writes (not 200): 10 at once, the next 10 after 1 s", async () => {
    vi.useFakeTimers();
    expect(BASIC_TIER_LIMITS.write).toEqual({ refillRate: 100, bucketCapacity: 100 });
    const b = new TokenBucket(BASIC_TIER_LIMITS.write, () => Date.now());
    const r = burst(b, 15);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.done()).toBe(10);
    await vi.advanceTimersByTimeAsync(999 + M);
    expect(r.done()).toBe(10);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.done()).toBe(15);
  });

  it("waits a full window after a 429 emptied the bucket, and serves more at once after a resize", async () => {
    vi.useFakeTimers();
    const b = new TokenBucket({ refillRate: 100, bucketCapacity: 100 }, () => Date.now());
    b.exhaust();
    expect(b.available()).toBe(0);
    const r = burst(b, 3);
    await vi.advanceTimersByTimeAsync(500);
    expect(r.done()).toBe(0);
    b.resize({ refillRate: 1000, bucketCapacity: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(r.done()).toBe(3);
  });

  it("rejects waiting requests when closed", async () => {
    const b = new TokenBucket({ refillRate: 10, bucketCapacity: 10 });
    await b.take(10);
    const waiting = b.take(10);
    b.close();
    await expect(waiting).rejects.toBeInstanceOf(RateLimiterClosedError);
    await expect(b.take(1)).rejects.toBeInstanceOf(RateLimiterClosedError);
  });
});

describe("client rate budget (fake clock)", () => {
  let client: KalshiClient | null = null;
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    vi.useRealTimers();
    await client?.close();
    client = null;
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  /**
   * Lets the requests the limiter has let go run to their answer before the clock moves on. Only the
   * clock is fake (timers, Date, performance); the HTTP path through nock runs on real I/O callbacks, so
   * this yields to them until `done()` holds, for at most 10 s of real time (process.hrtime is not faked).
   */
  async function settle(done: () => boolean): Promise<void> {
    const deadline = process.hrtime.bigint() + 10_000_000_000n;
    while (!done() && process.hrtime.bigint() < deadline) await new Promise((r) => setImmediate(r));
  }

  it("queues a burst of 60 reads under the Basic tier instead of drawing 429s: 20 at each window, none early", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
    const fake = new FakeKalshi().on("GET", "/exchange/status", [
      200,
      { exchange_active: true, trading_active: true },
    ]);
    // A per-attempt timeout far beyond the ~2 s the fake clock moves: no attempt is cut and retried.
    client = makeClient({ rateLimit: BASIC_TIER_LIMITS, timeoutMs: 600_000 });
    const k = client;
    const t0 = performance.now();
    let answered = 0;
    const all = Promise.all(Array.from({ length: 60 }, () => k.getExchangeStatus().then(() => answered++)));
    const released = () => 60 - k.limiter!.read.waiting;
    // Each window lets exactly 20 go (20 reads × 10 tokens = the 200-token bucket); a spent token comes
    // back one window (1 s) plus the safety margin M after it was spent, and not 1 ms sooner.
    const steps: Array<[advanceMs: number, expected: number]> = [
      [0, 20],
      [999 + M, 20],
      [1, 40],
      [999 + M, 40],
      [1, 60],
    ];
    for (const [ms, expected] of steps) {
      await vi.advanceTimersByTimeAsync(ms);
      expect(released(), `released at +${performance.now() - t0} ms`).toBe(expected);
      // Every released read answered before the clock moves on, so none is in flight across a tick.
      await settle(() => answered >= expected);
      expect(fake.calls.length, `arrived at +${performance.now() - t0} ms`).toBe(expected);
      expect(answered, `answered at +${performance.now() - t0} ms`).toBe(expected);
    }
    await all;
    expect(answered).toBe(60);
    expect(fake.calls).toHaveLength(60);
    expect(fake.calls.every((c) => c.reply?.[0] === 200)).toBe(true);
    // The arrival times on the fake clock: 20 at the start, 20 one window (+ M) later, 20 two windows later.
    const at = fake.calls.map((c) => c.at - t0);
    expect(at).toEqual([
      ...Array<number>(20).fill(0),
      ...Array<number>(20).fill(1000 + M),
      ...Array<number>(20).fill(2000 + 2 * M),
    ]);
    // Sliding: no window starting at any arrival holds a 21st request.
    const tooClose = at.filter((t, i) => (at[i + 20] ?? Infinity) - t < 1000);
    expect(tooClose, "a 21st request within one window").toEqual([]);
  });
});
