import { describe, expect, it } from "vitest";
import { estimateFee, withRoundingFee } from "../../src/domain/fees.js";
import { type Centis, formatDollars, parseCount, parseDollars } from "../../src/domain/money.js";

/** The fee as Kalshi's fixed-point string, for one fill of `n` contracts at YES price `p`. */
function fee(
  n: string,
  p: string,
  o: { role?: "taker" | "maker"; multiplier?: number; roundTo?: number } = {},
): string {
  return formatDollars(
    estimateFee({
      count: parseCount(n) as Centis,
      price: parseDollars(p),
      role: o.role ?? "taker",
      feeType: "quadratic_with_maker_fees",
      ...(o.multiplier === undefined ? {} : { multiplier: o.multiplier }),
      ...(o.roundTo === undefined ? {} : { roundTo: o.roundTo }),
    }),
  );
}

describe("series fee multiplier (fee = rate × multiplier × C × P × (1 − P))", () => {
  it("scales the taker fee before rounding up to the cent", () => {
    // 0.07 × 0.5 × 10 × 0.60 × 0.40 = 0.084 → $0.09 (with multiplier 1: 0.168 → $0.17).
    expect(fee("10", "0.60", { multiplier: 0.5 })).toBe("0.0900");
    expect(fee("10", "0.60")).toBe("0.1700");
    // 0.07 × 2 × 100 × 0.25 = 3.50 exactly.
    expect(fee("100", "0.50", { multiplier: 2 })).toBe("3.5000");
    // 0.07 × 1.25 × 7 × 0.33 × 0.67 = 0.13541… → $0.14.
    expect(fee("7", "0.33", { multiplier: 1.25 })).toBe("0.1400");
  });

  it("scales the maker fee too", () => {
    // 0.0175 × 0.5 × 100 × 0.25 = 0.21875 → $0.22 (with multiplier 1: 0.4375 → $0.44).
    expect(fee("100", "0.50", { role: "maker", multiplier: 0.5 })).toBe("0.2200");
  });

  it("rounds up to $0.0001 first when the account's step is finer than a cent", () => {
    // 0.07 × 0.5 × 1 × 0.25 = 0.00875 → $0.0088 (to the cent it is $0.01).
    expect(fee("1", "0.50", { multiplier: 0.5, roundTo: 100 })).toBe("0.0088");
    expect(fee("1", "0.50", { multiplier: 0.5 })).toBe("0.0100");
  });

  it("a zero multiplier means no fee", () => {
    expect(fee("100", "0.50", { multiplier: 0 })).toBe("0.0000");
  });
});

describe("withRoundingFee (the balance change floored to whole cents)", () => {
  const d = parseDollars;
  it("buy 7 @ $0.061: trade fee $0.0281, cash −$0.427 → −$0.4551 floors to −$0.46: fee $0.033", () => {
    expect(fee("7", "0.061", { roundTo: 100 })).toBe("0.0281");
    expect(formatDollars(withRoundingFee(d("0.0281"), d("-0.427")))).toBe("0.0330");
  });
  it("sell 9 @ $0.059: cash +$0.531, trade fee $0.0350 → $0.496 floors to $0.49: fee $0.041", () => {
    expect(formatDollars(withRoundingFee(d("0.035"), d("0.531")))).toBe("0.0410");
  });
  it("whole-cent cash: the same as ceiling the trade fee to the cent", () => {
    expect(formatDollars(withRoundingFee(d("0.1733"), d("-5.50")))).toBe("0.1800");
    expect(formatDollars(withRoundingFee(d("0.17"), d("-5.50")))).toBe("0.1700");
  });
});
