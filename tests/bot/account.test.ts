/**
 * /account against the sim (real client, real services): cash per exchange shard when more than
 * one shard holds money, and the API key's location check — valid, expiring within 7 days,
 * lapsed, never attested — set through the sim's api_key_region_expiration_ts control.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseDollars } from "../../src/domain/money.js";
import { makeSimStack, type SimStack } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const DAY = 86_400_000;
const HOUR = 3_600_000;
const dayText = (ms: number) =>
  new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    month: "short",
    day: "numeric",
    year: "numeric",
  }).format(new Date(ms));

/** Sets the sim's api_key_region_expiration_ts (Unix seconds) to `ms`, or absent. */
function expireAt(st: SimStack, ms: number | null): void {
  st.sim.setApiKeyRegionExpiration(ms === null ? null : Math.floor(ms / 1000));
}

describe("/account", () => {
  it("shows cash per shard when two shards hold money, and a valid location check without a warning", async () => {
    s = await makeSimStack();
    const exp = s.clock.now() + 40 * DAY + HOUR;
    expireAt(s, exp);
    await s.say("/account");
    const t = s.last().text;
    expect(t).toContain("Cash: $1,000.00");
    expect(t).toContain("shard 0: $800.00");
    expect(t).toContain("shard 1: $200.00");
    expect(t).toContain(`valid until ${dayText(exp)} (in 40 days)`);
    expect(t).not.toContain("⚠️");
    expect(t).not.toContain("⛔");
  });

  it("one shard holding all the cash: one cash line, no shard list", async () => {
    s = await makeSimStack({ sim: { shardBalances: { 0: parseDollars("500"), 1: parseDollars("0") } } });
    await s.say("/account");
    const t = s.last().text;
    expect(t).toContain("Cash: $500.00");
    expect(t).not.toContain("shard");
  });

  it("warns within 7 days of the expiry, with the date, the days left and what to do", async () => {
    s = await makeSimStack();
    const exp = s.clock.now() + 3 * DAY + 5 * HOUR;
    expireAt(s, exp);
    await s.say("/account");
    expect(s.last().text).toContain(
      `⚠️ Your Kalshi API key's location check expires on ${dayText(exp)} (in 3 days). Renew it on kalshi.com, or Kalshi will refuse this bot's orders.`,
    );
  });

  it("7 days and 1 hour before the expiry there is no warning yet", async () => {
    s = await makeSimStack();
    expireAt(s, s.clock.now() + 7 * DAY + HOUR);
    await s.say("/account");
    expect(s.last().text).toContain("valid until");
    expect(s.last().text).not.toContain("⚠️");
  });

  it("a past expiry says it lapsed and that orders are refused", async () => {
    s = await makeSimStack();
    const exp = s.clock.now() - 2 * DAY;
    expireAt(s, exp);
    await s.say("/account");
    expect(s.last().text).toContain(
      `⛔ Your Kalshi API key's location check expired on ${dayText(exp)}. Kalshi refuses this bot's orders until you renew it on kalshi.com.`,
    );
  });

  it("no expiry at all: says plainly that the location was never confirmed", async () => {
    s = await makeSimStack();
    expireAt(s, null);
    await s.say("/account");
    expect(s.last().text).toContain("has never confirmed its location for API trading");
  });

  it("GET /api_keys failing: cash still shows, the expiry is 'could not be read'", async () => {
    s = await makeSimStack();
    s.sim.addFault({ path: "/api_keys", kind: "500", count: 100 });
    await s.say("/account");
    const t = s.last().text;
    expect(t).toContain("Cash: $1,000.00");
    expect(t).toContain("could not be read right now");
    expect(t).not.toMatch(/Error|HTTP 500/);
  });

  it("/balance repeats the warning when the check needs action, and stays short otherwise", async () => {
    s = await makeSimStack();
    await s.say("/balance");
    expect(s.last().text).toContain("Cash: $1,000.00");
    expect(s.last().text).not.toContain("location");
    const exp = s.clock.now() + 2 * DAY + HOUR;
    expireAt(s, exp);
    await s.say("/balance");
    expect(s.last().text).toContain("Cash: $1,000.00");
    expect(s.last().text).toContain(`expires on ${dayText(exp)} (in 2 days)`);
  });
});
