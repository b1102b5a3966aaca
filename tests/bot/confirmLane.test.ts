import { describe, expect, it } from "vitest";
import type { Context } from "grammy";
import { ConfirmLane, type ArmedCard, type LaneChecks } from "../../src/bot/conversations/confirmLane.js";
import { OpenPrompts } from "../../src/bot/conversations/openPrompts.js";

const CHAT = 7;
const MSG = 70;
const DATA = "t:n0nce:ok1.mac12345";

interface World {
  lane: ConfirmLane<string>;
  prompts: OpenPrompts;
  quoted: Set<string>;
  clock: { now: number };
  placed: string[];
  orphaned: string[];
  order: string[];
}

function world(opts: { pin?: boolean } = {}): World {
  const prompts = new OpenPrompts();
  const quoted = new Set(["q1"]);
  const clock = { now: 1_000 };
  const orphaned: string[] = [];
  const checks: LaneChecks = {
    prompts,
    quoted: (id) => quoted.has(id),
    now: () => clock.now,
    confirmTimeoutMs: 60_000,
    pinEnabled: opts.pin === true,
    onOrphan: () => undefined,
  };
  const w: World = {
    lane: new ConfirmLane<string>(checks),
    prompts,
    quoted,
    clock,
    placed: [],
    orphaned,
    order: [],
  };
  prompts.set({ chatId: CHAT, messageId: MSG, quoteId: "q1" });
  w.lane.arm(card(w));
  return w;
}

function card(w: World): ArmedCard<string> {
  return {
    chatId: CHAT,
    messageId: MSG,
    quoteId: "q1",
    data: DATA,
    shownAt: 1_000,
    place: () => {
      w.placed.push("q1");
      w.order.push("place");
      return Promise.resolve("placed q1");
    },
    orphaned: (r) => {
      w.orphaned.push(r);
      return Promise.resolve();
    },
  };
}

function tap(data = DATA, messageId = MSG, chatId = CHAT): Context {
  return {
    chat: { id: chatId, type: "private" },
    callbackQuery: { id: "cb", data, message: { message_id: messageId } },
  } as unknown as Context;
}

/** Runs the lane with a "conversation" that takes the lane's placement, as the Confirm step does. */
async function run(w: World, ctx: Context, take = true): Promise<string | undefined> {
  let got: string | undefined;
  await w.lane.middleware()(ctx, async () => {
    w.order.push("conversation");
    if (take) got = await w.lane.take("q1");
  });
  return got;
}

describe("the Confirm lane", () => {
  it("a tap on the live card's Confirm starts the order before the conversation runs, which takes that placement", async () => {
    const w = world();
    const got = await run(w, tap());
    expect(w.order).toEqual(["place", "conversation"]);
    expect(got).toBe("placed q1");
    expect(w.orphaned).toEqual([]);
  });

  it("is one-shot: a second tap of the same Confirm goes the long way and places nothing here", async () => {
    const w = world();
    await run(w, tap());
    const second = await run(w, tap());
    expect(w.placed).toEqual(["q1"]);
    expect(second).toBeUndefined();
  });

  it.each([
    ["other callback data (another button of the card)", (w: World) => run(w, tap("t:n0nce:x.mac12345"))],
    ["the same data on another message", (w: World) => run(w, tap(DATA, MSG + 1))],
    ["another chat", (w: World) => run(w, tap(DATA, MSG, CHAT + 1))],
    [
      "the card is no longer the chat's open prompt (/cancel, a new /buy, Back)",
      (w: World) => (w.prompts.clear(CHAT), run(w, tap())),
    ],
    [
      "another card is the open prompt",
      (w: World) => (w.prompts.set({ chatId: CHAT, messageId: MSG, quoteId: "q2" }), run(w, tap())),
    ],
    ["the outbox no longer holds the card as quoted", (w: World) => (w.quoted.clear(), run(w, tap()))],
    ["the quote expired", (w: World) => ((w.clock.now += 60_001), run(w, tap()))],
  ])("passes the tap to the conversation untouched when %s", async (_what, act) => {
    const w = world();
    const got = await act(w);
    expect(w.placed).toEqual([]);
    expect(got).toBeUndefined();
    expect(w.order).toEqual(["conversation"]);
  });

  it("with a PIN nothing is armed: every Confirm asks the PIN in the conversation", async () => {
    const w = world({ pin: true });
    const got = await run(w, tap());
    expect(w.placed).toEqual([]);
    expect(got).toBeUndefined();
  });

  it("a placement the conversation did not take still reaches its card", async () => {
    const w = world();
    await run(w, tap(), false);
    expect(w.placed).toEqual(["q1"]);
    expect(w.orphaned).toEqual(["placed q1"]);
  });

  it("also when the conversation failed after the order was started", async () => {
    const w = world();
    await expect(
      w.lane.middleware()(tap(), () => Promise.reject(new Error("replay failed"))),
    ).rejects.toThrow("replay failed");
    expect(w.orphaned).toEqual(["placed q1"]);
  });
});
