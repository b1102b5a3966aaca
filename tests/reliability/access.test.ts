/**
 * 10 000 updates from people who are not allow-listed, and from groups, supergroups and channels (the
 * owner included): the real wiring must make no exchange call and send no data.
 */
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KalshiClient } from "../../src/exchange/kalshi/client.js";
import { type AppHarness, OWNER, startAppHarness } from "../support/appHarness.js";
import { figure, printFiguresAfterAll } from "./figures.js";

printFiguresAfterAll("access");

let h: AppHarness;
let exchangeCalls = 0;

beforeAll(async () => {
  h = await startAppHarness({ transport: "inprocess" });
  // Count every call the app makes to the exchange client from here on.
  const ex = h.app.exchange as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(KalshiClient.prototype)) {
    const fn = ex[name];
    if (name === "constructor" || typeof fn !== "function") continue;
    ex[name] = (...args: unknown[]) => {
      exchangeCalls++;
      return (fn as (...a: unknown[]) => unknown).apply(h.app.exchange, args);
    };
  }
});
afterAll(async () => {
  await h?.stop();
});

const INPUTS = [
  "/start",
  "/help",
  "/balance",
  "/portfolio",
  "/orders",
  "/history 30d",
  "/export 7d",
  "/buy KXFED-26DEC-T4.00 yes 5 @0.40",
  "/sell KXFED-26DEC-T4.00 yes 5",
  "/cancel all",
  "/status ORDER-1",
  "/market KXFED-26DEC-T4.00",
  "/search fed",
  "/alerts off",
  "hello",
  "what is my balance?",
];

describe("access control under load", () => {
  it("10 000 updates from strangers and non-private chats → 0 exchange calls, 0 data replies", async () => {
    const { api, app } = h;
    const since = h.mark();
    const STRANGERS = 40;
    let nextUpdateId = 1_000_000;
    let handled = 0;
    for (let i = 0; i < 10_000; i++) {
      const kind = i % 5;
      const stranger = 900_000 + (i % STRANGERS);
      const text = INPUTS[i % INPUTS.length]!;
      if (kind === 0) {
        // A stranger's private chat: a message or command.
        await api.sendText(stranger, stranger, text);
      } else if (kind === 1) {
        // A stranger taps a button (forged or copied callback data).
        await api.tap(stranger, stranger, 1, i % 2 ? `buy:${i}.deadbeef` : "confirm");
      } else if (kind === 2) {
        // The owner and strangers in groups and supergroups.
        const from = i % 3 === 0 ? OWNER : stranger;
        await api.sendText(from, -100_000 - (i % 7), text, { chatType: i % 2 ? "group" : "supergroup" });
      } else if (kind === 3) {
        // Taps in a group on the owner's behalf.
        await api.tap(OWNER, -200_000 - (i % 3), 5, "confirm", { chatType: "supergroup" });
      } else {
        // Channel posts (no sender).
        await app.bot.handleUpdate({
          update_id: nextUpdateId++,
          channel_post: {
            message_id: i,
            date: Math.floor(Date.now() / 1000),
            chat: { id: -300_000, type: "channel", title: "A channel" },
            text,
          },
        } as Update);
      }
      handled++;
    }
    const out = api.calls.slice(since);
    const dataReplies = out.filter((c) => {
      if (c.method === "answerCallbackQuery")
        return c.params.text !== undefined && c.params.text !== "This bot is private.";
      if (c.method === "sendMessage") return c.params.text !== "This bot is private.";
      return true; // any edit, document or other call would be a leak
    });
    const privateReplies = out.filter((c) => c.params.text === "This bot is private.").length;
    expect(exchangeCalls).toBe(0);
    expect(dataReplies).toEqual([]);
    // Rate-limited: at most one short reply per stranger per 10 minutes.
    expect(privateReplies).toBeLessThanOrEqual(STRANGERS);
    const calls = exchangeCalls;
    expect(privateReplies).toBeGreaterThan(0);
    expect(h.sim.state().orders).toBe(0);
    figure(
      `non-allow-listed: ${handled} updates → ${calls} exchange calls, ${dataReplies.length} data replies (${privateReplies} rate-limited "This bot is private." answers)`,
    );

    // Control: the counter works, and the owner in the private chat does get data.
    const before = h.mark();
    await h.say("/balance");
    expect(exchangeCalls).toBeGreaterThan(0);
    expect(
      h
        .outputsSince(before)
        .map((o) => o.text)
        .join("\n"),
    ).toMatch(/\$1,000\.00/);
  }, 120_000); // heavy: hundreds of round trips; slow on a loaded machine (docs/reliability.md)
});
