/**
 * The per-chat update queues (src/bot/polling.ts) with a fake getUpdates and a controllable clock:
 * chats run side by side, one chat's updates in order, a full chat queue skips (and says how many)
 * without touching other chats, the lag is measured, getUpdates failures are retried and stop() ends
 * a pending long poll.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { chatKeyOf, type GetUpdates, UpdatePoller } from "../../src/bot/polling.js";

let nextId = 1;
function text(chatId: number, t: string): Update {
  return {
    update_id: nextId++,
    message: {
      message_id: nextId,
      date: 0,
      chat: { id: chatId, type: "private", first_name: "U" },
      from: { id: chatId, is_bot: false, first_name: "U" },
      text: t,
    },
  } as Update;
}

/** A handler whose calls for chosen texts wait until released. */
function gatedHandler() {
  const handled: string[] = [];
  const gates = new Map<string, () => void>();
  const started = new Set<string>();
  const handle = async (u: Update) => {
    const t = u.message!.text!;
    started.add(t);
    if (t.startsWith("slow")) await new Promise<void>((r) => gates.set(t, r));
    handled.push(`${u.message!.chat.id}:${t}`);
  };
  return { handled, gates, started, handle };
}

const noPolls: GetUpdates = () => new Promise(() => undefined);

describe("UpdatePoller queues", () => {
  it("a chat waiting on slow work does not hold up another chat; one chat's updates stay in order", async () => {
    const g = gatedHandler();
    const p = new UpdatePoller({ getUpdates: noPolls, handle: g.handle });
    p.enqueue(text(1, "slow-a"));
    p.enqueue(text(1, "second-a"));
    p.enqueue(text(2, "help-b"));
    await expect.poll(() => g.handled).toEqual(["2:help-b"]);
    expect(p.depth).toBe(1); // chat 1's second update waits for its first
    g.gates.get("slow-a")!();
    await p.idle();
    expect(g.handled).toEqual(["2:help-b", "1:slow-a", "1:second-a"]);
    expect(p.depth).toBe(0);
  });

  it("a flooding chat is bounded: extra updates are skipped and counted once, other chats unaffected", async () => {
    const g = gatedHandler();
    const skipped: [number, number][] = [];
    const p = new UpdatePoller({
      getUpdates: noPolls,
      handle: g.handle,
      maxPerChat: 3,
      onSkipped: (chat, n) => skipped.push([chat, n]),
    });
    p.enqueue(text(1, "slow-1"));
    for (let i = 0; i < 10; i++) p.enqueue(text(1, `flood-${i}`));
    p.enqueue(text(2, "help-b"));
    await expect.poll(() => g.handled).toEqual(["2:help-b"]);
    expect(p.depth).toBe(3);
    g.gates.get("slow-1")!();
    await p.idle();
    expect(g.handled.filter((h) => h.startsWith("1:"))).toEqual([
      "1:slow-1",
      "1:flood-0",
      "1:flood-1",
      "1:flood-2",
    ]);
    expect(skipped).toEqual([[1, 7]]);
  });

  it("a chat skipped because every queue is full is told, and nothing of it stays behind", async () => {
    const g = gatedHandler();
    const skipped: [number, number][] = [];
    const p = new UpdatePoller({
      getUpdates: noPolls,
      handle: g.handle,
      maxQueued: 2,
      onSkipped: (chat, n) => skipped.push([chat, n]),
    });
    p.enqueue(text(1, "slow-1"));
    p.enqueue(text(1, "a"));
    p.enqueue(text(1, "b"));
    for (let chat = 100; chat < 105; chat++) p.enqueue(text(chat, "help"));
    g.gates.get("slow-1")!();
    await p.idle();
    expect(g.handled).toEqual(["1:slow-1", "1:a", "1:b"]);
    expect(skipped).toEqual([100, 101, 102, 103, 104].map((c) => [c, 1]));
    // The queues are empty again: a later update of a skipped chat runs and no skip is reported twice.
    p.enqueue(text(100, "again"));
    await p.idle();
    expect(g.handled).toContain("100:again");
    expect(skipped).toHaveLength(5);
  });

  it("lagMs is the wait of the oldest update not yet started", async () => {
    let now = 1_000;
    const g = gatedHandler();
    const p = new UpdatePoller({ getUpdates: noPolls, handle: g.handle, now: () => now });
    p.enqueue(text(1, "slow-x"));
    expect(p.lagMs()).toBe(0); // started at once: nothing waits
    p.enqueue(text(1, "waits"));
    now += 6_000;
    p.enqueue(text(2, "slow-y"));
    expect(p.lagMs()).toBe(6_000);
    g.gates.get("slow-x")!();
    await expect.poll(() => g.handled).toEqual(["1:slow-x", "1:waits"]);
    expect(p.lagMs()).toBe(0);
    g.gates.get("slow-y")!();
    await p.idle();
  });

  it("a throwing handler is reported and the chat's next update still runs", async () => {
    const errors: string[] = [];
    const done: string[] = [];
    const p = new UpdatePoller({
      getUpdates: noPolls,
      handle: async (u) => {
        if (u.message!.text === "boom") throw new Error("boom");
        done.push(u.message!.text!);
      },
      onHandlerError: (e) => errors.push((e as Error).message),
    });
    p.enqueue(text(1, "boom"));
    p.enqueue(text(1, "after"));
    await p.idle();
    expect(errors).toEqual(["boom"]);
    expect(done).toEqual(["after"]);
  });

  it("chatKeyOf finds the chat of messages and button taps", () => {
    expect(chatKeyOf(text(7, "x"))).toBe(7);
    const tap = {
      update_id: 1,
      callback_query: {
        id: "1",
        from: { id: 8, is_bot: false, first_name: "U" },
        chat_instance: "8",
        data: "d",
        message: { message_id: 1, date: 0, chat: { id: 9, type: "private", first_name: "U" } },
      },
    } as unknown as Update;
    expect(chatKeyOf(tap)).toBe(9); // the chat of the tapped message, as ctx.chat
  });
});

describe("UpdatePoller polling loop", () => {
  it("moves the offset past each batch, retries a failed poll, and stop() ends a pending long poll", async () => {
    const offsets: (number | undefined)[] = [];
    const batches: (Update[] | Error)[] = [
      [text(1, "a"), text(2, "b")],
      new Error("network down"),
      [text(1, "c")],
    ];
    let pending: (() => void) | undefined;
    const getUpdates: GetUpdates = (params, signal) => {
      offsets.push(params.offset);
      const next = batches.shift();
      if (next instanceof Error) return Promise.reject(next);
      if (next) return Promise.resolve(next);
      return new Promise<Update[]>((resolve) => {
        pending = () => resolve([]);
        signal.addEventListener("abort", () => resolve([]));
      });
    };
    const handled: string[] = [];
    const pollErrors: number[] = [];
    const p = new UpdatePoller({
      getUpdates,
      handle: async (u) => void handled.push(u.message!.text!),
      onPollError: (_e, n) => pollErrors.push(n),
    });
    p.start();
    expect(p.isRunning).toBe(true);
    await expect.poll(() => handled.length, { timeout: 5_000 }).toBe(3);
    await expect.poll(() => pending).toBeDefined();
    await p.stop();
    expect(p.isRunning).toBe(false);
    expect(handled.sort()).toEqual(["a", "b", "c"]);
    expect(pollErrors).toEqual([1]);
    const first = offsets[0];
    expect(first).toBeUndefined();
    // After the first batch, the same offset is asked again after the failure, then past "c".
    expect(offsets[1]).toBe(offsets[2]);
    expect(offsets[3]).toBe(offsets[2]! + 1);
  });
});
