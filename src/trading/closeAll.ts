/**
 * "Close all": one market sell of every open position, priced first for ONE confirmation, then placed
 * once each. Nothing here decides a price or a wire field of its own: every sell is the executor's
 * own quote of a market sell (an immediate_or_cancel order with reduce_only, as Kalshi allows: API.md
 * 3.4a) and its own place(), so the slippage cap, the price re-check before the POST, the
 * client_order_id dedup and the outcome classification are the ones /sell uses. Outcomes are values
 * per position, so a partial failure is told position by position.
 */
import { type Centis, type Micros, CENTIS_PER_CONTRACT, displayCount, micros } from "../domain/money.js";
import type { OutcomeSide } from "../exchange/port.js";
import { type OrderExecutor, type PlaceOutcome, type Quote, UserError } from "./types.js";

/** A position to close: what the list showed. */
export interface CloseTarget {
  ticker: string;
  title: string;
  outcome: OutcomeSide;
  count: Centis;
}

/** A position with its quote (the count is the whole contracts held). */
export interface ClosePlanned {
  target: CloseTarget;
  quote: Quote;
  /** Expected proceeds after the fee: the walk of the book when there is one, else the worst case. */
  net: Micros;
}

/** A position that cannot be sold now; `reason` is a UserError (its sentence) or an error to describe. */
export interface CloseSkipped {
  target: CloseTarget;
  reason: unknown;
}

export interface ClosePlan {
  planned: ClosePlanned[];
  skipped: CloseSkipped[];
  /** Σ expected proceeds after fees of the planned sells. */
  net: Micros;
  /** Σ expected fees of the planned sells. */
  fees: Micros;
  /** The earliest quote expiry: after it the plan must be priced again. */
  expiresAt: number;
}

export interface CloseResult {
  target: CloseTarget;
  quote: Quote;
  outcome: PlaceOutcome;
}

/** How many quotes or orders are under way at once (the adapter paces its own requests). */
const IN_FLIGHT = 4;

/** Runs `fn` over `items` with at most `limit` at a time; results in the order of `items`. */
async function inOrder<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The whole contracts of a count (a quote takes whole contracts only). */
function wholeOf(c: Centis): Centis {
  return (Math.floor(c / CENTIS_PER_CONTRACT) * CENTIS_PER_CONTRACT) as Centis;
}

/** Prices a market sell of each target; what cannot be sold now is listed with its reason. */
export async function planCloseAll(
  executor: Pick<OrderExecutor, "quote">,
  targets: readonly CloseTarget[],
): Promise<ClosePlan> {
  const priced = await inOrder(targets, IN_FLIGHT, async (target) => {
    const count = wholeOf(target.count);
    if (count <= 0) {
      const why = `${displayCount(target.count)} is less than one whole contract, which is the least Kalshi sells.`;
      return { target, reason: new UserError(why, "invalid_count") };
    }
    try {
      const quote = await executor.quote({
        ticker: target.ticker,
        outcome: target.outcome,
        action: "sell",
        count,
        kind: "market",
      });
      const f = quote.fill;
      const net = f ? micros(f.value - f.fee) : micros(quote.estimatedCost - quote.estimatedFee);
      return { target, quote, net };
    } catch (e) {
      return { target, reason: e };
    }
  });
  const planned = priced.filter((x): x is ClosePlanned => "quote" in x);
  const skipped = priced.filter((x): x is CloseSkipped => "reason" in x);
  return {
    planned,
    skipped,
    net: micros(planned.reduce((a, p) => a + p.net, 0)),
    fees: micros(planned.reduce((a, p) => a + (p.quote.fill?.fee ?? p.quote.estimatedFee), 0)),
    expiresAt: Math.min(...planned.map((p) => p.quote.expiresAt), Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Places each confirmed sell once (the executor shares a placement of the same quote, so a repeat
 * sends nothing twice). A throw of place() is a bug after which the order may exist: an open outcome.
 */
export async function closeAll(
  executor: Pick<OrderExecutor, "place">,
  planned: readonly ClosePlanned[],
): Promise<CloseResult[]> {
  return inOrder(planned, IN_FLIGHT, async ({ target, quote }) => {
    const outcome = await executor
      .place(quote)
      .catch((e: unknown): PlaceOutcome => ({ kind: "unknown", cause: e, checked: false }));
    return { target, quote, outcome };
  });
}
