import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GrammyError } from "grammy";
import { Harness } from "./harness.js";
import { waitFor, wireOrder } from "../support/wsKalshiStub.js";
import { createAlertSettingsStore } from "../../src/alerts/settings.js";
import { ALERTS_STATE_FILE } from "../../src/alerts/state.js";
import type { Centis, Micros } from "../../src/domain/money.js";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function setup() {
  h = await Harness.create();
  return h;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => `KXT-${a + i}`);

function tgError(code: number, description: string, retryAfter?: number) {
  return new GrammyError(
    `Call to 'sendMessage' failed! (${code}: ${description})`,
    {
      ok: false,
      error_code: code,
      description,
      ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}),
    },
    "sendMessage",
    {},
  );
}

describe("fill alerts", () => {
  it("alerts a live fill once, with direction, price, fee, position, order progress, env tag and local time", async () => {
    const t = await setup();
    const svc = t.service();
    await svc.start();
    t.stub.sendUserOrder(
      wireOrder({
        order_id: "order-1",
        status: "executed",
        fill_count_fp: "10.00",
        initial_count_fp: "10.00",
      }),
    );
    t.push({ post_position_fp: "25.00", ts_ms: Date.UTC(2026, 10, 24, 13, 15) });
    await waitFor(() => t.sink.messages.length === 1, "one alert");
    const text = t.sink.finalTexts()[0]!;
    expect(text).toBe(
      "🧪 SIM · Nov 24, 08:15 EST\n<b>Filled</b>: BUY 10 YES · Title KXT-1 · @ $0.55 · fee $0.17 · position now 25 YES · order 10/10",
    );
    expect(t.sink.messages[0]!.silent).toBe(false);
    expect(t.journal.map((j) => j.fillId)).toEqual(["fill-1"]);
    expect(svc.status()).toMatchObject({ connected: true, queueDepth: 0 });
    expect(svc.status().lastFillTs).toBe(Date.UTC(2026, 10, 24, 13, 15));
  });

  it("tells a NO sale apart from a YES purchase using the position after the fill", async () => {
    const t = await setup();
    await t.service().start();
    // held 30 NO (position −30); a bid of 10 at YES $0.62 closes 10 NO at $0.38
    t.push({
      book_side: "bid",
      outcome_side: "yes",
      yes_price_dollars: "0.6200",
      post_position_fp: "-20.00",
    });
    await waitFor(() => t.sink.messages.length === 1, "alert");
    expect(t.sink.finalTexts()[0]).toContain("SELL 10 NO · Title KXT-1 · @ $0.38");
    expect(t.sink.finalTexts()[0]).toContain("position now 20 NO");
  });

  it("socket dropped in the middle of a burst: every fill alerted exactly once, in order", async () => {
    const t = await setup();
    const svc = t.service();
    await svc.start();
    for (let i = 0; i < 3; i++) t.push();
    await waitFor(() => t.sink.messages.length === 3, "first part of the burst");
    t.stub.setRefuseAll(true);
    t.stub.dropAll();
    for (let i = 0; i < 3; i++) t.push(); // nobody is listening: lost on the socket
    t.stub.setRefuseAll(false);
    await waitFor(() => t.stub.subscribedClients === 1, "reconnected");
    t.push();
    t.push();
    await waitFor(() => t.sink.messages.length === 8, "all eight alerts");
    await svc.idle(); // the reconnect's backfill and every delivery are done: nothing more can come
    expect(t.sink.tickers()).toEqual(range(1, 8));
    expect(t.journal.map((j) => j.fillId)).toEqual(range(1, 8).map((x) => x.replace("KXT", "fill")));
  });

  it("a fill seen by both the socket and the backfill is alerted and journaled once", async () => {
    const t = await setup();
    const early = t.happen(); // happened before start: the backfill finds it
    const svc = t.service();
    await svc.start();
    t.stub.sendFill(early); // the socket repeats it
    t.push();
    t.stub.sendFill(early);
    await waitFor(() => t.sink.messages.length === 2, "two alerts");
    await waitFor(() => t.count("fill") === 3, "all three socket fills received");
    await svc.idle();
    expect(t.sink.tickers()).toEqual(["KXT-1", "KXT-2"]);
    expect(t.journal).toHaveLength(2);
    // the REST copy has no post position: derived from the current position and later fills
    expect(t.sink.finalTexts()[0]).toContain("position now 10 YES");
  });

  it("stopped and restarted (new instance, same DATA_DIR) while fills arrive: nothing lost, nothing doubled", async () => {
    const t = await setup();
    const first = t.service();
    await first.start();
    t.push();
    t.push();
    await waitFor(() => t.sink.messages.length === 2, "two alerts");
    // Telegram goes down; a fill is taken in but not delivered when the bot stops.
    t.sink.down = tgError(502, "Bad Gateway");
    t.push();
    await waitFor(() => t.journal.length === 3, "third fill journaled");
    await first.stop();
    t.happen(); // while the bot is stopped
    t.happen();
    t.sink.down = null;
    const second = t.service();
    await second.start();
    t.push();
    await waitFor(() => t.sink.messages.length === 6, "all six alerts");
    await waitFor(() => t.count("fill") === 4, "the four socket fills received");
    await second.idle();
    expect(t.sink.tickers()).toEqual(range(1, 6));
    expect(t.journal.map((j) => j.fillId)).toEqual(range(1, 6).map((x) => x.replace("KXT", "fill")));
    expect(second.status().queueDepth).toBe(0);
  });

  it("Telegram answering 429 and 500 for a while: retries, honours retry_after, loses and doubles nothing", async () => {
    const t = await setup();
    await t.service().start();
    t.sink.failures.push(tgError(500, "Internal Server Error"), tgError(500, "Internal Server Error"));
    t.sink.failures.push(tgError(429, "Too Many Requests: retry after 1", 1));
    t.push();
    t.push();
    t.push();
    await waitFor(() => t.sink.messages.length === 3, "three alerts", 8000);
    expect(t.sink.tickers()).toEqual(range(1, 3));
    const a = t.sink.attempts;
    // attempts 0,1 → 500; attempt 2 → 429 retry after 1 s; attempt 3 succeeds a second later
    expect(a[3]! - a[2]!).toBeGreaterThanOrEqual(950);
    expect(t.journal).toHaveLength(3);
  });

  it("gives up on a message Telegram refuses for good (403) and goes on with the next", async () => {
    const t = await setup();
    await t.service().start();
    t.sink.failures.push(tgError(403, "Forbidden: bot was blocked by the user"));
    t.push();
    t.push();
    await waitFor(() => t.sink.messages.length === 1, "second alert");
    expect(t.sink.tickers()).toEqual(["KXT-2"]);
  });

  it("coalesces a burst of one order into one message edited in place; the first fill is not held back", async () => {
    const t = await setup();
    const s = t.service({ coalesceWindowMs: 10_000 });
    await s.start();
    t.stub.sendUserOrder(
      wireOrder({ order_id: "big", initial_count_fp: "250.00", fill_count_fp: "10.00", ticker: "KXT-1" }),
    );
    t.push({
      order_id: "big",
      market_ticker: "KXT-1",
      count_fp: "10.00",
      yes_price_dollars: "0.5500",
      post_position_fp: "10.00",
    });
    await waitFor(() => t.sink.messages.length === 1, "first fill alerted at once");
    expect(t.sink.finalTexts()[0]).toContain("BUY 10 YES · Title KXT-1 · @ $0.55");
    let pos = 10;
    for (let i = 0; i < 11; i++) {
      const count = i < 10 ? 20 : 40;
      pos += count;
      t.push({
        order_id: "big",
        market_ticker: "KXT-1",
        count_fp: `${count}.00`,
        yes_price_dollars: i % 2 ? "0.5500" : "0.5600",
        fee_cost: "0.100000",
        post_position_fp: `${pos}.00`,
      });
    }
    t.stub.sendUserOrder(
      wireOrder({ order_id: "big", initial_count_fp: "250.00", fill_count_fp: "250.00", ticker: "KXT-1" }),
    );
    await waitFor(
      () => t.sink.finalTexts()[0]!.includes("12 fills"),
      "all fills merged into the first message",
    );
    expect(t.sink.messages).toHaveLength(1);
    const final = t.sink.finalTexts()[0]!;
    // 10@0.55 + 5×20@0.56 + 5×20@0.55 + 40@0.56 = 138.9 / 250 = 0.5556 → "avg $0.5556" (avg prices to $0.0001 in every message)
    expect(final).toContain(
      "BUY 250 YES · Title KXT-1 · @ avg $0.5556 · 12 fills · fee $1.27 · position now 250 YES",
    );
    expect(final).toMatch(/order \d+(\.\d+)?\/250/);
    expect(t.journal).toHaveLength(12);
  });

  it("a later fill of the same order after the window gets a new message", async () => {
    const t = await setup();
    let clock = Date.now();
    await t.service({ coalesceWindowMs: 30, now: () => clock }).start();
    t.push({ order_id: "o", market_ticker: "KXT-1" });
    await waitFor(() => t.sink.messages.length === 1, "first");
    clock += 80; // the window has passed
    t.push({ order_id: "o", market_ticker: "KXT-1", post_position_fp: "20.00" });
    await waitFor(() => t.sink.messages.length === 2, "second message");
    expect(t.sink.messages[1]!.texts).toHaveLength(1);
  });

  it("off: no messages but fills journaled and marked delivered; silent: sent without sound", async () => {
    const t = await setup();
    const settings = createAlertSettingsStore(t.dataDir);
    settings.set(42, "off");
    const svc = t.service({ settings });
    await svc.start();
    t.push();
    await waitFor(() => t.journal.length === 1, "journaled");
    await waitFor(() => svc.status().queueDepth === 0, "delivered (as off)");
    expect(t.sink.messages).toHaveLength(0);
    settings.set(42, "silent");
    t.push();
    await waitFor(() => t.sink.messages.length === 1, "silent alert");
    expect(t.sink.messages[0]!.silent).toBe(true);
    expect(t.sink.tickers()).toEqual(["KXT-2"]);
  });

  it("sends to every configured chat, each exactly once", async () => {
    const t = await setup();
    await t.service({ chatIds: [1, 2] }).start();
    t.push();
    t.push();
    await waitFor(() => t.sink.messages.length === 4, "two alerts per chat");
    expect(t.sink.tickers(1)).toEqual(["KXT-1", "KXT-2"]);
    expect(t.sink.tickers(2)).toEqual(["KXT-1", "KXT-2"]);
    expect(t.journal).toHaveLength(2);
  });

  it("polling fallback: with the socket refused, fills still arrive (position derived from REST)", async () => {
    const t = await setup();
    t.stub.setRefuseAll(true);
    t.flat("KXT-1");
    const svc = t.service({}, { pollFallback: { exchange: t.exchange, intervalMs: 20, afterFailures: 1 } });
    await svc.start();
    // held 10 YES before; an ask of 4 sells 4 YES
    t.happen({
      market_ticker: "KXT-1",
      book_side: "ask",
      outcome_side: "no",
      count_fp: "4.00",
      post_position_fp: "6.00",
    });
    await waitFor(() => t.sink.messages.length === 1, "alert via polling");
    expect(t.sink.finalTexts()[0]).toContain("SELL 4 YES · Title KXT-1 · @ $0.55");
    expect(t.sink.finalTexts()[0]).toContain("position now 6 YES");
    expect(svc.status().connected).toBe(false);
  });

  it("reports exchange cancels (market close) but not the user's own cancels", async () => {
    const t = await setup();
    const svc = t.service();
    await svc.start();
    t.flat("KXT-9");
    t.stub.sendUserOrder(wireOrder({ order_id: "u1", ticker: "KXT-8", status: "canceled" }));
    t.stub.sendUserOrder(
      wireOrder({
        order_id: "x1",
        ticker: "KXT-9",
        status: "canceled",
        last_update_reason: "CloseCancel",
        book_side: "ask",
        outcome_side: "no",
        yes_price_dollars: "0.3000",
        fill_count_fp: "2.00",
        remaining_count_fp: "0.00",
      }),
    );
    t.stub.sendUserOrder(
      wireOrder({ order_id: "x1", ticker: "KXT-9", status: "canceled", last_update_reason: "CloseCancel" }),
    );
    await waitFor(() => t.sink.messages.length === 1, "cancel alert");
    await waitFor(() => t.count("order") === 3, "all three order updates received");
    await svc.idle();
    expect(t.sink.messages).toHaveLength(1);
    expect(t.sink.finalTexts()[0]).toContain(
      "<b>Order canceled by the exchange</b> (the market closed): BUY 10 NO @ $0.70 · Title KXT-9 · filled 2/10",
    );
  });

  it("alerts a settlement of a held market once, with realized P&L, across restarts", async () => {
    const t = await setup();
    const settledTime = Date.now() - 1000;
    t.exchange.addSettlement({
      ticker: "KXT-5",
      eventTicker: "KXT",
      marketResult: "yes",
      yesCount: 1000 as Centis,
      noCount: 0 as Centis,
      yesTotalCost: 5_500_000 as Micros,
      noTotalCost: 0 as Micros,
      revenue: 10_000_000 as Micros,
      fee: 170_000 as Micros,
      settledTime,
      value: 1_000_000 as Micros,
    });
    t.exchange.addSettlement({
      ticker: "KXT-6",
      eventTicker: "KXT",
      marketResult: "no",
      yesCount: 0 as Centis,
      noCount: 0 as Centis,
      yesTotalCost: 0 as Micros,
      noTotalCost: 0 as Micros,
      revenue: 0 as Micros,
      fee: 0 as Micros,
      settledTime,
      value: 0 as Micros,
    });
    const first = t.service({ settlementPollMs: 20 });
    await first.start();
    await waitFor(() => t.sink.messages.length === 1, "settlement alert");
    await waitFor(() => t.calls("getSettlements") >= 4, "several polls");
    await first.idle();
    await first.stop();
    const polled = t.calls("getSettlements");
    const second = t.service({ settlementPollMs: 20 });
    await second.start();
    await waitFor(() => t.calls("getSettlements") >= polled + 3, "several polls after the restart");
    await second.idle();
    expect(t.sink.messages).toHaveLength(1);
    expect(t.sink.finalTexts()[0]).toContain(
      "<b>Settled</b>: Title KXT-5 · result YES · you held 10 YES · payout $10.00 credited to your cash · P&amp;L +$4.33",
    );
  });

  it("keeps its state in DATA_DIR as valid JSON, without secrets", async () => {
    const t = await setup();
    const svc = t.service();
    await svc.start();
    t.push();
    await waitFor(() => t.sink.messages.length === 1, "alert");
    await svc.stop();
    const raw = readFileSync(join(t.dataDir, ALERTS_STATE_FILE), "utf8");
    const state = JSON.parse(raw) as { known: Array<[string, number]>; pending: unknown[] };
    expect(state.known.map((k) => k[0])).toContain("f:fill-1");
    expect(state.pending).toEqual([]);
    expect(raw).not.toContain("alerts-test-key");
  });

  it("a backfill that fails at start is retried, so fills made while the bot was down still arrive", async () => {
    const t = await setup();
    t.happen();
    t.happen();
    t.exchange.failNext("getFills", new Error("exchange: getFills unavailable"), "before", 2);
    await t.service().start();
    await waitFor(() => t.sink.messages.length === 2, "backfilled alerts");
    expect(t.sink.tickers()).toEqual(range(1, 2));
    expect(t.calls("getFills")).toBeGreaterThanOrEqual(3);
  });

  it("a market title lookup that hangs does not hold the alert back (the ticker is shown)", async () => {
    const t = await setup();
    await t.service({ marketTitle: () => new Promise<string>(() => undefined), lookupTimeoutMs: 50 }).start();
    t.push({ market_ticker: "KXSLOW-1" });
    await waitFor(() => t.sink.messages.length === 1, "alert");
    expect(t.sink.finalTexts()[0]).toContain("BUY 10 YES · KXSLOW-1 · @ $0.55");
  });
});
