/**
 * TRADE_PIN, PIN_ABOVE_DOLLARS and PIN_TTL_MINUTES (src/bot/pin.ts uses them). Kept beside config.ts
 * so the PIN rules read in one place. Problems never echo the PIN: it is a secret like the bot token.
 */
import { parseDollars, type Micros } from "./domain/money.js";

export interface PinConfig {
  pin: string;
  /** Orders whose count × price is above this ask for the PIN (0: every order). */
  above: Micros;
  ttlMs: number;
}

export const PIN_KEYS = ["TRADE_PIN", "PIN_ABOVE_DOLLARS", "PIN_TTL_MINUTES"] as const;
const DEFAULT_TTL_MINUTES = 15;

/** Reads the PIN settings; undefined when TRADE_PIN is not set. Problems are pushed to `problems`. */
export function readPinConfig(
  get: (k: (typeof PIN_KEYS)[number]) => string | undefined,
  problems: string[],
): PinConfig | undefined {
  const pin = get("TRADE_PIN");
  const aboveRaw = get("PIN_ABOVE_DOLLARS");
  const ttlRaw = get("PIN_TTL_MINUTES");
  if (pin === undefined) {
    for (const [k, v] of [
      ["PIN_ABOVE_DOLLARS", aboveRaw],
      ["PIN_TTL_MINUTES", ttlRaw],
    ] as const) {
      if (v !== undefined)
        problems.push(
          `${k}: is set but TRADE_PIN is not, so no PIN would be asked; set TRADE_PIN (4 to 12 digits) or remove ${k}`,
        );
    }
    return undefined;
  }
  let ok = true;
  if (!/^\d{4,12}$/.test(pin)) {
    problems.push(
      "TRADE_PIN: must be 4 to 12 digits (0-9 only, no spaces or letters); the value is not shown here",
    );
    ok = false;
  }
  let above = 0 as Micros;
  if (aboveRaw !== undefined) {
    try {
      above = parseDollars(aboveRaw.replace(/^\$/, "").replace(/,/g, ""));
      if (above < 0) throw new Error("negative");
    } catch {
      problems.push(
        `PIN_ABOVE_DOLLARS: '${aboveRaw}' is not a dollar amount of 0 or more (orders above it ask for the PIN; 0 = every order)`,
      );
      ok = false;
    }
  }
  let ttlMinutes = DEFAULT_TTL_MINUTES;
  if (ttlRaw !== undefined) {
    const n = Number(ttlRaw);
    if (!/^\d+$/.test(ttlRaw) || n < 1 || n > 1440) {
      problems.push(
        `PIN_TTL_MINUTES: '${ttlRaw}' is not a whole number of minutes from 1 to 1440 (how long one PIN lasts)`,
      );
      ok = false;
    } else ttlMinutes = n;
  }
  return ok ? { pin, above, ttlMs: ttlMinutes * 60_000 } : undefined;
}
