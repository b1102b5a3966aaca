/**
 * Money and contract counts as integers of a fixed scale. Never floats.
 *
 * - Dollars are held as micro-dollars (1 = $0.000001), the finest precision Kalshi's
 *   FixedPointDollars strings carry (up to 6 decimals).
 * - Contract counts are held as centi-contracts (1 = 0.01 contract), Kalshi's FixedPointCount
 *   precision (2 decimals).
 *
 * Values are plain JavaScript numbers that are always safe integers, so they survive JSON
 * (conversation replay, persisted state) unchanged. Products that could exceed 2^53 are done in
 * BigInt internally.
 */

export type Micros = number & { readonly __unit: "micro-dollars" };
export type Centis = number & { readonly __unit: "centi-contracts" };

export const MICROS_PER_DOLLAR = 1_000_000;
export const MICROS_PER_CENT = 10_000;
export const CENTIS_PER_CONTRACT = 100;
/** $1.00: what one contract pays at settlement. */
export const ONE_DOLLAR = MICROS_PER_DOLLAR as Micros;
export const ZERO_MICROS = 0 as Micros;

export class MoneyParseError extends Error {
  constructor(
    readonly input: unknown,
    readonly kind: "dollars" | "count",
  ) {
    super(`not a valid ${kind === "dollars" ? "dollar amount" : "contract count"}: ${JSON.stringify(input)}`);
    this.name = "MoneyParseError";
  }
}

