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
