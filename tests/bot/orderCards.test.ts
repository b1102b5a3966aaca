/**
 * /orders as order cards (issue 13 item 2): each resting order's side, price, filled/total, queue
 * position and age, with its buttons on the page that shows it; pages under 4096 characters; stale
 * and forged taps. The bot runs on the real services over the exchange double (tests/bot/world.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Buttons } from "../../src/bot/buttons.js";
import { TELEGRAM_TEXT_LIMIT } from "../../src/bot/format.js";
import { parseOrderChange } from "../../src/bot/orderButtons.js";
import { KalshiApiError } from "../../src/exchange/errors.js";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";
import { c, usd } from "./world.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const EXPIRED = "This button has expired.";
/** The harness signs buttons with this secret. */
const signed = new Buttons("test-secret");

/** A resting YES bid placed on the website (the bot knows no intent for it). */
async function restingBid(price: string, count = 2, ticker = TICKER): Promise<string> {
  const r = await h.world.exchange.createOrder({
    ticker,
    side: "bid",
    count: c(count),
    price: usd(price),
    timeInForce: "good_till_canceled",
    clientOrderId: `web-${h.world.exchange.orders.length + 1}`,
  });
  return r.orderId;
}

const messageText = (id: number) => h.api.messages(USER).find((m) => m.messageId === id)!.text;

