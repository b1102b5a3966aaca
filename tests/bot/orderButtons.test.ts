import { describe, expect, it } from "vitest";
import { Buttons } from "../../src/bot/buttons.js";
import { orderChangePayload, parseOrderChange } from "../../src/bot/orderButtons.js";

describe("order change buttons", () => {
  it("a payload made for a change reads back as that change and order, through signed data", () => {
    const b = new Buttons("s");
    const ref = b.ref("0f8c2f6e-8f6a-4f1b-9c55-4d4b1f1a2b3c");
    for (const change of ["down", "up", "price", "reduce"] as const) {
      const payload = b.verify(b.data(orderChangePayload(change, ref)))!;
      const got = parseOrderChange(payload)!;
      expect(got.change).toBe(change);
      expect(b.deref(got.orderRef)).toBe("0f8c2f6e-8f6a-4f1b-9c55-4d4b1f1a2b3c");
    }
  });
  it("other payloads are not change buttons", () => {
    expect(parseOrderChange("oc:ab12:x")).toBeNull();
    expect(parseOrderChange("omz:abc")).toBeNull();
  });
});
