/**
 * A limit price off the market's price grid, said as a question the trader can answer with one tap:
 * "$0.905 is not on this market's $0.01 steps: $0.90 or $0.91?". The grid is the market's own
 * price_ranges (tapered markets step $0.001 near $0 and $1, $0.01 between); a NO price is checked as
 * the YES price it is sent as, and the neighbours are named back in NO prices.
 */
import { type Micros, displayPrice, micros } from "../../domain/money.js";
import type { Market, OutcomeSide } from "../../exchange/port.js";
import { describeGrid, isValidPrice, snapDown, snapUp } from "../../trading/prices.js";
import { wireYesPrice } from "../../trading/quote.js";

export interface OffGrid {
  /** The sentence, ending in the question. */
  sentence: string;
  /** The nearest valid prices of the outcome, lowest first (one or two). */
  nearest: Micros[];
}

/** Null when `price` (of `outcome`) is on the grid. */
export function offGrid(
  market: Pick<Market, "priceRanges">,
  outcome: OutcomeSide,
  price: Micros,
): OffGrid | null {
  const yes = wireYesPrice(outcome, price);
  if (isValidPrice(market, yes)) return null;
  const back = (y: Micros | null) => (y === null ? null : wireYesPrice(outcome, y));
  const nearest = [back(snapDown(market, yes)), back(snapUp(market, yes))]
    .filter((p): p is Micros => p !== null)
    .sort((a, b) => a - b)
    .filter((p, i, all) => i === 0 || p !== all[i - 1]);
  const step = stepAt(market, yes);
  const steps =
    step === null
      ? `this market's grid (${describeGrid(market)})`
      : `this market's ${displayPrice(step)} steps`;
  const asked = nearest.map((p) => displayPrice(p));
  const question =
    asked.length === 2 ? `${asked[0]} or ${asked[1]}?` : `the nearest is ${asked[0] ?? "none"}.`;
  return { sentence: `${displayPrice(price)} is not on ${steps}: ${question}`, nearest };
}

/** The step of the price range a YES price falls in (the finer one on a boundary); null: outside all. */
function stepAt(market: Pick<Market, "priceRanges">, yes: number): Micros | null {
  const steps = market.priceRanges
    .filter((r) => r.step > 0 && yes > r.start && yes < r.end)
    .map((r) => r.step as number);
  return steps.length ? micros(Math.min(...steps)) : market.priceRanges.length ? null : micros(10_000);
}
