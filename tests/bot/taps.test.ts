import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";
import { GENERIC_FAILURE } from "../../src/bot/ui.js";
import { KalshiApiError } from "../../src/exchange/errors.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const EXPIRED = "This button has expired.";
const QUOTE_EXPIRED = "This quote has expired or was already answered; this tap placed nothing.";

describe("stale buttons", () => {
  it("a stale button on a message with buttons clears them; on a message without, nothing is edited", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const data = h.api.findButton(USER, "Confirm")!.data;
    // The bot restarted: the card still draws Confirm, but no conversation waits for it (/cancel
    // would have taken the buttons away itself).
    h.restartBot();

    // First stale tap: the card still shows its keyboard, so it is removed.
    const first = await h.api.tap(USER, USER, card.messageId, data);
    // A Confirm says that it placed nothing.
    expect(h.api.callbackAnswers.get(first.callback_query!.id)?.text).toBe(QUOTE_EXPIRED);
    expect(h.api.callsOf("editMessageReplyMarkup")).toHaveLength(1);
    expect(h.api.messages(USER).find((m) => m.messageId === card.messageId)!.replyMarkup).toBeUndefined();

    // Second tap (an old client still drawing the button): answered, but no edit Telegram would refuse.
    const since = h.api.calls.length;
    const second = await h.api.tap(USER, USER, card.messageId, data);
    expect(h.api.callbackAnswers.get(second.callback_query!.id)?.text).toBe(EXPIRED);
    const after = h.api.calls.slice(since);
    expect(after.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(after.every((c) => c.ok)).toBe(true);
  });

  it("forged data on a keyboard-less message is answered 'expired' without a refused edit", async () => {
    h = await makeHarness();
    await h.say("/help");
    const msg = h.last();
    const since = h.api.calls.length;
    const u = await h.api.tap(USER, USER, msg.messageId, "oca.AAAAAAAA");
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.api.calls.slice(since).filter((c) => !c.ok)).toEqual([]);
    expect(h.api.callsOf("editMessageReplyMarkup")).toHaveLength(0);
  });
});

describe("a tap shows what it did", () => {
  const textOf = (id: number) => h.api.messages(USER).find((m) => m.messageId === id)!.text;

  it("/alerts buttons record the choice, also when it was already the mode", async () => {
    h = await makeHarness();
    await h.say("/alerts");
    const msg = h.last();
    await h.tap("silent");
    expect(await h.alerts.get(USER)).toBe("silent");
    expect(textOf(msg.messageId)).toContain("Fill alerts are silent.");
    expect(textOf(msg.messageId)).toContain("You chose silent (was on).");
    expect(h.buttons()).toEqual(["on", "• silent", "off"]);
    await h.tap("• silent");
    expect(textOf(msg.messageId)).toContain("You chose silent; it already was.");
    expect(h.botTexts()).toHaveLength(1);
  });

  async function twoResting() {
    for (const p of ["0.40", "0.41"]) {
      await h.say(`/buy ${TICKER} yes 2 @${p}`);
      await h.tap("Confirm");
    }
    await h.say("/orders");
    await h.tap("Cancel all");
  }

  it("Cancel all → Yes shows the choice and the result; a second tap of Yes cancels nothing", async () => {
    h = await makeHarness();
    await twoResting();
    const question = h.last();
    const yes = h.api.findButton(USER, "Yes, cancel all")!;
    // The button that cancels everything is red; "No" stays plain.
    const styles = (question.replyMarkup?.inline_keyboard ?? []).flat().map((b) => [b.text, b.style]);
    expect(styles).toEqual([
      ["Yes, cancel all", "danger"],
      ["No", undefined],
    ]);
    await h.tap("Yes, cancel all");
    expect(textOf(question.messageId)).toContain("Cancel all resting orders? Yes\nCanceled 2 orders.");
    expect(h.api.messages(USER).find((m) => m.messageId === question.messageId)!.replyMarkup).toBeUndefined();

    // A double tap (the second update carries the same data): answered as expired, nothing runs again.
    const u = await h.api.tap(USER, USER, yes.messageId, yes.data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.world.callsTo("executor", "cancelAll")).toHaveLength(1);
    expect(textOf(question.messageId)).toContain("Canceled 2 orders.");
  });

  it("Cancel all → No says so and keeps the list; that question's Yes has expired", async () => {
    h = await makeHarness();
    await twoResting();
    const yes = h.api.findButton(USER, "Yes, cancel all")!;
    await h.tap("No");
    expect(h.last().text).toContain("Cancel all: No. Nothing was canceled.");
    expect(h.last().text).toContain("Resting orders (2)");
    const u = await h.api.tap(USER, USER, yes.messageId, yes.data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.world.callsTo("executor", "cancelAll")).toHaveLength(0);
  });

  it("when Cancel all fails, the question says so and the reason follows", async () => {
    h = await makeHarness();
    await twoResting();
    const question = h.last();
    h.world.failing.set("executor.cancelAll", new Error("socket hang up"));
    await h.tap("Yes, cancel all");
    expect(textOf(question.messageId)).toContain("I could not confirm that they were canceled. Send /orders");
    // The cancel may have reached the exchange: never claim that nothing changed.
    expect(h.last().text).toContain(GENERIC_FAILURE);
    expect(h.last().text).not.toContain("nothing was changed");
  });
});

