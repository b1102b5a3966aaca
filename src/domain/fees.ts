/**
 * Kalshi's quadratic trading fee (API.md §7):
 *   fee = rate × fee_multiplier × C × P × (1 − P)
 * taker rate 0.07; maker rate 0.0175 on `quadratic_with_maker_fees`, 0.035 on
 * `quadratic_with_combo_maker_fees`, 0 on plain `quadratic`. The exchange rounds the fee up to
 * $0.0001 and floors a retail account's balance change (revenue − fee) to whole cents, charging the
 * difference as a rounding fee (`withRoundingFee`). With whole-cent revenue that is
 * ceil_to_cent(fee); at sub-cent prices ($0.061 × 7 = $0.427) the revenue's own sub-cent digits
 * count too. The exchange's reported `fee_cost` is authoritative; this is the estimate shown on a
 * quote before the order exists.
 */
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  micros,
  roundMicros,
} from "./money.js";

export type FeeType = "quadratic" | "quadratic_with_maker_fees" | "quadratic_with_combo_maker_fees" | "flat";

/** Rates as parts per million. */
const TAKER_RATE_PPM = 70_000n;
const MAKER_RATE_PPM: Record<FeeType, bigint> = {
  quadratic: 0n,
  quadratic_with_maker_fees: 17_500n,
  quadratic_with_combo_maker_fees: 35_000n,
  // The flat table is not published in machine-readable form; estimate flat series like quadratic.
  flat: 0n,
};

export interface FeeInput {
  price: Micros; // YES price of the fill, in [0, 1]
  count: Centis;
  role: "taker" | "maker";
  feeType?: FeeType;
  /** Series fee multiplier (a double in the API); default 1. */
  multiplier?: number;
  /** Round up to this step (micro-dollars). Default whole cents (retail accounts). */
  roundTo?: number;
}

/** The unrounded-then-ceiled fee for one fill, in micro-dollars. */
export function estimateFee(input: FeeInput): Micros {
  const { price, count, role, feeType = "quadratic", multiplier = 1, roundTo = MICROS_PER_CENT } = input;
  if (price < 0 || price > MICROS_PER_DOLLAR) throw new RangeError(`price outside $0..$1: ${price}`);
  if (count < 0) throw new RangeError(`negative count: ${count}`);
  const ratePpm = role === "taker" ? TAKER_RATE_PPM : MAKER_RATE_PPM[feeType];
  if (ratePpm === 0n || count === 0) return micros(0);
  const multBp = BigInt(Math.round(multiplier * 10_000)); // multiplier in 1/10000
  const p = BigInt(price);
  const q = BigInt(MICROS_PER_DOLLAR - price);
  // fee[$] = rate_ppm/1e6 × mult_bp/1e4 × count/100 × p/1e6 × q/1e6
  // fee[micros] = that × 1e6 = rate_ppm × mult_bp × count × p × q / (1e6 × 1e4 × 100 × 1e6)
  const num = ratePpm * multBp * BigInt(count) * p * q;
  const den = 1_000_000n * 10_000n * 100n * 1_000_000n;
  // ceil to $0.0001 first (the exchange's fee precision), then to the account's step.
  const step1 = den * 100n; // $0.0001 = 100 micros
  const in4 = (num + step1 - 1n) / step1; // units of $0.0001
  const microsVal = in4 * 100n;
  const step = BigInt(roundTo);
  const rounded = ((microsVal + step - 1n) / step) * step;
  return micros(Number(rounded));
}

/**
 * The net fee of one fill (API.md §7, rounding): `tradeFee` (already rounded up to $0.0001, i.e.
 * `estimateFee({ ..., roundTo: 100 })`) plus the rounding fee that floors the balance change
 * (`revenue` − `tradeFee`) to `step` (whole cents for a retail account). `revenue` is the fill's cash:
 * negative for what a buy pays, positive for what a sell brings in. Kalshi's per-order accumulator
 * later refunds whole cents of accumulated rounding fees, which a single fill never reaches.
 * Example: buy 7 @ $0.061 → revenue −$0.427, trade fee $0.0281, change −$0.4551 → −$0.46: fee $0.033.
 */
export function withRoundingFee(tradeFee: Micros, revenue: Micros, step: number = MICROS_PER_CENT): Micros {
  const change = micros(revenue - tradeFee);
  return micros(tradeFee + (change - roundMicros(change, step, "floor")));
}
