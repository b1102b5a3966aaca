/** TRADE_PIN, PIN_ABOVE_DOLLARS and PIN_TTL_MINUTES as loadConfig reads them. */
import { describe, expect, it } from "vitest";
import { ConfigurationError, loadConfig, redactedConfigSummary } from "../src/config.js";
import { parseDollars } from "../src/domain/money.js";

const base = { TELEGRAM_ALLOWED_USER_IDS: "42" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    if (e instanceof ConfigurationError) return e.problems;
    throw e;
  }
  return [];
}

describe("TRADE_PIN settings", () => {
  it("unset: no PIN; set: 4 to 12 digits, every order by default, 15 minutes", () => {
    expect(loadConfig(base).pin).toBeUndefined();
    const c = loadConfig({ ...base, TRADE_PIN: "0451" });
    expect(c.pin).toEqual({ pin: "0451", above: 0, ttlMs: 15 * 60_000 });
    const d = loadConfig({
      ...base,
      TRADE_PIN: "123456789012",
      PIN_ABOVE_DOLLARS: "$25",
      PIN_TTL_MINUTES: "5",
    });
    expect(d.pin).toEqual({ pin: "123456789012", above: parseDollars("25"), ttlMs: 5 * 60_000 });
    expect(redactedConfigSummary(d)).toContain("tradePin=on (orders above $25.00, every 5 min)");
    expect(redactedConfigSummary(d)).not.toContain("123456789012");
  });

  it("a PIN that is not 4-12 digits is a problem that never shows the value", () => {
    for (const bad of ["123", "1234567890123", "12a4", "12 34", "abcdef"]) {
      const p = problems({ TRADE_PIN: bad });
      expect(p).toEqual([
        "TRADE_PIN: must be 4 to 12 digits (0-9 only, no spaces or letters); the value is not shown here",
      ]);
      expect(p.join("\n")).not.toContain(bad);
    }
  });

  it("bad amounts and minutes are named, all at once; limits without a PIN are a problem too", () => {
    expect(problems({ TRADE_PIN: "1234", PIN_ABOVE_DOLLARS: "-1", PIN_TTL_MINUTES: "0" })).toEqual([
      "PIN_ABOVE_DOLLARS: '-1' is not a dollar amount of 0 or more (orders above it ask for the PIN; 0 = every order)",
      "PIN_TTL_MINUTES: '0' is not a whole number of minutes from 1 to 1440 (how long one PIN lasts)",
    ]);
    expect(problems({ PIN_ABOVE_DOLLARS: "50" })).toEqual([
      "PIN_ABOVE_DOLLARS: is set but TRADE_PIN is not, so no PIN would be asked; set TRADE_PIN (4 to 12 digits) or remove PIN_ABOVE_DOLLARS",
    ]);
  });
});
