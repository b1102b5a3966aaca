/**
 * KalshiStream with `marketLifecycle`: subscribes to market_lifecycle_v2 beside fill and user_orders
 * and hands the events a holder is told about to its listeners, in domain terms, from the sim's frames.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KalshiStream } from "../../../src/exchange/kalshi/stream.js";
import { loadPrivateKey } from "../../../src/exchange/kalshi/signer.js";
import { wsLifecycleToDomain } from "../../../src/exchange/kalshi/lifecycle.js";
import type { MarketLifecycleEvent, StreamEvent } from "../../../src/exchange/port.js";
import { startSim, type SimServer } from "../../../src/sim/server.js";
import { until } from "../../support/until.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("KalshiStream market lifecycle", () => {
  it("emits pause, resume, close date, determination and settlement of a market", async () => {
    const sim: SimServer = await startSim({ livingMarket: false, rateLimit: false, seed: 3 });
    cleanups.push(() => sim.close());
    const s = new KalshiStream({
      wsUrl: sim.wsUrl,
      keyId: sim.keyId,
      privateKey: loadPrivateKey(sim.privateKeyPem),
      marketLifecycle: true,
    });
    cleanups.push(() => s.close());
    const events: StreamEvent[] = [];
    s.on((e) => events.push(e));
    await s.start();
    expect(s.connected).toBe(true);
    const t = sim.engine.markets().find((m) => m.status === "active")!.ticker;
    sim.engine.pause(t, true);
    sim.engine.pause(t, false);
    sim.engine.determine(t, "no");
    sim.settle(t, "no");
    const told = () =>
      events.flatMap((e) => (e.type === "lifecycle" ? [e.event] : [])) as MarketLifecycleEvent[];
    await until("the settled event", () => told().some((e) => e.kind === "settled"));
    expect(told().map((e) => e.kind)).toEqual([
      "deactivated",
      "activated",
      "close_date_updated",
      "determined",
      "settled",
    ]);
    expect(told().every((e) => e.ticker === t)).toBe(true);
    expect(told()[3]!.result).toBe("no");
    expect(told()[2]!.closeTime).toBeLessThanOrEqual(sim.engine.now());
  });

  it("keeps creation and metadata events out and refuses a frame without a ticker", () => {
    expect(wsLifecycleToDomain({ market_ticker: "A-1", event_type: "created", open_ts: 1 })).toBeNull();
    expect(
      wsLifecycleToDomain({ market_ticker: "A-1", event_type: "close_date_updated", close_ts: 1700000000 }),
    ).toEqual({ ticker: "A-1", kind: "close_date_updated", closeTime: 1700000000000, result: null });
    expect(() => wsLifecycleToDomain({ event_type: "settled" })).toThrow();
  });
});
