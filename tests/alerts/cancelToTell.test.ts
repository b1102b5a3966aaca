/** Which order updates become a cancel alert, decided without a stream (intake.ts cancelToTell). */
import { describe, expect, it } from "vitest";
import type { Centis, Micros } from "../../src/domain/money.js";
import type { Order } from "../../src/exchange/port.js";
import { cancelToTell } from "../../src/alerts/intake.js";
import { OTHER_USER_CANCEL } from "../../src/alerts/format.js";
import type { OrderOwners } from "../../src/alerts/outbox.js";

function order(status: Order["status"]): Order {
  return {
    orderId: "o1",
    clientOrderId: "c1",
    ticker: "KXT",
    outcomeSide: "yes",
    bookSide: "bid",
    status,
    yesPrice: 550_000 as Micros,
    noPrice: 450_000 as Micros,
    fillCount: 0 as Centis,
    remainingCount: 0 as Centis,
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

/** Chat 7 placed the order; `asked` says whether it asked to cancel it. */
function owners(asked: boolean): OrderOwners {
  return { ownerOf: () => 7, askedToCancel: () => asked };
}

describe("cancelToTell", () => {
  it("an exchange cancel is told with its reason, whoever placed the order", () => {
    expect(cancelToTell(order("canceled"), "CloseCancel", null, [1, 2], undefined)).toBe("CloseCancel");
    expect(cancelToTell(order("canceled"), "ExpiryCancel", 7, [7], owners(true))).toBe("ExpiryCancel");
  });

  it("a user's cancel (decrease to zero) is told only when the owning chat did not ask for it", () => {
    expect(cancelToTell(order("canceled"), "Decrease", 7, [7], owners(false))).toBe(OTHER_USER_CANCEL);
    expect(cancelToTell(order("canceled"), "Decrease", 7, [7], owners(true))).toBeNull();
  });

  it("a user's cancel of an order no chat of the bot placed is not told", () => {
    expect(cancelToTell(order("canceled"), "Decrease", null, [1, 2], undefined)).toBeNull();
  });

  it("updates that are not cancels are not told", () => {
    expect(cancelToTell(order("resting"), "Decrease", 7, [7], owners(false))).toBeNull();
    expect(cancelToTell(order("executed"), null, 7, [7], owners(false))).toBeNull();
    expect(cancelToTell(order("resting"), "CloseCancel", null, [1], undefined)).toBeNull();
  });
});
