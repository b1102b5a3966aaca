/** Buttons tapped outside the private chat are answered (no spinning button) and do nothing. */
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness, STRANGER, TICKER, USER } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A resting order and the /orders list, so there is a genuine Cancel button to tap. */
async function ordersList(hh: Harness) {
  await hh.say(`/buy ${TICKER} yes 5 @0.40`);
  await hh.tap("Confirm");
  await hh.say("/orders");
  return hh.api.findButton(USER, "Cancel 1")!;
}

describe("taps outside the private chat", () => {
  it("the allowed user tapping in a group is answered (no spinning button, no text) and nothing is done", async () => {
    h = await makeHarness();
    const b = await ordersList(h);
    const before = h.world.calls.length;
    const u = await h.api.tap(USER, -500, b.messageId, b.data, { chatType: "group" });
    const a = h.api.callbackAnswers.get(u.callback_query!.id);
    expect(a).toBeDefined();
    expect(a?.text).toBeUndefined();
    expect(h.world.calls.length).toBe(before);
    expect(h.api.botMessages(-500)).toHaveLength(0);
  });

  it("a tap on an inline message (no chat) is answered and does nothing", async () => {
    h = await makeHarness();
    const b = await ordersList(h);
    const before = h.world.calls.length;
    const update = {
      update_id: 9_000,
      callback_query: {
        id: "0",
        from: { id: USER, is_bot: false, first_name: "Owner" },
        chat_instance: "inline",
        inline_message_id: "inl-1",
        data: b.data,
      },
    } as Update;
    await h.bot.handleUpdate(update);
    expect(h.api.callbackAnswers.has("0")).toBe(true);
    expect(h.api.callbackAnswers.get("0")?.text).toBeUndefined();
    expect(h.world.calls.length).toBe(before);
  });

  it("a stranger's tap in a group is answered without any text", async () => {
    h = await makeHarness();
    const b = await ordersList(h);
    const u = await h.api.tap(STRANGER, -500, b.messageId, b.data, { chatType: "group" });
    const a = h.api.callbackAnswers.get(u.callback_query!.id);
    expect(a).toBeDefined();
    expect(a?.text).toBeUndefined();
    expect(h.world.callsTo("executor", "cancel")).toHaveLength(0);
  });

  it("a private chat that is not the user's own chat is refused (chat id must be the user id)", async () => {
    h = await makeHarness();
    await h.api.sendText(USER, 777, "/balance");
    expect(h.world.calls).toHaveLength(0);
    expect(h.api.botMessages(777)).toHaveLength(0);
    expect(h.logs.some((l) => l.message === "access denied" && l.userId === USER)).toBe(true);
  });
});
