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

describe("client rate budget (real time)", () => {
  let client: KalshiClient | null = null;
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    await client?.close();
    client = null;
    nock.cleanAll();
  });
  afterAll(() => nock.enableNetConnect());

  it("queues a burst of 60 reads under the Basic tier instead of drawing 429s", async () => {
    const fake = new FakeKalshi().on("GET", "/exchange/status", [
      200,
      { exchange_active: true, trading_active: true },
    ]);
    client = makeClient({ rateLimit: BASIC_TIER_LIMITS });
    const k = client;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 60 }, () => k.getExchangeStatus()));
    expect(fake.calls).toHaveLength(60);
    // Per-second counts from the arrival times at the server (no elapsed-time bound: the fake-clock tests
    // above pin the timing). On the grid from the start: at most 20 in the first second, 40 in the first
    // two, 60 in the first three; arrivals can only come after the limiter let them go, so this holds
    // however loaded the machine is.
    const at = fake.calls.map((c) => c.at - t0).sort((a, b) => a - b);
    for (const n of [1, 2, 3]) expect(at.filter((t) => t < n * 1000).length).toBeLessThanOrEqual(20 * n);
    // Sliding: no window starting at any arrival holds a 21st request, i.e. arrival[i + 20] comes at least
    // a window after arrival[i].
    // The limiter counts a token from when it lets the request go (its TOKEN_RETURN_MARGIN_MS covers a
    // request that reaches the server a little later). On a loaded machine one request can spend longer
    // than that margin between release and arrival, so arrivals get 300 ms of slack: the exact timing is
    // pinned by the fake-clock tests above; this one proves every client request passes the limiter
    // (without it, all 60 arrive within a few milliseconds).
    const JITTER_MS = 300;
    const tooClose = at
      .map((t, i) => ({ i, gap: (at[i + 20] ?? Infinity) - t }))
      .filter((x) => x.gap < 1000 - JITTER_MS);
    expect(tooClose, "a 21st request within one window").toEqual([]);
  });
});
