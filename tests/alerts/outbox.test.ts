/**
 * The order outbox on its own: a card's final text is on disk before Telegram is asked, 429s are waited
 * out as Telegram asks (a fake clock records the waits), nothing is dropped, and a restart brings every
 * card a previous run left mid-way to its final state.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrammyError } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { centis } from "../../src/domain/money.js";
import type { Order, OrdersFilter } from "../../src/exchange/port.js";
import { RESENT_AFTER_RESTART_NOTE } from "../../src/alerts/format.js";
import {
  type CardSink,
  OrderOutbox,
  type OrderOutboxOptions,
  OUTBOX_FILE,
  QUOTE_EXPIRED,
  RESTART_EXPIRED,
} from "../../src/alerts/outbox.js";
import { telegramDeliveryError as toDeliveryError } from "../../src/bot/alertSink.js";

const CHAT = 7;
const T0 = Date.UTC(2026, 11, 2, 19, 2, 0); // 14:02 in New York

function tooMany(seconds: number): GrammyError {
  return new GrammyError(
    "Call to 'editMessageText' failed! (429: Too Many Requests)",
    {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${seconds}`,
      parameters: { retry_after: seconds },
    },
    "editMessageText",
    {},
  );
}

function badRequest(description: string): GrammyError {
  return new GrammyError(
    `Call failed! (400: ${description})`,
    { ok: false, error_code: 400, description },
    "editMessageText",
    {},
  );
}

/** A chat: cards and messages by id; `failures` are thrown by the next calls, in order. */
class FakeChat implements CardSink {
  texts = new Map<number, string>();
  sent: string[] = [];
  failures: unknown[] = [];
  calls = 0;
  private next = 500;

  private gate(): void {
    this.calls++;
    const f = this.failures.shift();
    if (f !== undefined) throw toDeliveryError(f);
  }
  async edit(_chat: number, messageId: number, html: string): Promise<void> {
    this.gate();
    if (!this.texts.has(messageId))
      throw toDeliveryError(badRequest("Bad Request: message to edit not found"));
    this.texts.set(messageId, html);
  }
  async send(_chat: number, html: string): Promise<{ messageId: number }> {
    this.gate();
    const id = this.next++;
    this.texts.set(id, html);
    this.sent.push(html);
    return { messageId: id };
  }
}

function order(over: Partial<Order>): Order {
  return {
    orderId: "ord-9",
    clientOrderId: "coid-1",
    ticker: "KXRAIN",
    status: "resting",
    bookSide: "bid",
    outcomeSide: "yes",
    yesPrice: 420_000,
    noPrice: 580_000,
    initialCount: centis(1000),
    fillCount: centis(400),
    remainingCount: centis(600),
    ...over,
  } as Order;
}

let dir: string;
let chat: FakeChat;
let waits: number[];
const boxes: OrderOutbox[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "outbox-"));
  chat = new FakeChat();
  waits = [];
});
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.stop();
  await rm(dir, { recursive: true, force: true });
});

function outbox(extra: Partial<OrderOutboxOptions> = {}): OrderOutbox {
  const b = new OrderOutbox({
    dataDir: dir,
    timeZone: "America/New_York",
    now: () => T0,
    sleep: async (ms) => void waits.push(ms),
    ...extra,
  });
  b.attach(chat);
  boxes.push(b);
  return b;
}

const card = (id = "coid-1", messageId = 11) => ({
  id,
  chatId: CHAT,
  messageId,
  ticker: "KXRAIN",
  summary: "to buy 10 YES of Rain? limit $0.42",
});

describe("delivery", () => {
  it("the result is on disk before the edit; 429 retry_after 90 three times → waits 90 s each, then the card shows it", async () => {
    const b = outbox();
    chat.texts.set(11, "Please confirm …");
    await b.quoted(card());
    await b.confirmed("coid-1");
    let onDisk = "";
    const edit = chat.edit.bind(chat);
    chat.edit = async (c, m, html) => {
      onDisk ||= await readFile(join(dir, OUTBOX_FILE), "utf8");
      return edit(c, m, html);
    };
    chat.failures.push(tooMany(90), tooMany(90), tooMany(90));
    await b.settle("coid-1", "Order placed", "ord-9");
    await b.idle();
    expect(onDisk).toContain("Order placed");
    expect(waits).toEqual([90_000, 90_000, 90_000]);
    expect(chat.texts.get(11)).toBe("Order placed");
    expect(b.pendingCount()).toBe(0);
    expect(b.ownerOf({ orderId: "ord-9" })).toBe(CHAT);
  });

  it("a retry_after beyond 10 minutes waits 10 minutes and tries again: never dropped", async () => {
    const b = outbox();
    chat.texts.set(11, "Please confirm …");
    await b.quoted(card());
    chat.failures.push(tooMany(3600), tooMany(3600));
    await b.settle("coid-1", "Rejected. Nothing was placed.");
    await b.idle();
    expect(waits).toEqual([600_000, 600_000]);
    expect(chat.texts.get(11)).toBe("Rejected. Nothing was placed.");
  });

  it("a card that cannot be edited: the result is sent as a new message", async () => {
    const b = outbox();
    await b.quoted(card()); // message 11 is not in the chat (deleted)
    await b.settle("coid-1", "Order placed");
    await b.idle();
    expect(chat.sent).toEqual(["Order placed"]);
  });

  it("stopped while waiting: the result stays owed and the next start delivers it", async () => {
    let release!: () => void;
    const b = outbox({ sleep: () => new Promise<void>((r) => (release = r)) });
    chat.texts.set(11, "Please confirm …");
    await b.quoted(card());
    chat.failures.push(tooMany(90));
    await b.settle("coid-1", "Order placed");
    const stopping = b.stop();
    release();
    await stopping;
    expect(chat.texts.get(11)).toBe("Please confirm …");
    const again = outbox();
    await again.start();
    await again.idle();
    expect(chat.texts.get(11)).toBe("Order placed");
  });
});

