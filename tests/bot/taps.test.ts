import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const EXPIRED = "This button has expired.";

describe("stale buttons", () => {
  it("a stale button on a message with buttons clears them; on a message without, nothing is edited", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 10 @0.60`);
    const card = h.last();
    const data = h.api.findButton(USER, "Confirm")!.data;
    await h.say("/cancel");

    // First stale tap: the card still shows its keyboard, so it is removed.
    const first = await h.api.tap(USER, USER, card.messageId, data);
    expect(h.api.callbackAnswers.get(first.callback_query!.id)?.text).toBe(EXPIRED);
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
    expect(h.last().text).toContain("Something went wrong; nothing was changed.");
  });
});
