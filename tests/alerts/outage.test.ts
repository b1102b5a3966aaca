/**
 * A 10-minute Telegram outage, compressed with fake timers: alerts keep coming (one every 7.5 s), at
 * most 50 wait per chat, the older ones become one "N more alerts while Telegram was unreachable"
 * line, and once Telegram answers the rest arrive in order, none twice. The state file stays bounded
 * meanwhile. Without an outage a burst is delivered one by one, bound or not.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrammyError } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AlertDelivery } from "../../src/alerts/delivery.js";
import { OUTAGE_BACKLOG_LIMIT } from "../../src/alerts/backlog.js";
import type { AlertRenderer } from "../../src/alerts/render.js";
import { AlertState, cancelKey, type Notice } from "../../src/alerts/state.js";
import type { Order } from "../../src/exchange/port.js";
import { RecordingSink } from "./harness.js";

const CHAT = 77;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function badGateway(): GrammyError {
  return new GrammyError(
    "Call to 'sendMessage' failed! (502: Bad Gateway)",
    { ok: false, error_code: 502, description: "Bad Gateway" },
    "sendMessage",
    {},
  );
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "alerts-outage-"));
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

function setup() {
  const state = new AlertState(dir);
  const sink = new RecordingSink();
  const render = {
    envTag: "SIM",
    single: async (n: Notice) => `alert ${n.key}`,
    fills: async () => "fills",
    actions: async () => undefined,
    photo: async () => null,
  } as unknown as AlertRenderer;
  const delivery = new AlertDelivery(
    {
      state,
      sink,
      settings: { get: async () => "on", set: async () => undefined } as never,
      render,
      log: quiet,
      now: Date.now,
      coalesceWindowMs: 10_000,
      retry: { baseMs: 1_000, maxMs: 30_000 },
      deliveredFlushMs: 25,
    },
    [CHAT],
  );
  let n = 0;
  const alert = () => {
    const id = `o${n++}`;
    const notice: Notice = {
      kind: "cancel",
      key: cancelKey(id),
      order: { orderId: id, ticker: "KX-T" } as Order,
      reason: "canceled by the exchange",
      at: Date.now(),
    };
    state.add(notice, [CHAT], Date.now());
    delivery.enqueue(CHAT, notice.key);
  };
  const texts = () => sink.messages.map((m) => m.texts[0]!);
  const drain = async () => {
    for (let i = 0; i < 200 && !delivery.isIdle; i++) await vi.advanceTimersByTimeAsync(1_000);
    expect(delivery.isIdle).toBe(true);
  };
  return { state, sink, delivery, alert, texts, drain };
}

describe("a Telegram outage", () => {
  it("10 minutes down: 50 alerts wait, the older ones become one summary, the rest arrive in order once", async () => {
    const t = setup();
    t.sink.down = badGateway();
    t.alert(); // o0: its send is retried all through the outage
    let mostOwed = 0;
    for (let i = 1; i <= 80; i++) {
      await vi.advanceTimersByTimeAsync(7_500);
      t.alert();
      mostOwed = Math.max(mostOwed, t.state.pendingCount());
    }
    expect(t.sink.messages).toHaveLength(0);
    // The one being sent plus 50 waiting: the state file does not grow with the outage.
    expect(mostOwed).toBe(1 + OUTAGE_BACKLOG_LIMIT);
    t.sink.down = null;
    await t.drain();

    const texts = t.texts();
    expect(texts[0]).toBe("alert c:o0");
    expect(texts[1]).toMatch(/30 more alerts while Telegram was unreachable/);
    expect(texts[1]).toMatch(/^SIM\n/);
    const expected = Array.from({ length: 50 }, (_, i) => `alert c:o${31 + i}`);
    expect(texts.slice(2)).toEqual(expected);
    expect(new Set(texts).size).toBe(texts.length);
    expect(t.state.pendingCount()).toBe(0);
    t.delivery.stop();
    await t.delivery.close();
  });

  it("a short outage with fewer alerts than the bound drops nothing and sends no summary", async () => {
    const t = setup();
    t.sink.down = badGateway();
    for (let i = 0; i < 10; i++) {
      t.alert();
      await vi.advanceTimersByTimeAsync(3_000);
    }
    t.sink.down = null;
    await t.drain();
    expect(t.texts()).toEqual(Array.from({ length: 10 }, (_, i) => `alert c:o${i}`));
    t.delivery.stop();
    await t.delivery.close();
  });

  it("without an outage a burst over the bound is delivered one by one", async () => {
    const t = setup();
    for (let i = 0; i < OUTAGE_BACKLOG_LIMIT + 30; i++) t.alert();
    await t.drain();
    expect(t.texts()).toHaveLength(OUTAGE_BACKLOG_LIMIT + 30);
    expect(t.texts().some((x) => /unreachable/.test(x))).toBe(false);
    t.delivery.stop();
    await t.delivery.close();
  });

  it("a second outage later counts afresh", async () => {
    const t = setup();
    for (let round = 0; round < 2; round++) {
      t.sink.down = badGateway();
      t.alert();
      for (let i = 0; i < 60; i++) {
        await vi.advanceTimersByTimeAsync(5_000);
        t.alert();
      }
      t.sink.down = null;
      await t.drain();
    }
    const summaries = t.texts().filter((x) => /unreachable/.test(x));
    expect(summaries).toHaveLength(2);
    for (const s of summaries) expect(s).toMatch(/10 more alerts/);
    expect(t.texts()).toHaveLength(2 * (1 + 1 + 50));
    t.delivery.stop();
    await t.delivery.close();
  });
});
