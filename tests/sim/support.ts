/**
 * Helpers the sim's HTTP tests share: a sim started per test (and always stopped after it) with a
 * signed client, and a market whose market maker quotes exactly where a test needs it. One copy,
 * so the rule and accounting tests start from the same exchange.
 */
import { afterEach, expect } from "vitest";
import { micros } from "../../src/domain/money.js";
import { startSim, type SimOptions, type SimServer } from "../../src/sim/server.js";
import { SimClient } from "../support/simClient.js";

export type StartSim = (o?: SimOptions) => Promise<{ sim: SimServer; c: SimClient }>;

/**
 * Call once at the top of a test file: returns `start`, which starts a quiet sim (no living
 * market, no rate limit, seed 3, unless `o` says otherwise); every sim started is closed after
 * each test, even a failing one.
 */
export function useSims(): StartSim {
  const sims: SimServer[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  return async (o = {}) => {
    const sim = await startSim({ livingMarket: false, rateLimit: false, seed: 3, ...o });
    sims.push(sim);
    return { sim, c: new SimClient(sim) };
  };
}

/**
 * An open linear-cent market of `series` whose market maker now quotes around `fairCents`:
 * best bid fair − 1¢, best ask fair + 1¢, nothing at the fair price itself.
 */
export function marketAround(sim: SimServer, series: string, fairCents: number): string {
  const m = sim.engine.markets().find((x) => x.status === "active" && x.seriesTicker === series);
  if (!m) throw new Error(`no open ${series} market`);
  m.fair = micros(fairCents * 10_000);
  sim.engine.requote(m);
  const t = sim.engine.top(m.ticker);
  expect([t.bid, t.ask]).toEqual([(fairCents - 1) * 10_000, (fairCents + 1) * 10_000]);
  return m.ticker;
}
