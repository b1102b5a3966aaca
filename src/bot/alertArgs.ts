/**
 * Reading `/alert TICKER yes >= 0.40`, `/alert TICKER no <= 0.25` and `/alert TICKER moves 5c`: every
 * mistake gets one sentence that shows the right form, and nothing is stored.
 */
import { type Micros, MICROS_PER_CENT } from "../domain/money.js";
import type { AlertSpec } from "../alerts/price/service.js";
import { type Parsed, parsePriceInput, parseSide, parseTicker } from "./parse.js";

export const ALERT_USAGE =
  "Send /alert TICKER yes >= 0.40, /alert TICKER no <= 0.25 or /alert TICKER moves 5c.";

/** Largest move an alert may wait for. */
const MAX_MOVE_CENTS = 50;

function parseOp(s: string): ">=" | "<=" | null {
  const t = s.trim();
  if (t === ">=" || t === "≥" || t === "=>") return ">=";
  if (t === "<=" || t === "≤" || t === "=<") return "<=";
  return null;
}

/** "5c", "5¢", "5", "0.05" or "$0.05" as whole cents 1–50. */
function parseMove(s: string): Parsed<Micros> {
  const t = s.trim();
  const cents = /^(\d{1,2})\s*[c¢]?$/i.exec(t);
  let n: number | null = cents ? Number(cents[1]) : null;
  if (n === null && /^\$?0?\.\d{1,2}$/.test(t)) n = Math.round(Number(t.replace("$", "")) * 100);
  if (n === null || n < 1 || n > MAX_MOVE_CENTS)
    return {
      ok: false,
      message: `“${t}” is not a move. Send a whole number of cents from 1 to ${MAX_MOVE_CENTS}, like 5c.`,
    };
  return { ok: true, value: (n * MICROS_PER_CENT) as Micros };
}

/** The words after /alert, split with operators glued to numbers pulled apart (">=0.40"). */
function words(text: string): string[] {
  return text
    .replace(/(>=|<=|=>|=<|≥|≤)/g, " $1 ")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

export function parseAlertArgs(text: string): Parsed<{ ticker: string; spec: AlertSpec }> {
  const w = words(text);
  if (w.length === 0) return { ok: false, message: ALERT_USAGE };
  const t = parseTicker(w[0]!);
  if (!t.ok) return t;
  const ticker = t.value;
  const rest = w.slice(1);
  if (rest.length === 0)
    return { ok: false, message: `Say what to watch. ${ALERT_USAGE.replace(/TICKER/g, ticker)}` };
  if (/^moves?$/i.test(rest[0]!)) {
    if (rest.length !== 2) return { ok: false, message: `Say how far, like /alert ${ticker} moves 5c.` };
    const m = parseMove(rest[1]!);
    return m.ok ? { ok: true, value: { ticker, spec: { kind: "move", step: m.value } } } : m;
  }
  const side = parseSide(rest[0]!);
  if (!side) {
    return {
      ok: false,
      message: parseOp(rest[0]!)
        ? `Say which side: /alert ${ticker} yes ${rest.slice(0).join(" ")} or /alert ${ticker} no ${rest.join(" ")}.`
        : `“${rest[0]}” is not a side. ${ALERT_USAGE.replace(/TICKER/g, ticker)}`,
    };
  }
  const op = rest[1] === undefined ? null : parseOp(rest[1]);
  if (!op || rest.length !== 3) {
    return { ok: false, message: `Say >= or <= and a price, like /alert ${ticker} ${side} >= 0.40.` };
  }
  const level = parsePriceInput(rest[2]!);
  if (!level.ok) return level;
  if (level.value % MICROS_PER_CENT !== 0)
    return { ok: false, message: `Use whole cents for an alert level, like 0.40 or 40c.` };
  return { ok: true, value: { ticker, spec: { kind: "level", side, op, level: level.value } } };
}
