/**
 * Fill alerts against the REAL sim: KalshiStream over the sim's signed WebSocket, KalshiClient over
 * signed HTTP, a real createTradeJournal, and a recording sink. Fills are made by another account
 * (sim control `trade`) selling into the user's resting bids; each resting order has its own size,
 * so "BUY n YES" in a message names the fill, and "position now" must grow by exactly that.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GrammyError } from "grammy";
import { CHAT_ID, SimAlertsHarness, until } from "./simHarness.js";
import type { ExchangePort, Fill, StreamEvent } from "../../src/exchange/port.js";

let h: SimAlertsHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function setup(): Promise<SimAlertsHarness> {
  h = await SimAlertsHarness.create();
  return h;
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** Position after each fill of sizes 1..n: 1, 3, 6, ... */
const cumulative = (n: number) => upTo(n).map((k) => (k * (k + 1)) / 2);

function tgError(code: number, description: string, retryAfter?: number): GrammyError {
  return new GrammyError(
    `Call to 'sendMessage' failed! (${code}: ${description})`,
    {
      ok: false,
      error_code: code,
      description,
      ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
    },
    "sendMessage",
    { chat_id: CHAT_ID },
  );
}

/** Every fill the exchange has is alerted exactly once, in order, and journaled exactly once. */
async function expectEachFillOnceInOrder(t: SimAlertsHarness, n: number): Promise<void> {
  await until(() => t.sink.fillSizes().length >= n, `${n} fill alerts`, 8000);
  await t.nothingMore(); // anything doubled would show up by now
  expect(t.sink.fillSizes()).toEqual(upTo(n));
  expect(t.sink.positions()).toEqual(cumulative(n));
  const exchangeIds = await t.exchangeFillIds();
  expect(exchangeIds).toHaveLength(n);
  const journal = (await t.journalEntries()).filter((e) => e.type === "fill");
  expect(journal.map((e) => e.fillId)).toEqual(exchangeIds);
  expect(journal.map((e) => e.count)).toEqual(upTo(n).map((k) => `${k}.00`));
}

function connectedCount(events: StreamEvent[]): number {
  return events.filter((e) => e.type === "connected").length;
}

