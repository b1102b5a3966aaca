/**
 * Every PlaceOutcome branch from the real executor, rendered as the Confirm card ends: what the user
 * reads after tapping Confirm, and whether the outbox keeps following the order up (outcomeUnknown).
 */
import { describe, expect, it } from "vitest";
import { contracts } from "../../src/domain/money.js";
import { KalshiApiError, KalshiNetworkError, describeExchangeError } from "../../src/exchange/errors.js";
import type { ExchangePort } from "../../src/exchange/port.js";
import { type Describers, outcomeCard, requoteSentence } from "../../src/bot/placeOutcome.js";
import { createOrderExecutor } from "../../src/trading/executor.js";
import { type PlaceOutcome, type Quote, UserError } from "../../src/trading/types.js";
import { SimExchange } from "../support/simExchange.js";
import { T0, fakeClock, idSeq, intent, memoryJournal, usd, EXECUTOR_CONFIG } from "../trading/helpers.js";

const TICKER = "KXHIGHNY-26NOV25-B45";

/** As the bot's kit.describe and deps.describeError (app.ts) word failures. */
const say: Describers = {
  refusal: (e) => (e instanceof UserError ? e.message : describeExchangeError(e, "sim")),
  unknown: (e) => describeExchangeError(e, "sim"),
};

function setup(wrap?: (fx: SimExchange) => ExchangePort, position?: number) {
  const clock = fakeClock();
  const fx = new SimExchange({ now: clock.now });
  fx.addMarket({
    ticker: TICKER,
    title: "Highest temperature in NYC on Nov 25?",
    closeTime: T0 + 86_400_000,
  });
  // YES ask 0.60, NO ask 0.45.
  fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.40", 100]] });
  if (position !== undefined) fx.setPosition(TICKER, position);
  const journal = memoryJournal();
  const exec = createOrderExecutor({
    exchange: wrap ? wrap(fx) : fx,
    journal,
    config: EXECUTOR_CONFIG,
    now: clock.now,
    newId: idSeq(),
  });
  return { fx, exec, clock, journal };
}

/** The card text as the phone shows it (tags dropped, entities decoded). */
function shown(q: Quote, out: PlaceOutcome) {
  if (out.kind === "requote") return { text: requoteSentence(out.reason), outcomeUnknown: false };
  const card = outcomeCard(q, out, say);
  const text = card.html
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
  return { text, orderId: card.orderId, outcomeUnknown: card.outcomeUnknown };
}

/** Creates sent through losesAnswer ports. */
let sent = 0;

/** A port whose create reaches the exchange (or not) and then loses the answer. */
const losesAnswer =
  (opts: { created: boolean; readsFail?: boolean }) =>
  (fx: SimExchange): ExchangePort =>
    Object.assign(Object.create(fx) as SimExchange, {
      async createOrder(req: Parameters<SimExchange["createOrder"]>[0]) {
        sent++;
        if (opts.created) await fx.createOrder(req);
        throw new KalshiNetworkError("timeout", "POST", "/portfolio/events/orders", "ETIMEDOUT", true);
      },
      async getOrders(f: Parameters<SimExchange["getOrders"]>[0]) {
        if (opts.readsFail)
          throw new KalshiNetworkError("network", "GET", "/portfolio/orders", "ECONNRESET", false);
        return fx.getOrders(f);
      },
    });

