/**
 * Which way a fill or an exchange cancel went (BUY/SELL of YES/NO) when the exchange does not say:
 * REST fills (backfill, polling) carry no post position, and cancels none at all.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness } from "./harness.js";
import { endJournalLogger } from "./journalFlush.js";
import { waitFor, wireOrder } from "../support/wsKalshiStub.js";
import type { Centis, Micros } from "../../src/domain/money.js";
import type { Settlement } from "../../src/exchange/port.js";
import type { OrderIntent } from "../../src/alerts/intent.js";
import { journalIntentLookup } from "../../src/alerts/intent.js";
import { createJournalLogger } from "../../src/logging/journalFile.js";
import { createTradeJournal } from "../../src/trading/journal.js";

let h: Harness | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  h = null;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup() {
  h = await Harness.create();
  return h;
}

type Settled = Settlement & { marketResult: "yes" | "no" };

function settlement(over: Partial<Settled> & { ticker: string }): Settled {
  return {
    eventTicker: "KXT",
    marketResult: "yes",
    yesCount: 0 as Centis,
    noCount: 0 as Centis,
    yesTotalCost: 0 as Micros,
    noTotalCost: 0 as Micros,
    revenue: 0 as Micros,
    fee: 0 as Micros,
    settledTime: Date.now() + 1000, // after the test's fills (the harness stamps them a few ms ahead)
    value: null,
    ...over,
  };
}

/** The market settled: the position is gone (0), a settlement is listed, the market is finalized. */
function settle(t: Harness, s: Settled): void {
  t.flat(s.ticker);
  t.exchange.addSettlement(s);
  t.setStatus(s.ticker, "finalized");
}

const fills = (t: Harness) => t.sink.finalTexts().filter((x) => x.includes("<b>Filled</b>"));

