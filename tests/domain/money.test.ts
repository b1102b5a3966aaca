import { describe, expect, it } from "vitest";
import {
  averagePrice,
  complementPrice,
  contracts,
  displayCount,
  displayUsd,
  formatCount,
  formatDollars,
  micros,
  mulPriceCount,
  parseCount,
  parseDollars,
  tryParseDollars,
  type Centis,
  type Micros,
} from "../../src/domain/money.js";
import { estimateFee } from "../../src/domain/fees.js";

describe("fixed-point dollars", () => {
  it("round-trips Kalshi's strings exactly", () => {
    for (const s of ["0.5600", "0.0100", "0.9900", "12.3456", "0.012345", "-3.2500", "1000.0000"]) {
      expect(formatDollars(parseDollars(s))).toBe(s);
    }
    expect(parseDollars("0.56")).toBe(560_000);
    expect(parseDollars("0.1")).toBe(100_000);
    expect(parseDollars(".5")).toBe(500_000);
    expect(parseDollars("0.56000000")).toBe(560_000);
  });

  it("rejects what is not a fixed-point amount", () => {
    for (const s of ["", "abc", "0.1234567", "1e3", "NaN", "0.5.5", "$1"]) {
      expect(tryParseDollars(s)).toBeNull();
    }
  });

  it("adds money without float drift", () => {
    let total = 0 as Micros;
    for (let i = 0; i < 10; i++) total = (total + parseDollars("0.1")) as Micros;
    expect(formatDollars(total)).toBe("1.0000");
  });

  it("multiplies price by count exactly", () => {
    expect(mulPriceCount(parseDollars("0.55"), parseCount("10"))).toBe(parseDollars("5.5"));
    expect(mulPriceCount(parseDollars("0.333"), parseCount("3"))).toBe(parseDollars("0.999"));
    expect(mulPriceCount(parseDollars("0.000001"), parseCount("0.50"), "ceil")).toBe(1);
    expect(mulPriceCount(parseDollars("0.000001"), parseCount("0.50"), "floor")).toBe(0);
  });

  it("converts YES and NO prices", () => {
    expect(formatDollars(complementPrice(parseDollars("0.42")))).toBe("0.5800");
    expect(formatDollars(complementPrice(parseDollars("0.055")))).toBe("0.9450");
  });

  it("formats for people", () => {
    expect(displayUsd(parseDollars("1234.5"))).toBe("$1,234.50");
    expect(displayUsd(parseDollars("-0.4"))).toBe("-$0.40");
    expect(displayUsd(parseDollars("0.055"), { exact: true })).toBe("$0.055");
    expect(displayUsd(parseDollars("2"), { sign: true })).toBe("+$2.00");
    expect(averagePrice(parseDollars("5.53"), parseCount("10"))).toBe(parseDollars("0.553"));
  });

  it("averages per contract to the micro-dollar, rounding half up", () => {
    // $1.40 over 3 contracts = 0.4666666… → 0.466667 (not truncated to 0.466666).
    expect(averagePrice(micros(1_400_000), contracts(3))).toBe(466_667);
    // $2.00 over 3 contracts = 0.6666666… → 0.666667.
    expect(averagePrice(micros(2_000_000), contracts(3))).toBe(666_667);
    // $1.00 over 3 contracts = 0.3333333… → 0.333333 (below the half stays down).
    expect(averagePrice(micros(1_000_000), contracts(3))).toBe(333_333);
    // Exact halves go up, also from an even digit (not banker's rounding): 0.5 → 1, 2.5 → 3 micro-dollars.
    expect(averagePrice(micros(1), contracts(2))).toBe(1);
    expect(averagePrice(micros(5), contracts(2))).toBe(3);
    // Fractional contracts: $0.01 over 0.03 contracts = 0.333333… per contract.
    expect(averagePrice(micros(10_000), parseCount("0.03"))).toBe(333_333);
    expect(averagePrice(micros(0), contracts(0))).toBeNull();
  });

  it("never shows a signed zero: an amount that rounds to $0.00 has no sign", () => {
    expect(displayUsd(parseDollars("-0.004"))).toBe("$0.00");
    expect(displayUsd(parseDollars("0.004"), { sign: true })).toBe("$0.00");
    expect(displayUsd(parseDollars("-0.004"), { sign: true })).toBe("$0.00");
    expect(displayUsd(parseDollars("0"), { sign: true })).toBe("$0.00");
    // Rounding to a cent keeps the sign; exact amounts keep theirs.
    expect(displayUsd(parseDollars("-0.005"))).toBe("-$0.01");
    expect(displayUsd(parseDollars("0.005"), { sign: true })).toBe("+$0.01");
    expect(displayUsd(parseDollars("-0.004"), { exact: true })).toBe("-$0.004");
    expect(displayUsd(parseDollars("0.004"), { exact: true, sign: true })).toBe("+$0.004");
  });
});

describe("fixed-point counts", () => {
  it("round-trips and displays", () => {
    expect(formatCount(parseCount("10"))).toBe("10.00");
    expect(formatCount(parseCount("2.5"))).toBe("2.50");
    expect(displayCount(parseCount("10.00"))).toBe("10");
    expect(displayCount(parseCount("2.50"))).toBe("2.5");
    expect(() => parseCount("1.234")).toThrow();
  });
});

describe("fee estimate (API.md §7)", () => {
  const fee = (n: string, p: string, role: "taker" | "maker" = "taker") =>
    formatDollars(
      estimateFee({
        count: parseCount(n) as Centis,
        price: parseDollars(p),
        role,
        feeType: "quadratic_with_maker_fees",
      }),
    );
  it("matches Kalshi's published examples", () => {
    expect(fee("1", "0.50")).toBe("0.0200");
    expect(fee("10", "0.50")).toBe("0.1800");
    expect(fee("100", "0.50")).toBe("1.7500");
    expect(fee("100", "0.50", "maker")).toBe("0.4400");
  });
  it("charges makers nothing on plain quadratic series", () => {
    expect(estimateFee({ count: parseCount("100"), price: parseDollars("0.5"), role: "maker" })).toBe(0);
  });
});