describe("what the Confirm card ends with", () => {
  it("placed: the result with the order id; nothing left open", async () => {
    const { exec, fx } = setup();
    const q = await exec.quote(intent({ outcome: "no", count: contracts(5), limit: "0.42" }));
    const out = await exec.place(q);
    const s = shown(q, out);
    expect(out.kind).toBe("placed");
    expect(s.text).toContain("Order placed, nothing filled yet");
    expect(s.text).toContain("Resting: 5 contracts at $0.42");
    expect(s.text).toContain(`Order id: ${fx.orders[0]!.orderId}`);
    expect(s).toMatchObject({ orderId: fx.orders[0]!.orderId, outcomeUnknown: false });
  });

  it("rejected by Kalshi: its reason, and that nothing was placed", async () => {
    const { exec, fx } = setup();
    fx.failNext(
      "createOrder",
      new KalshiApiError(400, "insufficient_balance", "insufficient balance", null, false),
    );
    const q = await exec.quote(intent({ limit: "0.50" }));
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "rejected", code: "insufficient_balance" });
    expect(shown(q, out)).toEqual({
      text: "Your Kalshi balance is too low for this order, so nothing was placed.",
      outcomeUnknown: false,
    });
    expect(fx.orders).toHaveLength(0);
  });

  it("rejected by the executor's own check: the sentence, without a second 'nothing was placed'", async () => {
    const { exec, fx } = setup(undefined, 10);
    const q = await exec.quote(intent({ action: "sell", limit: "0.62" }));
    await fx.closePosition(TICKER); // sold elsewhere after the quote
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "rejected", code: "nothing_to_sell" });
    expect(shown(q, out).text).toBe(
      `You no longer hold any YES contracts in ${TICKER}, so nothing was placed.`,
    );
    expect(fx.createRequests).toHaveLength(0);
  });

  it("rejected before sending (the price re-check could not read the book): nothing was placed", async () => {
    const { exec, fx } = setup();
    const q = await exec.quote(intent());
    fx.failNext(
      "getOrderbook",
      new KalshiNetworkError("timeout", "GET", "/markets/x/orderbook", null, false),
    );
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "rejected", code: "not_sent" });
    expect(shown(q, out).text).toBe(
      "Kalshi did not answer in time, and nothing was changed; try again in a moment.",
    );
    expect(fx.createRequests).toHaveLength(0);
  });

  it("a repeat of a quote whose outcome is open, failing before its create: still open, never 'nothing was placed'", async () => {
    const { exec, fx } = setup(losesAnswer({ created: true }));
    const q = await exec.quote(intent({ count: contracts(4) })); // market buy: IOC, fills
    expect(await exec.place(q)).toMatchObject({ kind: "unknown", checked: true });
    fx.failNext(
      "getOrderbook",
      new KalshiNetworkError("timeout", "GET", "/markets/x/orderbook", null, false),
    );
    const again = await exec.place(q);
    expect(again).toMatchObject({ kind: "unknown", checked: false });
    expect(shown(q, again).text).toBe(
      "I couldn't confirm whether the order was placed. I couldn't check your orders just now. Check /portfolio and /orders in a minute before placing it again.",
    );
    expect(fx.orders).toHaveLength(1);
  });

  it("unknown, not resting: the cause, that it was checked, and what to look at before placing again", async () => {
    sent = 0;
    const { exec, fx, journal } = setup(losesAnswer({ created: false }));
    const q = await exec.quote(intent({ limit: "0.50" }));
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "unknown", checked: true });
    const s = shown(q, out);
    expect(s.text).toBe(
      "Kalshi did not answer in time; it is not known whether Kalshi acted on it. I checked: it is not among your resting orders right now, but it may have filled or may still show up. Check /portfolio and /orders in a minute before placing it again.",
    );
    expect(s.outcomeUnknown).toBe(true);
    expect(sent).toBe(1); // never re-sent
    expect(fx.orders).toHaveLength(0);
    expect(journal.events.map((e) => e.type)).toEqual(["order_submitted", "order_unknown"]);
  });

  it("unknown, and the orders could not be read: says so", async () => {
    const { exec } = setup(losesAnswer({ created: true, readsFail: true }));
    const q = await exec.quote(intent({ limit: "0.50" }));
    const out = await exec.place(q);
    expect(out).toMatchObject({ kind: "unknown", checked: false });
    const s = shown(q, out);
    expect(s.text).toContain("Kalshi did not answer in time; it is not known whether Kalshi acted on it.");
    expect(s.text).toContain("I couldn't check your orders just now.");
    expect(s.outcomeUnknown).toBe(true);
  });

  it("unknown, found resting: Kalshi did take it, with its id; nothing left open", async () => {
    const { exec, fx } = setup(losesAnswer({ created: true }));
    const q = await exec.quote(intent({ outcome: "no", count: contracts(5), limit: "0.42" }));
    const out = await exec.place(q);
    expect(out).toMatchObject({
      kind: "unknown",
      checked: true,
      resting: { orderId: fx.orders[0]!.orderId },
    });
    expect(shown(q, out)).toEqual({
      text: `Kalshi did take the order: ${fx.orders[0]!.orderId} is resting with 5 of 5 contracts left. /orders shows it.`,
      outcomeUnknown: false,
    });
    expect(fx.orders).toHaveLength(1);
  });

  it("requote: an expired quote and a moved price each say nothing was placed, with a fresh quote", async () => {
    const { exec, fx, clock } = setup();
    const q = await exec.quote(intent());
    clock.advance(30_001);
    const expired = await exec.place(q);
    expect(expired).toMatchObject({ kind: "requote", reason: "expired" });
    expect(shown(q, expired).text).toBe("This quote expired; nothing was placed. Here is a fresh one.");
    const q2 = await exec.quote(intent());
    fx.setBook(TICKER, { yes: [["0.55", 100]], no: [["0.30", 100]] }); // YES ask 0.70 > worst 0.62
    const moved = await exec.place(q2);
    expect(moved).toMatchObject({ kind: "requote", reason: "price_moved", quote: { price: usd("0.72") } });
    expect(shown(q2, moved).text).toBe("The price moved; nothing was placed. Here is a fresh quote.");
    expect(fx.createRequests).toHaveLength(0);
  });
});
