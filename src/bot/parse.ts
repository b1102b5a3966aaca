/** Parsing of what the user types: tickers, sides, counts, prices, date ranges. */
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  displayUsd,
  tryParseCount,
  tryParseDollars,
} from "../domain/money.js";
import { zonedParts, zoneOffsetMinutes } from "../domain/time.js";
import type { OutcomeSide } from "../exchange/port.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const TICKER = /^[A-Z0-9][A-Z0-9._-]{1,99}$/;
export const MAX_COUNT = 1_000_000;

export function looksLikeTicker(s: string): boolean {
  const t = s.trim().toUpperCase();
  return TICKER.test(t) && /[-_.]/.test(t) && !/\s/.test(s.trim());
}

export function parseTicker(s: string): Parsed<string> {
  const t = s.trim().toUpperCase();
  if (!TICKER.test(t))
    return { ok: false, message: `“${s.trim()}” is not a market ticker (for example KXHIGHNY-26NOV25-B45).` };
  return { ok: true, value: t };
}

export function parseSide(s: string): OutcomeSide | null {
  const t = s.trim().toLowerCase();
  return t === "yes" || t === "y" ? "yes" : t === "no" || t === "n" ? "no" : null;
}

/** A positive number of contracts, at most two decimals ("10", "2.5"). */
export function parseCountInput(s: string): Parsed<Centis> {
  const t = s.trim();
  const c = /^\d+(\.\d{1,2})?$/.test(t) ? tryParseCount(t) : null;
  if (c === null || c <= 0) {
    return { ok: false, message: `“${t}” is not a number of contracts. Send a whole number such as 10.` };
  }
  if (c > MAX_COUNT * 100)
    return { ok: false, message: `${t} contracts is more than the bot accepts in one order (${MAX_COUNT}).` };
  return { ok: true, value: c };
}

/** The most a dollar amount may be (the bot's most contracts per order at $1 each). */
const MAX_DOLLARS = MAX_COUNT;

/**
 * A dollar amount to size a buy by: "$25", "$25.50", "$0.50" (whole cents); with `bare`, also without
 * the dollar sign ("25", after the count step's "$ amount" button asked for one).
 */
export function parseDollarAmount(s: string, opts: { bare?: boolean } = {}): Parsed<Micros> {
  const t = s.trim();
  const m = (
    opts.bare ? /^\$?\s*(\d+(?:\.\d{1,2})?|\.\d{1,2})$/ : /^\$\s*(\d+(?:\.\d{1,2})?|\.\d{1,2})$/
  ).exec(t);
  const v = m ? tryParseDollars(m[1]!) : null;
  if (v === null)
    return { ok: false, message: `“${t}” is not a dollar amount. Send one like $25 or $12.50.` };
  if (v <= 0) return { ok: false, message: `“${t}” buys nothing. Send an amount above $0, like $25.` };
  if (v > MAX_DOLLARS * MICROS_PER_DOLLAR)
    return {
      ok: false,
      message: `${t} is more than the bot sizes in one order (${displayUsd((MAX_DOLLARS * MICROS_PER_DOLLAR) as Micros)}).`,
    };
  return { ok: true, value: v };
}

/** True when a token is written as a price ("@0.42", "42c", "42¢", "0.42", ".42", "$0.42"). */
export function looksLikePrice(s: string): boolean {
  const t = s.trim();
  return /^@/.test(t) || /^\d+(\.\d*)?\s*[c¢]$/i.test(t) || /^\$/.test(t) || /^0?\.\d+$/.test(t);
}

/**
 * A price between $0.0001 and $0.9999. Accepts "0.42", "@0.42", "$0.42", "42c", "@42¢", and a bare
 * whole number 1–99 as cents ("42" = 42¢). A dollar sign means dollars: "$1", "$5", "$1.00" are
 * refused with a sentence (a price is below $1), never read as 1¢ or 5¢.
 */
export function parsePriceInput(s: string): Parsed<Micros> {
  const raw = s.trim();
  let t = raw.replace(/^@\s*/, "");
  const bad: Parsed<Micros> = {
    ok: false,
    message: `“${raw}” is not a price. Send it in dollars or cents, for example 0.42 or 42c.`,
  };
  let value: Micros | null = null;
  const cents = /^(\d+(?:\.\d{1,2})?)\s*[c¢]$/i.exec(t);
  if (cents) {
    const v = tryParseDollars(cents[1]!);
    value = v === null ? null : ((v / 100) as Micros);
  } else {
    const dollarSign = /^\$/.test(t);
    t = t.replace(/^\$\s*/, "");
    // A bare whole number 1–99 means cents ("42"); after a dollar sign it means dollars ("$5").
    if (!dollarSign && /^\d{1,2}$/.test(t)) value = (Number(t) * MICROS_PER_CENT) as Micros;
    else if (/^\d*\.\d{1,4}$/.test(t) || /^\d+$/.test(t)) value = tryParseDollars(t);
  }
  if (value === null || !Number.isSafeInteger(value)) return bad;
  if (value >= MICROS_PER_DOLLAR) {
    // "$5" is five dollars, never 5¢: say what was read and how to write cents (only when that
    // is a price: "$100" gets no "send 100c").
    const whole = /^\d{1,2}$/.test(t) && Number(t) > 0 ? ` For ${Number(t)}¢ send ${Number(t)}c.` : "";
    return {
      ok: false,
      message: `“${raw}” is ${displayUsd(value)}, but a price is between $0.01 and $0.99 (a winning contract pays $1).${whole}`,
    };
  }
  if (value <= 0) {
    return { ok: false, message: `“${raw}” is not a price: a price is between $0.01 and $0.99.` };
  }
  return { ok: true, value };
}