describe("after a restart", () => {
  it("an owed result first; quoted and confirmed cards looked up at Kalshi by client order id: expired, placed or not placed", async () => {
    const lookups: OrdersFilter[] = [];
    const exchange = {
      getOrders: async (f?: OrdersFilter) => {
        lookups.push(f ?? {});
        return [order({ clientOrderId: "coid-3", orderId: "ord-3" })];
      },
    };
    const first = outbox();
    for (const [id, m] of [
      ["coid-1", 11],
      ["coid-2", 12],
      ["coid-3", 13],
      ["coid-4", 14],
    ] as const) {
      chat.texts.set(m, "Please confirm …");
      await first.quoted(card(id, m));
    }
    await (
      await first.confirmed("coid-3")
    ).saved;
    await (
      await first.confirmed("coid-4")
    ).saved;
    // coid-1's result was written, then the process died before Telegram was asked.
    chat.failures.push(new Error("killed"));
    await first.settle("coid-1", "Order placed: ord-1");
    await first.stop();
    expect(chat.texts.get(11)).toBe("Please confirm …");

    const edits: number[] = [];
    const edit = chat.edit.bind(chat);
    chat.edit = async (c, m, html) => {
      edits.push(m);
      return edit(c, m, html);
    };
    const second = outbox({ exchange });
    await second.start();
    await second.idle();
    expect(edits[0]).toBe(11);
    expect(chat.texts.get(11)).toBe("Order placed: ord-1");
    expect(chat.texts.get(12)).toBe(RESTART_EXPIRED);
    expect(chat.texts.get(13)).toBe(
      "Your order to buy 10 YES of Rain? limit $0.42 was placed at Dec 2, 14:02 EST (the bot restarted before it could tell you). Order id: <code>ord-3</code> · 4 of 10 filled, 6 resting. /orders and /portfolio show it.",
    );
    expect(chat.texts.get(14)).toMatch(
      /^Your order to buy 10 YES .* was not placed: the bot restarted before Kalshi had it/,
    );
    // coid-2 was only shown, but a tap's "confirmed" stage is written beside the POST: it is looked up too.
    expect(lookups).toEqual([
      { ticker: "KXRAIN", minTs: T0 - 60_000 },
      { ticker: "KXRAIN", minTs: T0 - 60_000 },
      { ticker: "KXRAIN", minTs: T0 - 60_000 },
    ]);
    expect(second.pendingCount()).toBe(0);
    expect(second.ownerOf({ orderId: "ord-3" })).toBe(CHAT);
    // A third start has nothing to say.
    const calls = chat.calls;
    await outbox({ exchange }).start();
    expect(chat.calls).toBe(calls);
  });

  it("killed after the tap, before its 'confirmed' stage reached the disk: the order is found and told", async () => {
    const exchange = { getOrders: async () => [order({ clientOrderId: "coid-5", orderId: "ord-5" })] };
    const first = outbox({
      // kill -9 while the write beside the POST is under way: the file still says "quoted".
      checkpoint: (step) => (step === "confirmed" ? new Promise<void>(() => undefined) : undefined),
    });
    chat.texts.set(15, "Please confirm …");
    await first.quoted(card("coid-5", 15));
    const onDisk = await readFile(join(dir, OUTBOX_FILE), "utf8");
    await first.confirmed("coid-5");
    const second = new OrderOutbox({
      dataDir: dir,
      timeZone: "America/New_York",
      now: () => T0,
      sleep: async (ms) => void waits.push(ms),
      exchange,
    });
    second.attach(chat);
    boxes.push(second);
    expect(onDisk).toContain('"stage":"quoted"');
    await second.start();
    await second.idle();
    expect(chat.texts.get(15)).toMatch(
      /^Your order to buy 10 YES of Rain\? limit \$0\.42 was placed at .*Order id: <code>ord-5<\/code>/,
    );
    expect(second.pendingCount()).toBe(0);
  });

  it("the lookup fails: retried with backoff until Kalshi answers, then told", async () => {
    let failures = 2;
    const exchange = {
      getOrders: async () => {
        if (failures-- > 0) throw new Error("exchange down");
        return [order({ clientOrderId: "coid-1" })];
      },
    };
    const first = outbox();
    chat.texts.set(11, "Please confirm …");
    await first.quoted(card());
    await (
      await first.confirmed("coid-1")
    ).saved;
    await first.stop();
    const second = outbox({ exchange });
    await second.start();
    await second.idle();
    expect(waits).toEqual([1000, 2000]);
    expect(chat.texts.get(11)).toMatch(/was placed at Dec 2, 14:02 EST \(the bot restarted/);
  });

  it("a fallback send cut off by the kill is sent again with the note", async () => {
    const first = outbox({
      checkpoint: (step) => {
        if (step === "accepted") throw new Error("kill -9");
      },
    });
    await first.quoted(card()); // message 11 is gone: the result goes out as a new message
    await first.settle("coid-1", "Order placed");
    await first.idle();
    expect(chat.sent).toEqual(["Order placed"]);
    await first.stop();
    const second = outbox();
    await second.start();
    await second.idle();
    expect(chat.sent).toEqual(["Order placed", `Order placed\n<i>${RESENT_AFTER_RESTART_NOTE}</i>`]);
  });
});

describe("cancel requests", () => {
  it("knows who asked: one order, or all of a chat's orders, within a minute", async () => {
    let now = T0;
    const b = outbox({ now: () => now });
    b.noteCancelRequest(8, "ord-1");
    b.noteCancelRequest(7);
    expect(b.askedToCancel("ord-1", 8)).toBe(true);
    expect(b.askedToCancel("ord-1", 9)).toBe(false);
    expect(b.askedToCancel("ord-2", 7)).toBe(true);
    now += 61_000;
    expect(b.askedToCancel("ord-2", 7)).toBe(false);
  });
});

describe("a card nobody taps", () => {
  it("is edited to 'expired' once its quote ran out; a tap already under way still brings it to its result", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const b = outbox({ expireAfterMs: 65_000 });
      chat.texts.set(11, "Please confirm …");
      chat.texts.set(12, "Please confirm …");
      await b.quoted(card("coid-1", 11));
      await b.quoted(card("coid-2", 12));
      await vi.advanceTimersByTimeAsync(64_000);
      expect(chat.texts.get(11)).toBe("Please confirm …");
      await vi.advanceTimersByTimeAsync(1_000);
      await b.idle();
      expect(chat.texts.get(11)).toBe(QUOTE_EXPIRED);
      expect(chat.texts.get(12)).toBe(QUOTE_EXPIRED);
      expect(b.pendingCount()).toBe(0);
      // coid-2's Confirm was being handled as the card expired: the order went out, the result wins.
      await b.confirmed("coid-2");
      await b.settle("coid-2", "Order placed: ord-2", "ord-2");
      await b.idle();
      expect(chat.texts.get(12)).toBe("Order placed: ord-2");
      expect(b.ownerOf({ orderId: "ord-2" })).toBe(CHAT);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("an open outcome is followed up", () => {
  it("the card shows the open outcome; a minute later a message says what Kalshi has", async () => {
    let listed: Order[] = [];
    const b = outbox({ exchange: { getOrders: async () => listed } });
    for (const [id, m] of [
      ["coid-1", 11],
      ["coid-2", 12],
    ] as const) {
      chat.texts.set(m, "Please confirm …");
      await b.quoted(card(id, m));
      await b.confirmed(id);
    }
    listed = [
      order({ clientOrderId: "coid-1", orderId: "ord-1", status: "executed", fillCount: centis(1000) }),
    ];
    await b.settle("coid-1", "I couldn't confirm whether the order was placed.", undefined, {
      outcomeUnknown: true,
    });
    await b.settle("coid-2", "I couldn't confirm whether the order was placed.", undefined, {
      outcomeUnknown: true,
    });
    await b.idle();
    expect(waits).toEqual([60_000, 60_000]);
    expect(chat.texts.get(11)).toBe("I couldn't confirm whether the order was placed.");
    expect(chat.sent).toEqual([
      "Update on your order to buy 10 YES of Rain? limit $0.42: Kalshi did take it. Order id: <code>ord-1</code> · 10 of 10 filled. /orders and /portfolio show it.",
      "Update on your order to buy 10 YES of Rain? limit $0.42: Kalshi has no order from it, so it was not placed. Nothing was placed; send it again if you still want it.",
    ]);
    expect(b.pendingCount()).toBe(0);
    expect(b.ownerOf({ orderId: "ord-1" })).toBe(CHAT);
  });
});