describe("backfilled fills of a market that settled since", () => {
  it("a resting bid of 10 YES @ 0.31 that filled, then settled: BUY 10 YES, not 'SELL 10 NO, closed'", async () => {
    const t = await setup();
    t.happen({
      market_ticker: "KXT-1",
      book_side: "bid",
      yes_price_dollars: "0.3100",
      count_fp: "10.00",
      post_position_fp: "10.00",
    });
    settle(t, settlement({ ticker: "KXT-1", yesCount: 1000 as Centis }));
    await t.service().start(); // the bot comes back and backfills
    await waitFor(() => fills(t).length === 1, "backfilled alert");
    expect(fills(t)[0]).toContain("BUY 10 YES · Title KXT-1 · @ $0.31");
    expect(fills(t)[0]).toContain("position now 10 YES");
    expect(fills(t)[0]).not.toContain("closed");
  });

  it("several fills, partly closed before settling: each read from the market's history", async () => {
    const t = await setup();
    const base = Date.now() - 5000;
    // bought 10 NO, bought 5 more NO, sold 8 NO; settled holding 7 NO
    t.happen({ market_ticker: "KXT-1", book_side: "ask", yes_price_dollars: "0.6000", ts_ms: base });
    t.happen({
      market_ticker: "KXT-1",
      book_side: "ask",
      yes_price_dollars: "0.6000",
      count_fp: "5.00",
      ts_ms: base + 1,
    });
    t.happen({
      market_ticker: "KXT-1",
      book_side: "bid",
      yes_price_dollars: "0.5000",
      count_fp: "8.00",
      ts_ms: base + 2,
    });
    settle(t, settlement({ ticker: "KXT-1", marketResult: "no", noCount: 700 as Centis }));
    await t.service().start();
    await waitFor(() => fills(t).length === 3, "backfilled alerts");
    const texts = fills(t);
    expect(texts[0]).toContain("BUY 10 NO · Title KXT-1 · @ $0.40");
    expect(texts[0]).toContain("position now 10 NO");
    expect(texts[1]).toContain("BUY 5 NO · Title KXT-1 · @ $0.40");
    expect(texts[1]).toContain("position now 15 NO");
    expect(texts[2]).toContain("SELL 8 NO · Title KXT-1 · @ $0.50");
    expect(texts[2]).toContain("position now 7 NO");
  });

  it("history that does not add up to the settlement: told as placed (journal), else in YES terms", async () => {
    const t = await setup();
    // an ask of 10 @ 0.60 (the user bought 10 NO); the settlement says 15 NO: a fill is missing
    t.happen({ market_ticker: "KXT-1", order_id: "o-ask", book_side: "ask", yes_price_dollars: "0.6000" });
    t.happen({ market_ticker: "KXT-2", order_id: "o-ask2", book_side: "ask", yes_price_dollars: "0.6000" });
    settle(t, settlement({ ticker: "KXT-1", marketResult: "no", noCount: 1500 as Centis }));
    settle(t, settlement({ ticker: "KXT-2", marketResult: "no", noCount: 1500 as Centis }));
    const intents: Record<string, OrderIntent> = { "o-ask": { action: "buy", outcome: "no" } };
    await t.service({ orderIntent: async ({ orderId }) => intents[orderId ?? ""] ?? null }).start();
    await waitFor(() => fills(t).length === 2, "backfilled alerts");
    const [withIntent, without] = fills(t);
    expect(withIntent).toContain("BUY 10 NO · Title KXT-1 · @ $0.40");
    expect(without).toContain("SELL 10 YES · Title KXT-2 · @ $0.60"); // always true on the single book
    for (const x of [withIntent, without]) expect(x).not.toContain("position");
  });

  it("market finalized but its settlement not listed yet: the 0 position is not trusted", async () => {
    const t = await setup();
    t.happen({ market_ticker: "KXT-1", book_side: "bid", yes_price_dollars: "0.3100" });
    t.flat("KXT-1");
    t.setStatus("KXT-1", "finalized");
    await t.service().start();
    await waitFor(() => fills(t).length === 1, "backfilled alert");
    expect(fills(t)[0]).toContain("BUY 10 YES · Title KXT-1 · @ $0.31");
    expect(fills(t)[0]).not.toContain("position");
  });

  it("an active market closed by the user is still read from the position (0 = closed)", async () => {
    const t = await setup();
    const base = Date.now() - 1000;
    t.happen({ market_ticker: "KXT-1", book_side: "bid", ts_ms: base, post_position_fp: "10.00" });
    t.happen({
      market_ticker: "KXT-1",
      book_side: "ask",
      yes_price_dollars: "0.6000",
      ts_ms: base + 1,
      post_position_fp: "0.00",
    });
    await t.service().start();
    await waitFor(() => fills(t).length === 2, "backfilled alerts");
    expect(fills(t)[0]).toContain("BUY 10 YES · Title KXT-1 · @ $0.55");
    expect(fills(t)[1]).toContain("SELL 10 YES · Title KXT-1 · @ $0.60");
    expect(fills(t)[1]).toContain("position closed");
  });
});