export interface TradeArgs {
  ticker?: string;
  /** Words to search markets for, when the first word is not a ticker ("bitcoin 100k"). */
  search?: string;
  outcome?: OutcomeSide;
  count?: Centis;
  /** A dollar amount where the count goes (`/buy TICKER yes $25`): the buy is sized by it. */
  dollars?: Micros;
  price?: Micros;
  /** Sentences about parts that were given but invalid (those parts are then asked for). */
  problems: string[];
}

/**
 * `/buy TICKER yes 10 @0.42`: every part optional, in this order; invalid parts are reported. A dollar
 * amount in the count's place (`/buy TICKER yes $25`, `… $25 @0.60`) sizes the buy by dollars. When the
 * first word is not a ticker (tickers have a dash: KXHIGHNY-26NOV25-B45), the words up to a side word
 * are search words: `/buy bitcoin 100k` and `/buy bitcoin 100k yes 5 @0.40`.
 */
export function parseTradeArgs(text: string): TradeArgs {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const out: TradeArgs = { problems: [] };
  let i = 0;
  const tok = () => tokens[i];
  if (tok() !== undefined && parseSide(tok()!) === null && !looksLikePrice(tok()!) && !/^\d+$/.test(tok()!)) {
    if (looksLikeTicker(tok()!)) {
      out.ticker = tok()!.trim().toUpperCase();
      i++;
    } else {
      const words: string[] = [];
      while (tok() !== undefined && parseSide(tok()!) === null) words.push(tokens[i++]!);
      out.search = words.join(" ");
    }
  }
  if (tok() !== undefined) {
    const side = parseSide(tok()!);
    if (side) {
      out.outcome = side;
      i++;
    } else if (!/^\d/.test(tok()!) && !looksLikePrice(tok()!)) {
      out.problems.push(`“${tok()}” is not a side; use yes or no.`);
      i++;
    }
  }
  if (tok() !== undefined && /^\$/.test(tok()!)) {
    // "$25" where the count goes is dollars to spend (a price comes after a count: "… 5 $0.42").
    const d = parseDollarAmount(tok()!);
    if (d.ok) out.dollars = d.value;
    else out.problems.push(d.message);
    i++;
  } else if (tok() !== undefined && !looksLikePrice(tok()!)) {
    const c = parseCountInput(tok()!);
    if (c.ok) out.count = c.value;
    else out.problems.push(c.message);
    i++;
  }
  if (tok() !== undefined) {
    const p = parsePriceInput(tok()!);
    if (p.ok) out.price = p.value;
    else out.problems.push(p.message);
    i++;
  }
  if (i < tokens.length) out.problems.push(`I ignored “${tokens.slice(i).join(" ")}”.`);
  return out;
}

const DAY_MS = 86_400_000;

/** Epoch ms of local midnight starting the calendar day y-m-d in the zone. */
export function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - zoneOffsetMinutes(guess, timeZone) * 60_000;
  t = guess - zoneOffsetMinutes(t, timeZone) * 60_000;
  return t;
}

export interface DateRange {
  fromMs: number;
  toMs: number;
  label: string;
}

function parseDate(s: string): { y: number; m: number; d: number } | null {
  const mm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!mm) return null;
  const y = Number(mm[1]);
  const m = Number(mm[2]);
  const d = Number(mm[3]);
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return { y, m, d };
}

/** `today` (midnight to now) or `yesterday` (the whole day), days in the display zone. */
function namedDay(t: string, now: number, timeZone: string): DateRange | null {
  if (t !== "today" && t !== "yesterday") return null;
  const p = zonedParts(now, timeZone);
  const today = zonedMidnight(p.year, p.month, p.day, timeZone);
  if (t === "today") return { fromMs: today, toMs: now, label: `today (${timeZone})` };
  return {
    fromMs: zonedMidnight(p.year, p.month, p.day - 1, timeZone),
    toMs: today - 1,
    label: `yesterday (${timeZone})`,
  };
}

/**
 * "" (7 days), "7d", "30d", any "<n>d" up to 366, "today", "yesterday", or "YYYY-MM-DD YYYY-MM-DD"
 * (inclusive, in the zone).
 */
export function parseRange(args: string, now: number, timeZone: string): Parsed<DateRange> {
  const t = args.trim().toLowerCase();
  const usage = "Use today, yesterday, 7d, 30d, or two dates like 2026-11-01 2026-11-24.";
  if (t === "") return { ok: true, value: { fromMs: now - 7 * DAY_MS, toMs: now, label: "last 7 days" } };
  const day = namedDay(t, now, timeZone);
  if (day) return { ok: true, value: day };
  const days = /^(\d{1,3})d$/.exec(t);
  if (days) {
    const n = Number(days[1]);
    if (n < 1 || n > 366) return { ok: false, message: `The range must be 1 to 366 days. ${usage}` };
    return {
      ok: true,
      value: { fromMs: now - n * DAY_MS, toMs: now, label: `last ${n} day${n === 1 ? "" : "s"}` },
    };
  }
  const parts = t.split(/\s+/);
  if (parts.length === 2) {
    const a = parseDate(parts[0]!);
    const z = parseDate(parts[1]!);
    if (!a || !z) return { ok: false, message: `“${args.trim()}” has a date I can't read. ${usage}` };
    const fromMs = zonedMidnight(a.y, a.m, a.d, timeZone);
    const toMs = zonedMidnight(z.y, z.m, z.d + 1, timeZone) - 1;
    if (toMs < fromMs) return { ok: false, message: `The first date must not be after the second. ${usage}` };
    return { ok: true, value: { fromMs, toMs, label: `${parts[0]} to ${parts[1]} (${timeZone})` } };
  }
  return { ok: false, message: `I can't read the range “${args.trim()}”. ${usage}` };
}