describe("trade prompts record the tapped choice", () => {
  const msg = (id: number) => h.api.messages(USER).find((m) => m.messageId === id)!;

  /** Taps `label` on the newest message that has it; returns that message's id after checking it got one edit. */
  async function tapAndCheck(label: string | RegExp): Promise<number> {
    const found = h.api.findButton(USER, label)!;
    const since = h.api.calls.length;
    await h.tap(label);
    const edits = h.api.calls
      .slice(since)
      .filter((c) => c.method.startsWith("edit") && c.params.message_id === found.messageId);
    expect(edits.map((c) => c.method)).toEqual(["editMessageText"]);
    const m = msg(found.messageId);
    expect(m.replyMarkup).toBeUndefined();
    expect(m.text.startsWith("🧪 SIM\n")).toBe(true);
    return found.messageId;
  }

  it("/buy step by step: market, side, count and order kind each show the answer", async () => {
    h = await makeHarness();
    await h.say("/buy");
    await h.say("temperature nyc");
    const list = await tapAndCheck(/^1\./);
    expect(msg(list).text).toContain(`Markets matching “temperature nyc”:`);
    expect(msg(list).text).toContain(`Which market? → ${TICKER} (Highest temperature in NYC on Nov 25)`);
    expect(msg(list).text).not.toContain("Tap one");

    const side = await tapAndCheck("NO");
    expect(msg(side).text).toContain("Highest temperature in NYC on Nov 25");
    expect(msg(side).text).toContain("Buy YES or NO? → NO");

    // Issue 13: the tapped count buys at market, and its prompt says so.
    const count = await tapAndCheck("10");
    expect(msg(count).text).toBe("🧪 SIM\nHow many NO contracts? → 10 at market");
    expect(h.last().text).toContain("Buy 10 contracts NO at market");
    // Back on the quote asks the count again; a typed count leaves the order kind open.
    await h.tap("Back");
    await h.say("10");
    const kind = await tapAndCheck("Market");
    expect(msg(kind).text).toBe("🧪 SIM\nMarket order or limit order? → Market");
    expect(h.last().text).toContain("Buy 10 contracts NO at market");
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    // Back's and Confirm's removals, then the filled result card gets its Again button (issue 13).
    expect(h.api.callsOf("editMessageReplyMarkup").filter((c) => c.ok)).toHaveLength(3);
  });

  it("a tap on an older search list is expired and picks nothing from the newer list", async () => {
    h = await makeHarness();
    await h.say("/buy");
    await h.say("temperature nyc");
    const old = h.api.findButton(USER, /^1\./)!;
    await h.say("rain seattle");
    const u = await h.api.tap(USER, USER, old.messageId, old.data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.world.callsTo("markets", "info")).toHaveLength(0);
    await tapAndCheck(/^1\./);
    expect(h.world.callsTo("markets", "info")[0]!.args).toEqual(["KXRAIN-26NOV25"]);
  });

  it("/sell: the position prompt shows the position tapped", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    await h.tap("Confirm");
    await h.say("/sell");
    const id = await tapAndCheck(/YES ×10/);
    // The position's button names the strike first (issue 16), and the answer repeats the button.
    expect(msg(id).text).toBe(
      `🧪 SIM\nWhich position do you want to sell? → 45° to 46° · YES ×10 · Highest…`,
    );
  });

  it("Buy YES on a market card keeps the card, formatting and tag, and appends the choice", async () => {
    h = await makeHarness({ env: "LIVE" });
    await h.say(`/market ${TICKER}`);
    const card = h.last();
    const { raw: before, text } = card; // the stored message object is updated by edits
    expect(before).toContain(`<code>${TICKER}</code>`);
    await h.tap("Buy NO");
    const after = msg(card.messageId);
    expect(after.text).toBe(`${text}\n→ Buy NO`);
    expect(after.raw).toBe(`${before}\n→ Buy NO`); // bold title, code ticker and the tag survive
    expect(after.replyMarkup).toBeUndefined();
    expect(h.api.callsOf("editMessageReplyMarkup")).toHaveLength(0);
    expect(h.last().text).toContain("How many NO contracts?");
  });
});

