/**
 * Once an order is placed or canceled the user must learn it, even when Telegram refuses to edit the
 * card: "nothing was changed" after a real change makes people buy twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";
import { UserError } from "../../src/trading/types.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Telegram answers 500 at once (no auto-retry waits), so a failing edit fails the handler's step. */
const noRetry = { deps: { autoRetry: { rethrowInternalServerErrors: true, maxRetryAttempts: 0 } } };

describe("placing an order, then the card edit fails", () => {
  it("a failed edit is retried: the card itself ends up showing the result, nothing claims that nothing changed", async () => {
    h = await makeHarness(noRetry);
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    expect(card.text).toContain("Please confirm");
    h.api.failNext("editMessageText", 2, { code: 500 });
    await h.tap("Confirm");
    await h.delivered();

    expect(h.world.createdOrders).toHaveLength(1);
    const last = h.last();
    expect(last.messageId).toBe(card.messageId);
    expect(last.text).toContain("Bought 10 contracts YES");
    expect(last.text).toContain(`Order id: ${h.orderId(1)}`);
    expect(last.replyMarkup?.inline_keyboard.flat() ?? []).toEqual([]);
    expect(h.botTexts().join("\n")).not.toMatch(/nothing was (changed|placed)|please confirm/i);
    // Two refusals, two waits (backoff), then the edit went through.
    expect(h.waits).toHaveLength(2);
  });

  it("the card is gone (deleted): the result goes out as a new message, retried until Telegram takes it", async () => {
    h = await makeHarness(noRetry);
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const confirm = h.api.findButton(USER, "Confirm")!;
    await h.bot.api.deleteMessage(USER, card.messageId);
    h.api.failNext("sendMessage", 1, { code: 500 });
    await h.api.tap(USER, USER, confirm.messageId, confirm.data);
    await h.delivered();

    expect(h.world.createdOrders).toHaveLength(1);
    const last = h.last();
    expect(last.messageId).not.toBe(card.messageId);
    expect(last.text).toContain("Bought 10 contracts YES");
    expect(last.text).toContain(`Order id: ${h.orderId(1)}`);
    expect(last.text).not.toContain("nothing");
    expect(h.waits).toHaveLength(1);
  });

  it("a refused order's reason also reaches the user when the card edit fails at first", async () => {
    h = await makeHarness(noRetry);
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    h.world.placeError = new UserError("Your balance is too low for this order.");
    h.api.failNext("editMessageText", 1, { code: 500 });
    await h.tap("Confirm");
    await h.delivered();
    expect(h.world.createdOrders).toHaveLength(0);
    expect(h.last().text).toContain("Your balance is too low for this order. Nothing was placed.");
  });

  it("a failure before the order is sent says nothing was placed", async () => {
    h = await makeHarness(noRetry);
    await h.say(`/buy ${TICKER} yes 10`);
    expect(h.last().text).toContain("Market order or limit order?");
    // The prompt's edit fails (cosmetic: the flow goes on), then the quote card cannot be sent: the
    // conversation gives up before any order.
    h.api.failNext("editMessageText", 1, { code: 500 });
    h.api.failNext("sendMessage", 1, { code: 500 });
    await h.tap("Market");
    expect(h.world.callsTo("executor", "quote")).toHaveLength(1);
    expect(h.world.createdOrders).toHaveLength(0);
    expect(h.last().text).toBe("🧪 SIM\nSomething went wrong; nothing was placed.");
  });
});

describe("canceling from /orders, then the list edit fails", () => {
  it("the cancel result is sent as a new message; the old list's buttons are used up", async () => {
    h = await makeHarness(noRetry);
    await h.say(`/buy ${TICKER} yes 5 @0.40`);
    await h.tap("Confirm");
    await h.say("/orders");
    const list = h.last();
    h.api.failNext("editMessageText", 1, { code: 500 });
    await h.tap(/^Cancel 1/);

    expect(h.world.callsTo("executor", "cancel")).toHaveLength(1);
    expect(h.world.createdOrders.filter((o) => o.status === "resting")).toHaveLength(0);
    const last = h.last();
    expect(last.messageId).not.toBe(list.messageId);
    expect(last.text).toContain(`Canceled order ${h.world.createdOrders[0]!.orderId}`);
    expect(last.text).toContain("No resting orders.");
    expect(h.botTexts().join("\n")).not.toMatch(/nothing was changed|went wrong/i);

    // The old list still shows its button (the edit failed) but it cancels nothing twice.
    const old = h.api.findButton(USER, /^Cancel 1/)!;
    expect(old.messageId).toBe(list.messageId);
    await h.api.tap(USER, USER, old.messageId, old.data);
    expect(h.world.callsTo("executor", "cancel")).toHaveLength(1);
  });
});