describe("fills of one REST listing are read together", () => {
  it("polling: 'ask 10 @ 0.60' then 'bid 10 @ 0.55' in one poll = BUY 10 NO @ $0.40, then SELL 10 NO", async () => {
    const t = await setup();
    t.stub.setRefuseAll(true);
    const svc = t.service({}, { pollFallback: { exchange: t.exchange, intervalMs: 20, afterFailures: 1 } });
    await svc.start();
    const calls = t.calls("getFills");
    await waitFor(() => t.calls("getFills") > calls + 1, "polling under way");
    const base = Date.now();
    t.happen({
      market_ticker: "KXT-1",
      book_side: "ask",
      yes_price_dollars: "0.6000",
      ts_ms: base,
      post_position_fp: "-10.00",
    });
    t.happen({
      market_ticker: "KXT-1",
      book_side: "bid",
      yes_price_dollars: "0.5500",
      ts_ms: base + 1,
      post_position_fp: "0.00",
    });
    await waitFor(() => fills(t).length === 2, "alerts via polling");
    expect(fills(t)[0]).toContain("BUY 10 NO · Title KXT-1 · @ $0.40");
    expect(fills(t)[0]).toContain("position now 10 NO");
    expect(fills(t)[1]).toContain("SELL 10 NO · Title KXT-1 · @ $0.45");
    expect(fills(t)[1]).toContain("position closed");
    expect(svc.status().connected).toBe(false);
  });

  it("fills in the same millisecond keep the exchange's order (backfill and polling)", async () => {
    const t = await setup();
    const at = Date.now() - 1000;
    // a bid then an ask of the same millisecond (Kalshi lists the ask first: newest first)
    t.happen({ market_ticker: "KXT-1", book_side: "bid", ts_ms: at, post_position_fp: "10.00" });
    t.happen({
      market_ticker: "KXT-1",
      book_side: "ask",
      yes_price_dollars: "0.6000",
      ts_ms: at,
      post_position_fp: "0.00",
    });
    t.stub.setRefuseAll(true);
    const svc = t.service({}, { pollFallback: { exchange: t.exchange, intervalMs: 20, afterFailures: 1 } });
    await svc.start();
    await waitFor(() => fills(t).length === 2, "backfilled alerts");
    const calls = t.calls("getFills");
    await waitFor(() => t.calls("getFills") > calls + 1, "polling under way");
    const now = Date.now();
    t.happen({
      market_ticker: "KXT-2",
      book_side: "ask",
      yes_price_dollars: "0.6000",
      ts_ms: now,
      post_position_fp: "-10.00",
    });
    t.happen({ market_ticker: "KXT-2", book_side: "bid", ts_ms: now, post_position_fp: "0.00" });
    await waitFor(() => fills(t).length === 4, "polled alerts");
    const texts = fills(t);
    expect(texts[0]).toContain("BUY 10 YES · Title KXT-1 · @ $0.55");
    expect(texts[0]).toContain("position now 10 YES");
    expect(texts[1]).toContain("SELL 10 YES · Title KXT-1 · @ $0.60");
    expect(texts[1]).toContain("position closed");
    expect(texts[2]).toContain("BUY 10 NO · Title KXT-2 · @ $0.40");
    expect(texts[2]).toContain("position now 10 NO");
    expect(texts[3]).toContain("SELL 10 NO · Title KXT-2 · @ $0.45");
    expect(texts[3]).toContain("position closed");
  });
});

describe("polled fills while the service cannot list fills", () => {
  it("are not held back: told as placed (journal), else in YES terms, without a position", async () => {
    const t = await setup();
    t.stub.setRefuseAll(true);
    // The stream polls the exchange; the service's own listing keeps failing.
    const broken = Object.create(t.exchange) as typeof t.exchange;
    broken.getFills = () => Promise.reject(new Error("listing unavailable"));
    const svc = t.service(
      {
        exchange: broken,
        orderIntent: async ({ orderId }) => (orderId === "o-1" ? { action: "buy", outcome: "no" } : null),
      },
      { pollFallback: { exchange: t.exchange, intervalMs: 20, afterFailures: 1 } },
    );
    await svc.start();
    t.happen({ market_ticker: "KXT-1", order_id: "o-1", book_side: "ask", yes_price_dollars: "0.6000" });
    t.happen({ market_ticker: "KXT-2", order_id: "o-2", book_side: "ask", yes_price_dollars: "0.6000" });
    await waitFor(() => fills(t).length === 2, "alerts via polling");
    expect(fills(t)[0]).toContain("BUY 10 NO · Title KXT-1 · @ $0.40");
    expect(fills(t)[1]).toContain("SELL 10 YES · Title KXT-2 · @ $0.60");
    for (const x of fills(t)) expect(x).not.toContain("position");
  });
});