describe("Cancel n on /orders", () => {
  async function twoOrders() {
    for (const p of ["0.40", "0.41"]) {
      await h.say(`/buy ${TICKER} yes 2 @${p}`);
      await h.tap("Confirm");
    }
    await h.say("/orders");
    return h.last();
  }

  it("a double tap cancels once; the second is expired and the fresh list keeps its buttons", async () => {
    h = await makeHarness();
    const list = await twoOrders();
    const first = h.api.findButton(USER, "Cancel 1")!;
    await h.tap("Cancel 1");
    const fresh = h.api.messages(USER).find((m) => m.messageId === list.messageId)!;
    // Listed newest first: Cancel 1 is the second order placed.
    expect(fresh.text).toContain(`Canceled order ${h.orderId(2)}`);
    expect(fresh.text).toContain("Resting orders (1)");

    const u = await h.api.tap(USER, USER, first.messageId, first.data);
    expect(h.api.callbackAnswers.get(u.callback_query!.id)?.text).toBe(EXPIRED);
    expect(h.world.callsTo("executor", "cancel")).toHaveLength(1);
    expect(h.botTexts().join("\n")).not.toContain("There is no resting order");
    expect(h.buttons().filter((b) => b.startsWith("Cancel"))).toEqual([`Cancel 1: ${TICKER}`, "Cancel all"]);

    // The fresh list's own button works.
    await h.tap("Cancel 1");
    expect(h.world.callsTo("executor", "cancel").map((c) => c.args[0])).toEqual([h.orderId(2), h.orderId(1)]);
    expect(h.last().text).toContain("No resting orders.");
  });

  it("a Cancel tap after the list renumbered cancels the order it showed, never another one", async () => {
    h = await makeHarness();
    const list = await twoOrders();
    const old = h.api.findButton(USER, "Cancel 1")!;
    // Listed newest first: "Cancel 1" is order 2. It fills elsewhere; a fresh list would now show
    // order 1 as number 1, but the old button names order 2.
    h.clock.t = Date.UTC(2026, 10, 24, 19, 2); // 14:02 in New York
    h.world.exchange.fillResting(h.orderId(2));
    await h.api.tap(USER, USER, old.messageId, old.data);
    const m = h.api.messages(USER).find((x) => x.messageId === list.messageId)!;
    expect(m.text).toContain(
      "That order already filled at Nov 24, 14:02 EST; there was nothing left to cancel.",
    );
    expect(m.text).toContain("Resting orders (1)");
    expect(h.world.callsTo("executor", "cancel").map((c) => c.args[0])).toEqual([h.orderId(2)]);
    expect((await h.world.services.executor.openOrders()).map((o) => o.orderId)).toEqual([h.orderId(1)]);
  });

  it("a Cancel tap on an order canceled elsewhere says it was already canceled, and when", async () => {
    h = await makeHarness();
    const list = await twoOrders();
    const old = h.api.findButton(USER, "Cancel 2")!; // order 1
    h.clock.t = Date.UTC(2026, 10, 24, 19, 2); // 14:02 in New York
    await h.world.exchange.cancelOrder(h.orderId(1), TICKER); // on the website
    h.clock.t += 60_000;
    await h.api.tap(USER, USER, old.messageId, old.data);
    const m = h.api.messages(USER).find((x) => x.messageId === list.messageId)!;
    expect(m.text).toContain("That order was already canceled at Nov 24, 14:02 EST.");
    expect(m.text).toContain("Resting orders (1)");
    expect(m.text).not.toContain("could not confirm");
    expect((await h.world.services.executor.openOrders()).map((o) => o.orderId)).toEqual([h.orderId(2)]);
  });

  it("when Kalshi's cancel answers 500, the list says the cancel is unconfirmed and the reason follows", async () => {
    h = await makeHarness();
    const list = await twoOrders();
    h.world.exchange.failNext(
      "cancelOrder",
      KalshiApiError.fromResponse(500, { error: { code: "internal_server_error" } }, "DELETE", "/x"),
    );
    await h.tap("Cancel 2");
    const m = h.api.messages(USER).find((x) => x.messageId === list.messageId)!;
    expect(m.text).toContain(`I could not confirm that order ${h.orderId(1)} was canceled.`);
    expect(m.text).not.toContain("already");
    expect(h.last().text).toContain(GENERIC_FAILURE);
    expect((await h.world.services.executor.openOrders()).map((o) => o.orderId)).toHaveLength(2);
  });

  it("when the cancel fails, the list is refreshed with a note and the reason follows", async () => {
    h = await makeHarness();
    const list = await twoOrders();
    h.world.failing.set("executor.cancel", new Error("socket hang up"));
    await h.tap("Cancel 2");
    const m = h.api.messages(USER).find((x) => x.messageId === list.messageId)!;
    expect(m.text).toContain(`I could not confirm that order ${h.orderId(1)} was canceled.`);
    expect(m.text).toContain("Resting orders (2)");
    // The cancel may have reached the exchange: never claim that nothing changed.
    expect(h.last().text).toContain(GENERIC_FAILURE);
    expect(h.last().text).not.toContain("nothing was changed");
    h.world.failing.delete("executor.cancel");
    await h.tap("Cancel 2");
    expect(h.world.callsTo("executor", "cancel")).toHaveLength(2);
  });
});

