import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { KalshiStream, sortFillsOldestFirst } from "../../../src/exchange/kalshi/stream.js";
import type { Fill, StreamEvent } from "../../../src/exchange/port.js";
import { waitFor, wireFill, type WireFill, wireOrder, WsKalshiStub } from "../../support/wsKalshiStub.js";
import { SimExchange } from "../../support/simExchange.js";

let privateKey: KeyObject;
let publicKey: KeyObject;
let otherKey: KeyObject;
const KEY_ID = "key-id-7f3a9c";

beforeAll(() => {
  ({ privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 }));
  otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function stub(opts: { pingIntervalMs?: number } = {}) {
  const s = await WsKalshiStub.start({ publicKey, keyId: KEY_ID, ...opts });
  cleanups.push(() => s.close());
  return s;
}

function logs() {
  const lines: string[] = [];
  const rec = (level: string) => (msg: string, meta?: Record<string, unknown>) =>
    lines.push(`${level} ${msg} ${meta ? JSON.stringify(meta) : ""}`);
  return {
    lines,
    logger: { debug: rec("debug"), info: rec("info"), warn: rec("warn"), error: rec("error") },
  };
}

function stream(url: string, extra: Partial<ConstructorParameters<typeof KalshiStream>[0]> = {}) {
  const s = new KalshiStream({
    wsUrl: url,
    keyId: KEY_ID,
    privateKey,
    backoff: { baseMs: 10, maxMs: 40 },
    connectTimeoutMs: 1000,
    ...extra,
  });
  const events: StreamEvent[] = [];
  s.on((e) => events.push(e));
  cleanups.push(() => s.close());
  return { s, events };
}

const fills = (events: StreamEvent[]) => events.flatMap((e) => (e.type === "fill" ? [e] : []));

describe("KalshiStream", () => {
  it("connects with a signed handshake, subscribes to fill and user_orders, and delivers fills in domain units", async () => {
    const srv = await stub();
    const { s, events } = stream(srv.url);
    await s.start();
    expect(s.connected).toBe(true);
    expect(events.map((e) => e.type)).toEqual(["connected"]);
    expect(srv.subscribeCommands.flatMap((c) => c.channels).sort()).toEqual(["fill", "user_orders"]);

    srv.sendFill(
      wireFill({
        trade_id: "t-1",
        order_id: "o-1",
        yes_price_dollars: "0.5600",
        count_fp: "2.50",
        fee_cost: "0.043100",
        post_position_fp: "-7.50",
        book_side: "ask",
        outcome_side: "no",
        ts_ms: 1_700_000_000_123,
        client_order_id: "cid-9",
      }),
    );
    await waitFor(() => fills(events).length === 1, "fill event");
    const e = fills(events)[0]!;
    expect(e.fill).toMatchObject({
      fillId: "t-1",
      tradeId: "t-1",
      orderId: "o-1",
      bookSide: "ask",
      outcomeSide: "no",
      count: 250,
      yesPrice: 560_000,
      noPrice: 440_000,
      fee: 43_100,
      createdTime: 1_700_000_000_123,
    });
    expect(e.postPosition).toBe(-750);
    expect(e.clientOrderId).toBe("cid-9");
  });

  it("reports user_order updates with the update reason", async () => {
    const srv = await stub();
    const { s, events } = stream(srv.url);
    await s.start();
    srv.sendUserOrder(
      wireOrder({
        status: "canceled",
        last_update_reason: "CloseCancel",
        fill_count_fp: "3.00",
        remaining_count_fp: "0.00",
      }),
    );
    await waitFor(() => events.some((e) => e.type === "order"), "order event");
    const e = events.find((x) => x.type === "order");
    expect(e).toMatchObject({
      type: "order",
      reason: "CloseCancel",
      order: { status: "canceled", fillCount: 300, initialCount: 1000 },
    });
  });

  it("is refused with the wrong key, keeps retrying, and never logs the key id", async () => {
    const srv = await stub();
    const { lines, logger } = logs();
    const { s } = stream(srv.url, { privateKey: otherKey, logger });
    await s.start();
    expect(s.connected).toBe(false);
    await waitFor(() => srv.authFailures >= 3, "retries");
    expect(srv.connections).toBe(0);
    expect(lines.some((l) => l.includes("HTTP 401"))).toBe(true);
    expect(lines.join("\n")).not.toContain(KEY_ID);
    expect(lines.join("\n")).not.toContain("PRIVATE KEY");
  });

  it("reconnects after a drop, subscribes again, and reports disconnected/connected", async () => {
    const srv = await stub();
    const { s, events } = stream(srv.url);
    await s.start();
    srv.dropAll();
    await waitFor(() => events.filter((e) => e.type === "connected").length === 2, "second connected");
    expect(events.map((e) => e.type)).toEqual(["connected", "disconnected", "connected"]);
    expect(srv.subscribeCommands.filter((c) => c.channels.includes("fill"))).toHaveLength(2);
    srv.sendFill(wireFill({ trade_id: "after-drop" }));
    await waitFor(() => fills(events).length === 1, "fill after reconnect");
    expect(s.connected).toBe(true);
  });

  it("replaces a socket that goes silent (no ping, no message)", async () => {
    const srv = await stub();
    const { s, events } = stream(srv.url, { idleTimeoutMs: 150 });
    await s.start();
    await waitFor(() => srv.connections >= 2, "reconnect after idle", 3000);
    expect(events.some((e) => e.type === "disconnected")).toBe(true);
  });

  it("keeps a socket alive while the server pings", async () => {
    const srv = await stub();
    // The idle timer runs on a fake clock; the pings travel over the real socket. No real waiting, so a
    // loaded machine cannot make a ping late.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { s, events } = stream(srv.url, { idleTimeoutMs: 150 });
      await s.start();
      expect(s.connected).toBe(true);
      for (let i = 0; i < 10; i++) {
        await vi.advanceTimersByTimeAsync(100); // less than the idle timeout since the last ping
        expect(await srv.pingAll()).toBe(1); // answered: the stream has seen the ping
      }
      // 1 s on the clock, more than six idle timeouts, and the first socket is still the one in use.
      expect(srv.connections).toBe(1);
      expect(s.connected).toBe(true);
      expect(events.map((e) => e.type)).toEqual(["connected"]);
      // Without pings the same clock does run out: 150 ms later the stream gives the socket up.
      const gone = new Promise<void>((resolve) => s.on((e) => e.type === "disconnected" && resolve()));
      await vi.advanceTimersByTimeAsync(150);
      await gone;
      expect(s.connected).toBe(false);
      expect(srv.connections).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("gives up on a server that never acknowledges the subscriptions and tries again", async () => {
    const srv = await stub();
    srv.setIgnoreSubscribes(true);
    const { s } = stream(srv.url, { connectTimeoutMs: 100 });
    await s.start();
    expect(s.connected).toBe(false);
    srv.setIgnoreSubscribes(false);
    await waitFor(() => s.connected, "connected after acks resume");
    expect(srv.connections).toBeGreaterThanOrEqual(2);
  });

  it("polls fills while the socket keeps failing, without repeats, and stops once the socket is back", async () => {
    const srv = await stub();
    srv.setRefuseAll(true);
    const ex = new SimExchange();
    /** The fill as REST lists it (the exchange double records it as the user's). */
    const record = (w: WireFill) =>
      ex.addFill({
        ticker: w.market_ticker,
        side: w.book_side,
        yesPrice: w.yes_price_dollars,
        count: w.count_fp,
        fee: w.fee_cost,
        time: w.ts_ms,
        fillId: w.trade_id,
        orderId: w.order_id,
        isTaker: w.is_taker,
      });
    const polls = () => ex.calls.getFills ?? 0;
    const t0 = Date.now();
    record(wireFill({ trade_id: "p-1", ts_ms: t0 + 1 }));
    const { s, events } = stream(srv.url, {
      pollFallback: { exchange: ex, intervalMs: 20, afterFailures: 2 },
    });
    await s.start();
    await waitFor(() => s.pollingActive, "polling starts");
    await waitFor(() => fills(events).length === 1, "polled fill");
    record(wireFill({ trade_id: "p-2", ts_ms: t0 + 2 }));
    await waitFor(() => fills(events).length === 2, "second polled fill");
    const callsBefore = polls();
    await waitFor(() => polls() >= callsBefore + 3, "more polls");
    expect(fills(events).map((e) => e.fill.fillId)).toEqual(["p-1", "p-2"]);
    expect(fills(events)[0]!.postPosition).toBeNull();

    srv.setRefuseAll(false);
    await waitFor(() => s.connected, "socket back");
    expect(s.pollingActive).toBe(false);
    const calls = polls();
    // A poll already asking may finish; after it, no poll runs or waits for a tick, so none can come.
    await waitFor(() => !s.pending.poll, "the last poll wound down");
    expect(polls()).toBeLessThanOrEqual(calls + 1);
  });

  it("closes cleanly: no reconnect after close, start after close rejects", async () => {
    const srv = await stub();
    const { s } = stream(srv.url);
    await s.start();
    await s.close();
    expect(s.connected).toBe(false);
    // Nothing scheduled and the socket closed: no reconnect can come later.
    expect(s.pending).toEqual({ reconnect: false, poll: false });
    expect(srv.connections).toBe(1);
    await expect(s.start()).rejects.toThrow();
  });
});

describe("wire parsing (schemas.ts wsFillToDomain / wsUserOrderToDomain)", () => {
  it("skips a fill without a trade id or with a bad price instead of guessing, logs it, and keeps going", async () => {
    const srv = await stub();
    const { lines, logger } = logs();
    const { s, events } = stream(srv.url, { logger });
    await s.start();
    srv.sendFill({ ...wireFill(), trade_id: undefined } as unknown as WireFill);
    srv.sendFill(wireFill({ trade_id: "bad-price", yes_price_dollars: "abc" }));
    srv.sendFill(wireFill({ trade_id: "good" }));
    await waitFor(() => fills(events).length === 1, "the good fill");
    expect(fills(events).map((e) => e.fill.fillId)).toEqual(["good"]);
    const errors = lines.filter((l) => l.startsWith("error kalshi stream: could not read a fill message"));
    expect(errors).toHaveLength(2);
    expect(errors[1]).toContain("yes_price_dollars");
    expect(s.connected).toBe(true);
  });

  it("does not read the deprecated seconds timestamp: a fill without ts_ms is malformed", async () => {
    const srv = await stub();
    const { lines, logger } = logs();
    const { s, events } = stream(srv.url, { logger });
    await s.start();
    const { ts_ms: _unused, ...rest } = wireFill({ trade_id: "secs" });
    srv.sendFill({ ...rest, ts: 1_700_000_000 } as unknown as WireFill);
    srv.sendFill(wireFill({ trade_id: "good", ts_ms: 1_700_000_000_123 }));
    await waitFor(() => fills(events).length === 1, "the good fill");
    expect(fills(events).map((e) => [e.fill.fillId, e.fill.createdTime])).toEqual([
      ["good", 1_700_000_000_123],
    ]);
    expect(lines.filter((l) => l.includes("could not read a fill message"))[0]).toContain("ts_ms");
  });

  it("skips user_order messages with status unknown", async () => {
    const srv = await stub();
    const { s, events } = stream(srv.url);
    await s.start();
    srv.sendUserOrder(wireOrder({ status: "unknown", order_id: "o-unknown" }));
    srv.sendUserOrder(wireOrder({ status: "resting", order_id: "o-known" }));
    await waitFor(() => events.some((e) => e.type === "order"), "order event");
    const orders = events.flatMap((e) => (e.type === "order" ? [e.order.orderId] : []));
    expect(orders).toEqual(["o-known"]);
  });
});

describe("sortFillsOldestFirst", () => {
  const f = (id: string, t: number) => ({ fillId: id, createdTime: t }) as unknown as Fill;
  it("puts fills with the same ms in the reverse of Kalshi's newest-first listing", () => {
    const listed = [f("d", 3), f("c", 2), f("b", 2), f("a", 1)];
    expect(sortFillsOldestFirst(listed).map((x) => x.fillId)).toEqual(["a", "b", "c", "d"]);
    const allSame = [f("c", 5), f("b", 5), f("a", 5)];
    expect(sortFillsOldestFirst(allSame).map((x) => x.fillId)).toEqual(["a", "b", "c"]);
  });
  it("keeps listing order for ties in a list that is plainly oldest first", () => {
    const listed = [f("a", 1), f("b", 2), f("c", 2), f("d", 3)];
    expect(sortFillsOldestFirst(listed).map((x) => x.fillId)).toEqual(["a", "b", "c", "d"]);
  });
});
