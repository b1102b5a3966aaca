/** The account use case's attestation states and shard cash, at their boundaries. */
import { describe, expect, it } from "vitest";
import type { Micros } from "../../src/domain/money.js";
import { ATTESTATION_WARN_MS, attestationOf, cashByShard, daysLeft } from "../../src/trading/account.js";

const NOW = 1_800_000_000_000;
const m = (n: number) => n as Micros;

describe("attestationOf", () => {
  it("valid beyond 7 days, expiring from exactly 7 days, lapsed at and after the instant, never without a value", () => {
    expect(attestationOf(NOW + ATTESTATION_WARN_MS + 1, NOW).kind).toBe("valid");
    expect(attestationOf(NOW + ATTESTATION_WARN_MS, NOW).kind).toBe("expiring");
    expect(attestationOf(NOW + 1, NOW).kind).toBe("expiring");
    expect(attestationOf(NOW, NOW)).toEqual({ kind: "lapsed", expiredAt: NOW });
    expect(attestationOf(NOW - 1, NOW).kind).toBe("lapsed");
    expect(attestationOf(null, NOW)).toEqual({ kind: "never" });
  });

  it("counts whole days left, rounded down", () => {
    expect(daysLeft(3 * 86_400_000 + 5 * 3_600_000)).toBe(3);
    expect(daysLeft(86_399_999)).toBe(0);
  });
});

describe("cashByShard", () => {
  it("lists shards only when at least two hold money, lowest index first", () => {
    expect(
      cashByShard([
        { exchangeIndex: 1, balance: m(2) },
        { exchangeIndex: 0, balance: m(8) },
      ]),
    ).toEqual([
      { exchangeIndex: 0, balance: 8 },
      { exchangeIndex: 1, balance: 2 },
    ]);
    expect(
      cashByShard([
        { exchangeIndex: 0, balance: m(8) },
        { exchangeIndex: 1, balance: m(0) },
      ]),
    ).toBeNull();
    expect(cashByShard([])).toBeNull();
  });
});