describe("Confirm sends the order first", () => {
  it("the order is on its way before the tap is answered and the card's buttons go (they ride beside the POST)", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const confirm = h.api.findButton(USER, "Confirm")!;
    const fx = h.world.exchange;
    const create = fx.createOrder.bind(fx);
    let callsAtPost = -1;
    fx.createOrder = (req) => {
      callsAtPost = h.api.calls.length;
      return create(req);
    };
    const since = h.api.calls.length;
    const tap = await h.api.tap(USER, USER, confirm.messageId, confirm.data);
    expect(callsAtPost).toBeGreaterThanOrEqual(since);
    const before = h.api.calls.slice(since, callsAtPost).map((c) => c.method);
    expect(before).not.toContain("answerCallbackQuery");
    expect(before).not.toContain("editMessageReplyMarkup");
    // Still answered (no spinner left turning) and still brought to its result.
    expect(h.api.callbackAnswers.has(tap.callback_query!.id)).toBe(true);
    expect(h.world.createdOrders).toHaveLength(1);
    const card = h.api.messages(USER).find((m) => m.messageId === confirm.messageId)!;
    expect(card.text).toMatch(/Order id/);
    // Confirm, Back and Cancel are gone; the filled result offers Again (issue 13).
    expect((card.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text)).toEqual(["🔁 Again"]);
  });
});