describe("order cards", () => {
  it("show side and price, filled/total, queue position and age, with one request for the queue", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 5 @0.55`); // joins the 10,000 resting at the best bid
    await h.tap("Confirm");
    await h.say(`/buy ${TICKER} yes 3 @0.55`); // behind those and the first order
    await h.tap("Confirm");
    // Someone sells 10,002 at $0.55: the 10,000 ahead and 2 of the first order fill.
    h.world.exchange.fillResting(h.orderId(1), c(2));
    h.clock.t += 2 * 3_600_000 + 5 * 60_000;
    h.world.exchange.resetCalls();
    await h.say("/orders");
    const text = h.last().text;
    expect(text).toContain("Resting orders (2)");
    // Newest first, as Kalshi lists them.
    expect(text).toContain(`1. Buy 3 YES @ $0.55 ${TICKER}\n  filled 0/3 · 3 of 3 left · 3 ahead in queue`);
    expect(text).toContain(`2. Buy 5 YES @ $0.55 ${TICKER}\n  filled 2/5 · 3 of 5 left · first in queue`);
    expect(text).toContain("placed Nov 24, 10:00 EST (2 h 5 min ago)");
    expect(text).toContain(`id ${h.orderId(1)}`);
    expect(h.world.exchange.calls).toMatchObject({ getOrders: 1, getQueuePositions: 1 });
    expect(h.world.exchange.requests).toBe(2);
  });

  it("each card's buttons carry that order: the change payloads name it, Copy id copies it", async () => {
    h = await makeHarness();
    const a = await restingBid("0.40");
    const b = await restingBid("0.41");
    await h.say("/orders");
    const kb = h.last().replyMarkup!.inline_keyboard;
    // Card 1 is the newest (b), card 2 is a.
    for (const [row, id] of [
      [0, b],
      [2, a],
    ] as const) {
      const changes = kb[row]!.map((x) =>
        parseOrderChange(signed.verify((x as { callback_data: string }).callback_data)!),
      );
      expect(changes).toEqual(
        (["down", "up", "price", "reduce"] as const).map((change) => ({ change, orderRef: id })),
      );
      expect(kb[row + 1]![1]).toMatchObject({ copy_text: { text: id } });
    }
  });

  it("a failed queue read still lists the orders and says the queue is unknown", async () => {
    h = await makeHarness();
    await restingBid("0.40");
    h.world.exchange.failNext(
      "getQueuePositions",
      KalshiApiError.fromResponse(500, { error: { code: "internal", message: "boom" } }, "GET", "/x"),
    );
    await h.say("/orders");
    expect(h.last().text).toContain("Resting orders (1)");
    expect(h.last().text).toContain("queue –");
    expect(h.last().text).toContain("Queue positions could not be read just now.");
    expect(h.buttons()).toContain("Cancel all");
  });
});

describe("Cancel all", () => {
  it("names what it canceled and an order resting after it; PIN-free here, one cancel-all request", async () => {
    h = await makeHarness();
    await restingBid("0.40");
    await restingBid("0.41");
    await h.say("/orders");
    await h.tap("Cancel all");
    const question = h.last();
    const fx = h.world.exchange;
    const cancelAll = fx.cancelAllOrders.bind(fx);
    fx.cancelAllOrders = async () => {
      await cancelAll();
      await restingBid("0.39"); // placed on the website right after
    };
    await h.tap("Yes, cancel all");
    const text = messageText(question.messageId);
    expect(text).toContain("Canceled 2 orders.");
    expect(text).toContain(`Buy YES @ $0.41 = Sell NO @ $0.59 ${TICKER} · 2 of 2 were resting`);
    expect(text).toContain("1 order is resting now (placed since, or not canceled); Kalshi may still cancel");
    expect(text).toContain("Buy YES @ $0.39");
    expect(fx.calls.cancelAllOrders).toBe(1);
  });
});

describe("paging", () => {
  async function twelveOrders(): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await restingBid(`0.${10 + i}`));
    return ids.reverse(); // as listed: newest first
  }

  it("12 orders: pages of 5 under 4096 characters, each page with its own orders' buttons", async () => {
    h = await makeHarness();
    const ids = await twelveOrders();
    await h.say("/orders");
    const list = h.last();
    expect(list.text).toContain("Resting orders (12) · page 1 of 3");
    const cancels = () => h.buttons().filter((x) => /^Cancel \d/.test(x));
    expect(cancels()).toEqual([1, 2, 3, 4, 5].map((n) => `Cancel ${n}: ${TICKER}`));
    expect(h.buttons()).toContain("Page 2 ›");
    expect(h.buttons()).not.toContain("‹ Page 0");
    expect(list.text.length).toBeLessThan(TELEGRAM_TEXT_LIMIT);

    await h.tap("Page 2 ›");
    const p2 = h.api.messages(USER).find((m) => m.messageId === list.messageId)!;
    expect(p2.text).toContain("page 2 of 3");
    expect(p2.text).toContain(`6. Buy YES @ $0.16`);
    expect(p2.text).not.toContain("5. Buy");
    expect(cancels()).toEqual([6, 7, 8, 9, 10].map((n) => `Cancel ${n}: ${TICKER}`));
    expect(h.buttons()).toEqual(expect.arrayContaining(["‹ Page 1", "Page 3 ›", "Cancel all"]));

    // Cancel on page 2 cancels that order and shows page 2 of the fresh list.
    await h.tap("Cancel 7");
    expect(h.world.callsTo("executor", "cancel").map((x) => x.args[0])).toEqual([ids[6]]);
    const after = messageText(list.messageId);
    expect(after).toContain(`Canceled order ${ids[6]}`);
    expect(after).toContain("Resting orders (11) · page 2 of 3");

    await h.tap("Page 3 ›");
    expect(messageText(list.messageId)).toContain("page 3 of 3");
    expect(h.buttons().filter((x) => /^Cancel \d/.test(x))).toEqual([`Cancel 11: ${TICKER}`]);
    expect(h.buttons()).not.toContain("Page 4 ›");
  });

  it("100 orders with long tickers and ids: every page fits one message", async () => {
    h = await makeHarness();
    const long = "KXVERYLONGSERIESNAME-26NOV25-T123456.789-ANDMORE";
    h.world.addMarket({ ticker: long, title: "Long", yesBid: usd("0.55"), yesAsk: usd("0.56") });
    for (let i = 0; i < 100; i++) await restingBid(`0.${10 + (i % 40)}`, 1, long);
    await h.say("/orders");
    const list = h.last();
    let pages = 0;
    for (;;) {
      const m = h.api.messages(USER).find((x) => x.messageId === list.messageId)!;
      expect(m.text.length).toBeLessThan(TELEGRAM_TEXT_LIMIT);
      pages++;
      if (!h.buttons().some((x) => x.endsWith("›"))) break;
      await h.tap(/›$/);
    }
    expect(pages).toBe(20);
    expect(h.botTexts()).toHaveLength(1); // every page edited into the one message
  });
});

describe("stale and forged taps", () => {
  it("a Cancel on a list that is used up, or from before a restart, cancels nothing", async () => {
    h = await makeHarness();
    await restingBid("0.40");
    await restingBid("0.41");
    await h.say("/orders");
    const first = h.api.findButton(USER, "Cancel 2")!;
    await h.tap("Cancel 1");
    // The old version's Cancel 2 (same message, list used up): expired, the fresh buttons stay.
    const u = await h.api.tap(USER, USER, first.messageId, first.data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.buttons()).toContain("Cancel all");
    expect(h.world.callsTo("executor", "cancel")).toHaveLength(1);

    // After a restart the signature no longer verifies: expired, keyboard removed, no exchange call.
    await h.say("/orders");
    const old = h.api.findButton(USER, "Cancel 1")!;
    h.restartBot();
    const calls = { ...h.world.exchange.calls };
    const v = await h.api.tap(USER, USER, old.messageId, old.data);
    expect(h.api.callbackAnswers.get(v.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.world.exchange.calls).toEqual(calls);
    expect(h.api.messages(USER).find((m) => m.messageId === old.messageId)!.replyMarkup).toBeUndefined();
  });

  it("an outsider's taps, genuine or forged, call no exchange and change nothing", async () => {
    h = await makeHarness();
    for (let i = 0; i < 6; i++) await restingBid(`0.${20 + i}`);
    await h.say("/orders");
    const calls = { ...h.world.exchange.calls };
    const serviceCalls = h.world.calls.length;
    const list = h.last();
    for (const label of ["Cancel 1", "Page 2 ›", "Cancel all", "+1 tick", "New price"]) {
      const b = h.api.findButton(USER, label)!;
      await h.api.tap(STRANGER, STRANGER, b.messageId, b.data);
      await h.api.tap(STRANGER, USER, b.messageId, b.data);
    }
    for (const forged of [
      "oca.AAAAAAAA",
      "og:1.AAAAAAAA",
      "ocy:abc.AAAAAAAA",
      `omd:${h.world.exchange.orders[0]!.orderId}.AAAAAAAA`,
    ]) {
      await h.api.tap(STRANGER, STRANGER, list.messageId, forged);
      await h.api.tap(USER, USER, list.messageId, forged); // forged data from the user's own chat too
    }
    expect(h.world.exchange.calls).toEqual(calls);
    expect(h.world.calls.length).toBe(serviceCalls);
    expect(h.world.exchange.orders.every((o) => o.status === "resting")).toBe(true);
    expect(h.api.botMessages(STRANGER)).toHaveLength(0);
  });
});