describe("fill alerts against the sim", () => {
  it("socket dropped in the middle of a burst: each fill alerted once, in order", async () => {
    const t = await setup();
    for (const n of upTo(8)) await t.rest(n);
    const svc = t.service();
    const events: StreamEvent[] = [];
    t.streams[0]!.on((e) => events.push(e));
    await svc.start();
    t.fill(1);
    t.fill(2);
    t.fill(3);
    await until(() => t.sink.messages.length === 3, "first part of the burst");
    t.sim.dropWebSockets();
    t.fill(4); // nobody is subscribed: these exist only in REST until the backfill
    t.fill(5);
    t.fill(6);
    await until(() => connectedCount(events) === 2, "reconnected");
    t.fill(7);
    t.fill(8);
    await expectEachFillOnceInOrder(t, 8);
    expect(events.some((e) => e.type === "disconnected")).toBe(true);
  });

  it("stopped, fills made while stopped, new instance on the same DATA_DIR: all alerted once, in order", async () => {
    const t = await setup();
    for (const n of upTo(7)) await t.rest(n);
    const first = t.service();
    await first.start();
    t.fill(1);
    t.fill(2);
    await until(() => t.sink.messages.length === 2, "two alerts");
    // Telegram fails while fill 3 comes in: taken in and journaled, not delivered, when the bot stops.
    for (let i = 0; i < 1000; i++) t.sink.failNext.push(tgError(502, "Bad Gateway"));
    t.fill(3);
    await until(() => t.recorded.length === 3, "third fill journaled");
    await first.stop();
    t.sink.failNext.length = 0;
    t.fill(4); // while stopped
    t.fill(5);
    const second = t.service();
    const starting = second.start();
    t.fill(6); // while the new instance starts
    await starting;
    t.fill(7);
    await expectEachFillOnceInOrder(t, 7);
    expect(t.recorded).toHaveLength(7);
    expect(second.status().queueDepth).toBe(0);
  });

  it("a fill seen by both the socket and the backfill is alerted and journaled once", async () => {
    const t = await setup();
    for (const n of upTo(3)) await t.rest(n);
    // Record what REST returns to the service, to prove the overlap really happened.
    const backfilled: string[] = [];
    const client = t.client;
    t.exchange = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === "getFills") {
          return async (f: Parameters<ExchangePort["getFills"]>[0]) => {
            const fills: Fill[] = await target.getFills(f);
            backfilled.push(...fills.map((x) => x.fillId));
            return fills;
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const svc = t.service();
    const socketFills: string[] = [];
    t.streams[0]!.on((e) => {
      if (e.type === "fill") socketFills.push(e.fill.fillId);
    });
    // Slow REST: the backfill after connecting is still waiting while the fill is pushed on the socket.
    t.sim.setLatency(150);
    const starting = svc.start();
    await until(() => t.streams[0]!.connected, "subscribed");
    t.fill(1);
    await starting;
    await until(() => socketFills.length === 1 && backfilled.length >= 1, "socket and backfill saw fill 1");
    t.sim.setLatency(0);
    t.fill(2);
    // and again after a reconnect: the backfill overlaps fills 1 and 2 delivered on the socket
    t.sim.dropWebSockets();
    await until(() => backfilled.filter((id) => id === socketFills[1]).length >= 1, "backfill overlap");
    t.fill(3);
    await expectEachFillOnceInOrder(t, 3);
    const [f1, f2] = socketFills;
    expect(backfilled).toContain(f1);
    expect(backfilled).toContain(f2);
  });

  it("Telegram answering 429 and 500 for a while: each fill alerted once, in order", async () => {
    const t = await setup();
    for (const n of upTo(6)) await t.rest(n);
    const svc = t.service();
    await svc.start();
    t.sink.failNext.push(
      tgError(429, "Too Many Requests: retry after 0", 0),
      tgError(500, "Internal Server Error"),
      tgError(429, "Too Many Requests: retry after 0", 0),
      tgError(500, "Internal Server Error"),
      tgError(502, "Bad Gateway"),
    );
    for (const n of upTo(3)) t.fill(n);
    await until(() => t.sink.messages.length >= 1, "first alert after the failures");
    t.sink.failNext.push(tgError(500, "Internal Server Error"), tgError(429, "Too Many Requests", 0));
    for (const n of [4, 5, 6]) t.fill(n);
    await expectEachFillOnceInOrder(t, 6);
    expect(t.sink.calls).toBe(6 + 7);
  });

  it("a settled market that was held: one settlement message with the result and P&L", async () => {
    const t = await setup();
    await t.rest(5);
    const svc = t.service({ settlementPollMs: 40 });
    await svc.start();
    t.fill(5);
    await until(() => t.sink.fillSizes().length === 1, "fill alert");
    t.sim.settle(t.ticker, "yes");
    await until(() => t.sink.plainTexts().some((x) => x.includes("Settled")), "settlement alert");
    const polled = t.calls.get("getSettlements") ?? 0;
    await until(() => (t.calls.get("getSettlements") ?? 0) >= polled + 3, "several more polls");
    await t.nothingMore();
    const settled = t.sink.plainTexts().filter((x) => x.includes("Settled"));
    expect(settled).toHaveLength(1);
    // 5 YES bought at price p, settled YES: payout $5.00, P&L = 5 × (1 − p) − fees
    expect(settled[0]).toContain("result YES");
    expect(settled[0]).toContain("you held 5 YES");
    expect(settled[0]).toContain("payout $5.00");
    expect(settled[0]).toMatch(/P&L \+\$\d+\.\d\d/);
    // computed from the market's fills over the sim's REST API (recent and historical), not approximated
    expect(settled[0]).not.toContain("approx.");
  });

  it("a bid filled, the market settled, then the bot started: backfilled as BUY, not as closing", async () => {
    const t = await setup();
    await t.rest(10);
    t.fill(10);
    t.sim.settle(t.ticker, "yes"); // the position is 0 now; the settlement lists 10 YES
    await t.service().start();
    await until(() => t.sink.messages.length === 1, "backfilled alert");
    const text = t.sink.plainTexts()[0]!;
    expect(text).toContain("Filled: BUY 10 YES");
    expect(text).toContain(`@ $${(t.price / 1_000_000).toFixed(2)}`);
    expect(text).toContain("position now 10 YES");
    expect(text).not.toContain("closed");
  });

  it("an order cancelled by the exchange (market closed with the order resting): one message", async () => {
    const t = await setup();
    await t.rest(4);
    const svc = t.service();
    await svc.start();
    t.sim.closeMarket(t.ticker);
    await until(() => t.sink.messages.length === 1, "cancel alert");
    await t.nothingMore();
    const texts = t.sink.plainTexts();
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("Order canceled by the exchange (the market closed)");
    expect(texts[0]).toContain("BUY 4 YES");
    expect(texts[0]).toContain("filled 0/4");
    // the market is named with its bracket, not just the event question every bracket shares
    const m = await t.client.getMarket(t.ticker);
    expect(m.yesSubTitle).not.toBe("");
    // The name drops the question mark before the strike (issue 16: "… at 17:00 EST — $95,000 or above").
    expect(texts[0]).toContain(`${m.title.replace(/\?$/, "")} — ${m.yesSubTitle}`);
  });
});
