/** /status with the short id lists show (the first 8 characters of the order id). */
import { afterEach, describe, expect, it } from "vitest";
import type { Centis, Micros } from "../../src/domain/money.js";
import type { Order } from "../../src/exchange/port.js";
import { matchShortId } from "../../src/trading/findOrder.js";
import { type Harness, makeHarness, TICKER } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function order(orderId: string): Order {
  return {
    orderId,
    clientOrderId: "c",
    ticker: "KXT",
    outcomeSide: "yes",
    bookSide: "bid",
    status: "resting",
    yesPrice: 550_000 as Micros,
    noPrice: 450_000 as Micros,
    fillCount: 0 as Centis,
    remainingCount: 1000 as Centis,
    initialCount: 1000 as Centis,
    takerFillCost: 0 as Micros,
    makerFillCost: 0 as Micros,
    takerFees: 0 as Micros,
    makerFees: 0 as Micros,
    createdTime: null,
    lastUpdateTime: null,
    expirationTime: null,
  };
}

describe("matchShortId", () => {
  const a = order("0a1b2c3d-1111-4aaa-aaaa-000000000001");
  const b = order("0a1b2c3d-2222-4aaa-aaaa-000000000002");
  const c = order("9f8e7d6c-3333-4aaa-aaaa-000000000003");

  it("finds the one order whose id starts with the short id, in any letter case", () => {
    expect(matchShortId([a, c], "0A1B2C3D")).toEqual({ kind: "found", order: a });
    expect(matchShortId([a, c, c], "9f8e7d6c")).toEqual({ kind: "found", order: c });
  });

  it("two orders sharing the prefix are ambiguous; none is none", () => {
    expect(matchShortId([a, b, c], "0a1b2c3d")).toEqual({ kind: "ambiguous", orders: [a, b] });
    expect(matchShortId([a, b, c], "0a1b2c3d-2")).toEqual({ kind: "found", order: b });
    expect(matchShortId([a, b], "ffffffff")).toEqual({ kind: "none" });
  });
});

describe("/status <short id>", () => {
  it("shows the order the first 8 characters name", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 5 @0.40`);
    await h.tap("Confirm");
    const id = h.orderId(1);
    await h.say(`/status ${id.slice(0, 8)}`);
    expect(h.last().text).toContain("Order resting");
    expect(h.last().text).toContain(`id ${id}`);
  });

  it("an unknown short id, or one too short, gets a sentence and no card", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 5 @0.40`);
    await h.tap("Confirm");
    const other = h.orderId(1).startsWith("0") ? "12345678" : "01234567";
    await h.say(`/status ${other}`);
    expect(h.last().text).toContain(`No order of yours starts with ${other}`);
    await h.say("/status ab12");
    expect(h.last().text).toContain("at least the first 8 characters");
  });
});
