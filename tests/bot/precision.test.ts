/**
 * One precision for average prices and one for fees in every message (issue 16): the fill alert of
 * a coalesced burst and the order's receipt show the same "avg $0.1176" and "fee $0.0336".
 */
import { describe, expect, it } from "vitest";
import { formatFillMessage } from "../../src/alerts/format.js";
import { htmlToText } from "../../src/bot/format.js";
import { placedCard } from "../../src/bot/views.js";
import { contracts, displayAvgPrice, displayFee, parseDollars } from "../../src/domain/money.js";
import type { Fill } from "../../src/exchange/port.js";
import type { PlaceResult, Quote } from "../../src/trading/types.js";

const usd = parseDollars;
const T = Date.UTC(2026, 10, 24, 15);

function fill(id: string, yes: string, n: number, fee: string, at: number): Fill {
  return {
    fillId: id,
    tradeId: `t-${id}`,
    orderId: "o-1",
    ticker: "KXT-1",
    outcomeSide: "yes",
    bookSide: "bid",
    count: contracts(n),
    yesPrice: usd(yes),
    noPrice: usd((1 - Number(yes)).toFixed(2)),
    isTaker: true,
    fee: usd(fee),
    createdTime: at,
  };
}

describe("average price and fee precision", () => {
  it("displayAvgPrice: to $0.0001, trailing zeros down to cents; displayFee likewise", () => {
    expect(displayAvgPrice(usd("0.117647"))).toBe("$0.1176");
    expect(displayAvgPrice(usd("0.634"))).toBe("$0.634");
    expect(displayAvgPrice(usd("0.12"))).toBe("$0.12");
    expect(displayAvgPrice(usd("0.63625"))).toBe("$0.6363");
    expect(displayFee(usd("0.0336"))).toBe("$0.0336");
    expect(displayFee(usd("0.17"))).toBe("$0.17");
    expect(displayFee(usd("0.033333"))).toBe("$0.0333");
  });

  it("a burst's alert and the order's receipt show the same average and fee", () => {
    // 15 @ $0.12 + 2 @ $0.10 = $2.00 for 17: avg $0.117647…
    const fills = [fill("a", "0.12", 15, "0.02", T), fill("b", "0.10", 2, "0.0136", T + 1)];
    const alert = htmlToText(
      formatFillMessage(
        { envTag: "SIM", timeZone: "UTC" },
        "Test market",
        fills.map((f, i) => ({ fill: f, postPosition: i === 0 ? contracts(15) : contracts(17) })),
        { fillCount: contracts(17), initialCount: contracts(17) },
      ),
    );
    const q = {
      intent: { ticker: "KXT-1", outcome: "yes", action: "buy", count: contracts(17), kind: "market" },
      marketTitle: "Test market",
      price: usd("0.12"),
    } as unknown as Quote;
    const r: PlaceResult = {
      orderId: "o-1",
      clientOrderId: "c-1",
      status: "executed",
      filledCount: contracts(17),
      averagePrice: usd("0.117647"),
      fees: usd("0.0336"),
      restingCount: contracts(0),
    };
    const receipt = htmlToText(placedCard(q, r));
    expect(alert).toContain("@ avg $0.1176");
    expect(receipt).toContain("at avg $0.1176");
    expect(alert).toContain("fee $0.0336");
    expect(receipt).toContain("Fee: $0.0336");
  });
});
