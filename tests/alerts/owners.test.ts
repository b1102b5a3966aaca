/**
 * Several allowed users share one Kalshi account: a cancel of an order reaches the chat that placed it.
 * An exchange cancel goes to that chat only; a user's cancel (Kalshi says "Decrease") is told to the
 * owner when another chat asked for it, and not at all when the owner did. Orders the bot did not place
 * (no known owner) are told to every chat, as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import { OrderOutbox, type OrderOwners } from "../../src/alerts/outbox.js";
import { cancelRequestTracking, ownCancelsNoted } from "../../src/bot/cancelRequests.js";
import type { ExchangePort } from "../../src/exchange/port.js";
import type { OrderExecutor } from "../../src/trading/types.js";
import { waitFor, wireOrder } from "../support/wsKalshiStub.js";
import { Harness } from "./harness.js";

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const A = 7;
const B = 8;

describe("cancels reach the chat that placed the order", () => {
  it("another user's cancel → owner told; own cancel → silent; exchange cancel → owner only; unknown → everyone", async () => {
    const t = (h = await Harness.create());
    const owner: Record<string, number> = { o1: A, o2: A, x1: B };
    const asked: Record<string, number> = { o1: B, o2: A };
    const owners: OrderOwners = {
      ownerOf: (ref) => (ref.orderId ? (owner[ref.orderId] ?? null) : null),
      askedToCancel: (orderId, chatId) => asked[orderId] === chatId,
    };
    await t.service({ chatIds: [A, B], owners }).start();
    const canceled = (order_id: string, reason: string) =>
      t.stub.sendUserOrder(
        wireOrder({ order_id, ticker: `KXT-${order_id}`, status: "canceled", last_update_reason: reason }),
      );
    canceled("o1", "Decrease"); // A's order, canceled by B
    canceled("o2", "Decrease"); // A's order, canceled by A
    canceled("x1", "CloseCancel"); // B's order, canceled by the exchange
    canceled("z1", "CloseCancel"); // placed elsewhere: sentinel, to every chat, after the others
    await waitFor(() => t.sink.finalTexts(A).some((x) => x.includes("KXT-z1")), "sentinel in A");
    await waitFor(() => t.sink.finalTexts(B).some((x) => x.includes("KXT-z1")), "sentinel in B");

    const toA = t.sink.finalTexts(A);
    const toB = t.sink.finalTexts(B);
    expect(toA).toHaveLength(2);
    expect(toA[0]).toContain("<b>Your order was canceled by another user of this Kalshi account</b>");
    expect(toA[0]).toContain("Title KXT-o1");
    expect(toA[1]).toContain("KXT-z1");
    expect(toB).toHaveLength(2);
    expect(toB[0]).toContain("<b>Order canceled by the exchange</b> (the market closed)");
    expect(toB[0]).toContain("Title KXT-x1");
    expect(toB[1]).toContain("KXT-z1");
  });
});

describe("which chat asked for a cancel", () => {
  it("is noted from the update being handled, for one order and for cancel-all", async () => {
    const noted: Array<[number, string | undefined]> = [];
    const tracking = cancelRequestTracking({ noteCancelRequest: (c, o) => void noted.push([c, o]) });
    const executor = tracking.wrap({
      cancel: async (orderId: string) => ({ orderId, canceledCount: 0 }),
      cancelAll: async () => ({ canceled: 2 }),
      openOrders: async () => [],
    } as unknown as OrderExecutor);
    const update = (chatId: number, fn: () => Promise<unknown>) =>
      tracking.middleware({ chat: { id: chatId } } as never, async () => void (await fn()));
    await update(A, () => executor.cancel("o9"));
    await update(B, () => executor.cancelAll());
    await executor.cancel("outside"); // not in an update: nobody to note
    expect(noted).toEqual([
      [A, "o9"],
      [B, undefined],
    ]);
    expect(await executor.openOrders()).toEqual([]);
  });
});

describe("Cancel all cancels the listed orders only", () => {
  it("notes each listed order: another user's later cancel of an unlisted order is still told to its owner", async () => {
    const outbox = new OrderOutbox({ timeZone: "UTC", now: () => 1_000_000 });
    const tracking = cancelRequestTracking(outbox);
    const executor = tracking.wrap({
      cancel: async (orderId: string) => ({ orderId, canceledCount: 0 }),
      cancelAll: async () => ({ canceled: 1, gone: 0, failed: [], appeared: [] }),
    } as unknown as OrderExecutor);
    const update = (chatId: number, fn: () => Promise<unknown>) =>
      tracking.middleware({ chat: { id: chatId } } as never, async () => void (await fn()));
    // A taps "Cancel all" for the one order listed (o1); then B cancels A's new order o2.
    await update(A, () => executor.cancelAll([{ orderId: "o1", ticker: "KXT-1" }]));
    await update(B, () => executor.cancel("o2", "KXT-2"));
    expect(outbox.askedToCancel("o1", A)).toBe(true);
    expect(outbox.askedToCancel("o2", A)).toBe(false);
  });
});

describe("Cancel all through Kalshi's cancel-all", () => {
  it("also notes the orders it caught that were not listed, so their owner is not told 'another user'", async () => {
    const outbox = new OrderOutbox({ timeZone: "UTC", now: () => 1_000_000 });
    const tracking = cancelRequestTracking(outbox);
    const executor = tracking.wrap({
      cancelAll: async () => ({ canceled: [], filled: [], unlisted: ["o3"], resting: [] }),
    } as unknown as OrderExecutor);
    const update = (chatId: number, fn: () => Promise<unknown>) =>
      tracking.middleware({ chat: { id: chatId } } as never, async () => void (await fn()));
    await update(A, () => executor.cancelAll([{ orderId: "o1", ticker: "KXT-1" }]));
    expect(outbox.askedToCancel("o1", A)).toBe(true);
    expect(outbox.askedToCancel("o3", A)).toBe(true);
    expect(outbox.askedToCancel("o4", A)).toBe(false);
  });
});

describe("the holding guard's cancels are the bot's own", () => {
  it("a resting sell the guard canceled is not told to its owner as 'canceled by another user'", async () => {
    const t = (h = await Harness.create());
    const outbox = new OrderOutbox({ timeZone: "UTC" });
    outbox.attach({ edit: async () => undefined, send: async () => ({ messageId: 1 }) });
    await outbox.quoted({ id: "c1", chatId: A, messageId: 5, ticker: "KXT-g1", summary: "SELL 5 YES" });
    await outbox.settle("c1", "Order placed", "g1");
    expect(outbox.ownerOf({ orderId: "g1" })).toBe(A);
    const canceledAt: string[] = [];
    const exchange = ownCancelsNoted(
      {
        cancelOrder: async (orderId: string) => {
          canceledAt.push(orderId);
          return { orderId, reducedBy: 500 };
        },
      } as unknown as ExchangePort,
      outbox,
    );
    await t.service({ chatIds: [A, B], owners: outbox }).start();
    await exchange.cancelOrder("g1", "KXT-g1"); // the guard: nothing held any more
    expect(canceledAt).toEqual(["g1"]);
    const canceled = (order_id: string, reason: string) =>
      t.stub.sendUserOrder(
        wireOrder({ order_id, ticker: `KXT-${order_id}`, status: "canceled", last_update_reason: reason }),
      );
    canceled("g1", "Decrease");
    canceled("z1", "CloseCancel"); // sentinel, to every chat, after the other
    await waitFor(() => t.sink.finalTexts(A).some((x) => x.includes("KXT-z1")), "sentinel in A");
    expect(t.sink.finalTexts(A)).toHaveLength(1);
  });
});