describe("orders the exchange cancelled", () => {
  it("reduce-only cancel with the position gone: an ask is SELL YES, a bid is SELL NO", async () => {
    const t = await setup();
    await t.service().start();
    t.flat("KXT-9");
    const reduceOnly = { ticker: "KXT-9", status: "canceled", last_update_reason: "ReduceOnlyCancel" };
    t.stub.sendUserOrder(
      wireOrder({
        ...reduceOnly,
        order_id: "r1",
        book_side: "ask",
        outcome_side: "no",
        yes_price_dollars: "0.6000",
      }),
    );
    await waitFor(() => t.sink.messages.length === 1, "first cancel alert");
    t.stub.sendUserOrder(
      wireOrder({ ...reduceOnly, order_id: "r2", book_side: "bid", yes_price_dollars: "0.3000" }),
    );
    await waitFor(() => t.sink.messages.length === 2, "second cancel alert");
    const [ask, bid] = t.sink.finalTexts();
    // Told in plain words since issue 16 (tests/alerts/reduceOnlyCancel.test.ts has the wording).
    expect(ask).toContain("Kalshi canceled your sell of 10 YES at $0.60 or better because you held no YES");
    expect(ask).toContain("\nTitle KXT-9");
    expect(bid).toContain("Kalshi canceled your sell of 10 NO at $0.70 or better because you held no NO");
    expect(bid).toContain("\nTitle KXT-9");
  });

  it("the journal's intent wins: a 'buy 10 NO' closed by the market while holding YES", async () => {
    const t = await setup();
    const logDir = await mkdtemp(join(tmpdir(), "alerts-journal-"));
    dirs.push(logDir);
    await writeJournal(logDir, [
      { cid: "cid-buy-no", orderId: "x1", action: "buy", outcome: "no" },
      { cid: "cid-other", orderId: "x0", action: "sell", outcome: "yes" },
    ]);
    await t.service({ journalDir: logDir }).start();
    t.hold("KXT-9", 5); // holding 5 YES: the position alone would say SELL YES
    t.stub.sendUserOrder(
      wireOrder({
        order_id: "x1",
        client_order_id: "cid-not-in-the-journal",
        ticker: "KXT-9",
        status: "canceled",
        last_update_reason: "CloseCancel",
        book_side: "ask",
        outcome_side: "no",
        yes_price_dollars: "0.6000",
      }),
    );
    await waitFor(() => t.sink.messages.length === 1, "cancel alert");
    expect(t.sink.finalTexts()[0]).toContain("(the market closed): BUY 10 NO @ $0.40 · Title KXT-9");
  });
});

describe("journal intent lookup", () => {
  it("finds an order by client order id or exchange order id, and sees orders journaled later", async () => {
    const logDir = await mkdtemp(join(tmpdir(), "alerts-journal-"));
    dirs.push(logDir);
    const lookup = journalIntentLookup(logDir);
    expect(await lookup({ orderId: "o1" })).toBeNull(); // no journal yet
    await writeJournal(logDir, [{ cid: "c1", orderId: "o1", action: "sell", outcome: "no" }]);
    expect(await lookup({ orderId: "o1" })).toEqual({ action: "sell", outcome: "no", count: 1000 });
    expect(await lookup({ clientOrderId: "c1" })).toEqual({ action: "sell", outcome: "no", count: 1000 });
    expect(await lookup({ orderId: "unknown", clientOrderId: "also-unknown" })).toBeNull();
  });
});

/** Writes order_submitted + order_placed lines with the real journal writer, flushed to disk. */
async function writeJournal(
  logDir: string,
  orders: Array<{ cid: string; orderId: string; action: "buy" | "sell"; outcome: "yes" | "no" }>,
): Promise<void> {
  const logger = createJournalLogger(logDir);
  const journal = createTradeJournal({ logger, environment: "sim", timeZone: "America/New_York" });
  for (const o of orders) {
    const bid = (o.action === "buy") === (o.outcome === "yes");
    journal.record({
      type: "order_submitted",
      ticker: "KXT-9",
      clientOrderId: o.cid,
      outcome: o.outcome,
      action: o.action,
      kind: "limit",
      count: 1000 as Centis,
      price: 400_000 as Micros,
      side: bid ? "bid" : "ask",
      yesPrice: 600_000 as Micros,
      timeInForce: "good_till_canceled",
      reduceOnly: o.action === "sell",
    });
    journal.record({
      type: "order_placed",
      ticker: "KXT-9",
      clientOrderId: o.cid,
      orderId: o.orderId,
      status: "resting",
      filledCount: 0 as Centis,
      restingCount: 1000 as Centis,
      averagePrice: null,
      fees: 0 as Micros,
    });
  }
  await endJournalLogger(logger);
}
