import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  backoffMs,
  backoffWithJitterMs,
  besidePendingIo,
  sleep,
  TimeoutError,
  withTimeout,
} from "../../src/shared/async.js";

describe("sleep", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("resolves after the time, not before", async () => {
    let done = false;
    void sleep(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it("resolves at once when the signal aborts, and leaves no timer behind", async () => {
    const ac = new AbortController();
    let done = false;
    void sleep(60_000, ac.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(done).toBe(false);
    ac.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves at once when the signal is already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    await sleep(60_000, ac.signal);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("withTimeout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes the value through and clears its timer", async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000)).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes the failure through", async () => {
    await expect(withTimeout(Promise.reject(new Error("boom")), 1_000)).rejects.toThrow("boom");
  });

  it("rejects with a TimeoutError naming what took too long", async () => {
    const never = new Promise<never>(() => undefined);
    const p = withTimeout(never, 3_000, "getFills");
    const seen = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(3_000);
    const e = await seen;
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as Error).message).toBe("getFills timed out after 3000 ms");
  });

  it("says only the time when not told what", async () => {
    const seen = withTimeout(new Promise<never>(() => undefined), 50).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(((await seen) as Error).message).toBe("timed out after 50 ms");
  });
});

describe("backoff", () => {
  const b = { baseMs: 1_000, maxMs: 10_000 };

  it("doubles from baseMs and stops at maxMs", () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffMs(n, b))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
    expect(backoffMs(0, b)).toBe(1_000);
  });

  it("jitters between half and all of the pause", () => {
    expect(backoffWithJitterMs(3, b, () => 0)).toBe(2_000);
    expect(backoffWithJitterMs(3, b, () => 0.5)).toBe(3_000);
    expect(backoffWithJitterMs(3, b, () => 1)).toBe(4_000);
    for (let i = 0; i < 50; i++) {
      const d = backoffWithJitterMs(10, b);
      expect(d).toBeGreaterThanOrEqual(5_000);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });
});

describe("besidePendingIo", () => {
  it("runs after a request begun in the same tick has reached a server in this process", async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push("request line");
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const agent = new http.Agent({ keepAlive: true });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const get = () =>
      new Promise<void>((r) => http.get(url, { agent }, (res) => res.resume().on("end", () => r())));
    try {
      await get(); // a warm keep-alive socket, as the Kalshi client has
      seen.length = 0;
      const done = get();
      const beside = besidePendingIo(() => void seen.push("beside"));
      await Promise.all([done, beside]);
      expect(seen).toEqual(["request line", "beside"]);
    } finally {
      agent.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("passes the work's value and error on", async () => {
    await expect(besidePendingIo(() => 7)).resolves.toBe(7);
    await expect(besidePendingIo(() => Promise.reject(new Error("no")))).rejects.toThrow("no");
  });
});
