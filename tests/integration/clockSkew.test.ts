/**
 * Clock skew, end to end: the sim judges KALSHI-ACCESS-TIMESTAMP by its own wall clock (moved with
 * `POST /sim/wall_clock`) and says that clock in every answer's `Date` header, as Kalshi's servers do.
 * A 401 whose Date header is more than 5 s away from this machine's clock is explained as the clock's
 * fault, in the client's error, the sentence the bot and health show, and a chat answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeExchangeError, KalshiApiError } from "../../src/exchange/errors.js";
import { clockSkewFromDateHeader } from "../../src/exchange/kalshi/clockSkew.js";
import { clockSkewSentence } from "../../src/exchange/errors.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { control, simClient } from "./helpers.js";
import { type AppHarness, startAppHarness } from "../support/appHarness.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function sim(): Promise<SimServer> {
  const s = await startSim({ livingMarket: false, rateLimit: false });
  cleanups.push(() => s.close());
  return s;
}

describe("the sim's wall clock", () => {
  it("says its clock in the Date header and refuses timestamps outside its 30 s window", async () => {
    const s = await sim();
    await control(s, "/wall_clock", { offset_ms: 42_000 });
    const res = await fetch(`${s.baseUrl}/exchange/status`);
    const said = Date.parse(res.headers.get("date") ?? "");
    // Whole seconds in the header; the request takes well under the 5 s tolerance here.
    expect(Math.abs(said - (Date.now() + 42_000))).toBeLessThan(5_000);
    const k = await simClient(s);
    cleanups.push(() => k.close());
    const err = await k.getBalance().catch((e: unknown) => e);
    expect((err as KalshiApiError).details).toMatch(/TIMESTAMP_OUT_OF_RANGE/);
    // Inside the window (10 s off): signed calls work.
    await control(s, "/wall_clock", { offset_ms: 10_000 });
    await expect(k.getBalance()).resolves.toBeDefined();
  });

  it("rejects an offset that is not a number", async () => {
    const s = await sim();
    await expect(control(s, "/wall_clock", { offset_ms: "soon" })).rejects.toThrow(/HTTP 400.*offset_ms/);
  });
});

describe("a 401 explained by the clock", () => {
  it("this machine 42 s behind: the error and the user's sentence say so", async () => {
    const s = await sim();
    s.setWallClockOffset(42_000);
    const k = await simClient(s);
    cleanups.push(() => k.close());
    const err = await k.getBalance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiApiError);
    expect((err as KalshiApiError).clockSkewMs).toBeGreaterThan(35_000);
    expect((err as Error).message).toMatch(/this machine's clock is 4\d s behind; Kalshi rejects signatures/);
    expect(describeExchangeError(err, "production")).toMatch(
      /^Kalshi rejected the request: this machine's clock is 4\d s behind; Kalshi rejects signatures\. Set the clock right/,
    );
  });

  it("this machine 42 s ahead", async () => {
    const s = await sim();
    s.setWallClockOffset(-42_000);
    const k = await simClient(s);
    cleanups.push(() => k.close());
    const err = await k.getBalance().catch((e: unknown) => e);
    expect(describeExchangeError(err, "sim")).toMatch(
      /this machine's clock is 4\d s ahead; Kalshi rejects signatures/,
    );
  });

  it("a 401 with the clock right (a wrong key) does not blame the clock", async () => {
    const s = await sim();
    const k = await simClient(s, { keyId: "00000000-0000-0000-0000-00000000beef" });
    cleanups.push(() => k.close());
    const err = await k.getBalance().catch((e: unknown) => e);
    expect((err as KalshiApiError).clockSkewMs).toBeNull();
    expect(describeExchangeError(err, "sim")).toMatch(/KALSHI_API_KEY/);
    expect(describeExchangeError(err, "sim")).not.toMatch(/clock is \d/);
  });
});

describe("clockSkewFromDateHeader", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");
  it("within 5 s, missing or unreadable: nothing to say", () => {
    expect(clockSkewFromDateHeader("Wed, 02 Dec 2026 10:00:04 GMT", now)).toBeNull();
    expect(clockSkewFromDateHeader("Wed, 02 Dec 2026 09:59:55 GMT", now)).toBeNull();
    expect(clockSkewFromDateHeader(undefined, now)).toBeNull();
    expect(clockSkewFromDateHeader("yesterday", now)).toBeNull();
  });
  it("beyond 5 s: Kalshi ahead (we are behind) is positive", () => {
    expect(clockSkewFromDateHeader("Wed, 02 Dec 2026 10:00:42 GMT", now)).toBe(42_000);
    expect(clockSkewFromDateHeader("Wed, 02 Dec 2026 09:59:18 GMT", now)).toBe(-42_000);
  });
  it("says big gaps in minutes and hours", () => {
    expect(clockSkewSentence(42_000)).toBe("this machine's clock is 42 s behind; Kalshi rejects signatures");
    expect(clockSkewSentence(-300_000)).toBe(
      "this machine's clock is 5 min ahead; Kalshi rejects signatures",
    );
    expect(clockSkewSentence(3 * 3_600_000)).toBe(
      "this machine's clock is 3 h behind; Kalshi rejects signatures",
    );
  });
});

describe("in the chat and in health", () => {
  let h: AppHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("/balance with the clock 42 s behind answers the clock sentence; health names it too", async () => {
    h = await startAppHarness({
      transport: "inprocess",
      exchange: { rateLimit: false, retry: { baseDelayMs: 5, maxDelayMs: 20 } },
    });
    h.sim.setWallClockOffset(42_000);
    const text = await h.ask("/balance", /clock/);
    expect(text).toMatch(/this machine's clock is 4\d s behind; Kalshi rejects signatures/);
    const report = await h.app.checkHealth();
    expect(report.checks.exchange.ok).toBe(false);
    expect(report.checks.exchange.error).toMatch(/clock is 4\d s behind/);
  });
});