function checkSafe<T extends number>(n: number, what: string): T {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} out of range: ${n}`);
  return n as T;
}

export function micros(n: number): Micros {
  return checkSafe<Micros>(n, "micro-dollar amount");
}

export function centis(n: number): Centis {
  return checkSafe<Centis>(n, "centi-contract count");
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$/;
const DECIMAL_LEADING_DOT = /^([+-])?()\.(\d+)$/;

function parseScaled(input: string, scaleDigits: number): number | null {
  const s = input.trim();
  const m = DECIMAL.exec(s) ?? DECIMAL_LEADING_DOT.exec(s);
  if (!m) return null;
  const sign = m[1] === "-" ? -1 : 1;
  const whole = m[2] || "0";
  const frac = m[3] ?? "";
  if (frac.length > scaleDigits) {
    // Allow trailing zeros beyond the scale ("0.56000000"), nothing else.
    if (!/^0*$/.test(frac.slice(scaleDigits))) return null;
  }
  const fracPadded = (frac + "0".repeat(scaleDigits)).slice(0, scaleDigits);
  const n = Number(whole) * 10 ** scaleDigits + Number(fracPadded || "0");
  if (!Number.isSafeInteger(n)) return null;
  return sign * n === 0 ? 0 : sign * n;
}

/** Parses a FixedPointDollars string ("0.5600", "12", "-3.25") exactly. Throws MoneyParseError. */
export function parseDollars(input: string): Micros {
  if (typeof input !== "string") throw new MoneyParseError(input, "dollars");
  const n = parseScaled(input, 6);
  if (n === null) throw new MoneyParseError(input, "dollars");
  return n as Micros;
}

/** Like parseDollars but returns null instead of throwing. */
export function tryParseDollars(input: string): Micros | null {
  try {
    return parseDollars(input);
  } catch {
    return null;
  }
}

/** Parses a FixedPointCount string ("10.00", "2.5", "3") exactly. Throws MoneyParseError. */
export function parseCount(input: string): Centis {
  if (typeof input !== "string") throw new MoneyParseError(input, "count");
  const n = parseScaled(input, 2);
  if (n === null) throw new MoneyParseError(input, "count");
  return n as Centis;
}

export function tryParseCount(input: string): Centis | null {
  try {
    return parseCount(input);
  } catch {
    return null;
  }
}

/** Whole cents (Kalshi's integer `balance`, `revenue`) to micro-dollars. */
export function centsToMicros(cents: number): Micros {
  if (!Number.isSafeInteger(cents)) throw new MoneyParseError(cents, "dollars");
  return micros(cents * MICROS_PER_CENT);
}

export function contracts(whole: number): Centis {
  if (!Number.isSafeInteger(whole)) throw new MoneyParseError(whole, "count");
  return centis(whole * CENTIS_PER_CONTRACT);
}

function formatScaled(n: number, scaleDigits: number, minDecimals: number): string {
  const neg = n < 0;
  const abs = Math.abs(n);
  const scale = 10 ** scaleDigits;
  const whole = Math.floor(abs / scale);
  let frac = String(abs % scale).padStart(scaleDigits, "0");
  while (frac.length > minDecimals && frac.endsWith("0")) frac = frac.slice(0, -1);
  return `${neg ? "-" : ""}${whole}${frac.length ? "." + frac : ""}`;
}

/**
 * Wire format for Kalshi requests and sim responses: at least 4 decimals ("0.5600"), up to 6 when
 * the value needs them ("0.012345").
 */
export function formatDollars(m: Micros, minDecimals = 4): string {
  return formatScaled(m, 6, minDecimals);
}

/** Wire format for counts: always 2 decimals ("10.00"). */
export function formatCount(c: Centis): string {
  return formatScaled(c, 2, 2);
}

/** For people: "10" or "2.5" contracts. */
export function displayCount(c: Centis): string {
  return formatScaled(c, 2, 0);
}

/**
 * For people: "$1,234.56", "-$0.40". Amounts are rounded half away from zero to cents unless
 * `exact` is set, in which case sub-cent digits are kept ("$0.0125").
 */
export function displayUsd(m: Micros, opts: { exact?: boolean; sign?: boolean } = {}): string {
  const neg = m < 0;
  const abs = Math.abs(m);
  let body: string;
  if (opts.exact && abs % MICROS_PER_CENT !== 0) {
    body = formatScaled(abs, 6, 2);
  } else {
    const cents = Math.round(abs / MICROS_PER_CENT);
    body = formatScaled(cents, 2, 2);
  }
  const [w, f] = body.split(".");
  const grouped = (w ?? "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  // An amount that rounds to zero shows no sign: "-$0.00" or "+$0.00" would claim a loss or gain.
  const shownZero = !/[1-9]/.test(body);
  const signStr = shownZero ? "" : neg ? "-" : opts.sign && m > 0 ? "+" : "";
  return `${signStr}$${grouped}${f !== undefined ? "." + f : ""}`;
}

/** A price for people: "$0.56", or "$0.055" when it has sub-cent digits. */
export function displayPrice(p: Micros): string {
  return displayUsd(p, { exact: true });
}

/** Precision of an average price and of a fee for people: $0.0001 (Kalshi's fee precision). */
const DISPLAY_STEP = 100;

/**
 * An average price for people, the same in every message (quote, receipt, alert, /status): rounded
 * half-up to $0.0001, trailing zeros dropped down to cents ("$0.12", "$0.634", "$0.1176").
 */
export function displayAvgPrice(p: Micros): string {
  return displayUsd(roundMicros(p, DISPLAY_STEP, "half-up"), { exact: true });
}

/**
 * A fee for people, the same in every message: to $0.0001 as Kalshi reports `fee_cost` (a retail
 * fill's fee is whole cents once the rounding fee is in; a fee split over lots can be finer),
 * trailing zeros dropped down to cents ("$0.17", "$0.036").
 */
export function displayFee(m: Micros): string {
  return displayUsd(roundMicros(m, DISPLAY_STEP, "half-up"), { exact: true });
}

export function addMicros(...xs: Micros[]): Micros {
  let s = 0;
  for (const x of xs) s += x;
  return micros(s);
}

export function subMicros(a: Micros, b: Micros): Micros {
  return micros(a - b);
}

export type Rounding = "floor" | "ceil" | "half-up" | "exact";

function divRound(num: bigint, den: bigint, mode: Rounding): bigint {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  if (mode === "exact") throw new RangeError("value is not exact at this scale");
  // BigInt division truncates toward zero.
  const neg = num < 0n;
  if (mode === "floor") return neg ? q - 1n : q;
  if (mode === "ceil") return neg ? q : q + 1n;
  // half-up: away from zero at .5
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= den) return neg ? q - 1n : q + 1n;
  return q;
}

/** price × count → dollars. Exact when possible; otherwise rounded as asked (default half-up). */
export function mulPriceCount(price: Micros, count: Centis, mode: Rounding = "half-up"): Micros {
  return micros(Number(divRound(BigInt(price) * BigInt(count), 100n, mode)));
}

/** a × num / den with rounding, in BigInt. */
export function scaleMicros(a: Micros, num: number, den: number, mode: Rounding = "half-up"): Micros {
  return micros(Number(divRound(BigInt(a) * BigInt(num), BigInt(den), mode)));
}

/** Rounds to a multiple of `step` micro-dollars (e.g. MICROS_PER_CENT). */
export function roundMicros(a: Micros, step: number, mode: Rounding): Micros {
  return micros(Number(divRound(BigInt(a), BigInt(step), mode)) * step);
}

/** Average price = total / count, rounded half-up to the micro-dollar. Null for a zero count. */
export function averagePrice(total: Micros, count: Centis): Micros | null {
  if (count === 0) return null;
  return micros(Number(divRound(BigInt(total) * 100n, BigInt(count), "half-up")));
}

/** The NO price that corresponds to a YES price, and back: 1 − p. */
export function complementPrice(p: Micros): Micros {
  return micros(MICROS_PER_DOLLAR - p);
}

export function isWholeContracts(c: Centis): boolean {
  return c % CENTIS_PER_CONTRACT === 0;
}
