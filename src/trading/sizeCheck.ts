/**
 * The order-size caps (MAX_ORDER_CONTRACTS, MAX_ORDER_COST_DOLLARS) checked as soon as the count is
 * known, before the rest of the order is asked: a trader who types 5,000 hears about the cap at the
 * count, not after choosing Market or Limit. The quote (quote.ts) checks the same caps again with the
 * final price; this check uses the price known so far (the limit, else the best ask) and never
 * refuses what the quote would accept: only the part of a buy that opens a position counts toward the
 * cost cap, as in quote.ts.
 */
import {
  type Centis,
  CENTIS_PER_CONTRACT,
  displayCount,
  displayPrice,
  displayUsd,
  isWholeContracts,
  mulPriceCount,
} from "../domain/money.js";
import type { ExchangePort, OutcomeSide } from "../exchange/port.js";
import { OUTCOME_LABEL, type QuoteLimits, heldOf } from "./quote.js";
import { type SizeDraft, UserError } from "./types.js";

export type SizeCheck = (d: SizeDraft) => Promise<void>;

/** Throws a UserError (codes as in quote.ts) when the count breaks a cap. */
export function createSizeCheck(deps: {
  exchange: Pick<ExchangePort, "getPositions">;
  limits: Pick<QuoteLimits, "maxOrderContracts" | "maxOrderCost">;
}): SizeCheck {
  const { limits } = deps;
  return async function checkSize(d) {
    if (!Number.isSafeInteger(d.count) || d.count <= 0 || !isWholeContracts(d.count))
      throw new UserError("Count must be a whole number of contracts, like 10.", "invalid_count");
    const whole = d.count / CENTIS_PER_CONTRACT;
    if (whole > limits.maxOrderContracts) {
      throw new UserError(
        `${whole} contracts is above your limit of ${limits.maxOrderContracts} per order (MAX_ORDER_CONTRACTS).`,
        "over_contract_limit",
      );
    }
    if (d.action !== "buy" || d.price === null || d.price <= 0) return;
    if (mulPriceCount(d.price, d.count, "ceil") <= limits.maxOrderCost) return;
    // Over the cap at first sight: only the opening part counts (a buy first sells the other outcome held).
    const positions = await deps.exchange.getPositions({ ticker: d.ticker });
    const signed = positions.find((p) => p.ticker.toUpperCase() === d.ticker.toUpperCase())?.position ?? 0;
    const other: OutcomeSide = d.outcome === "yes" ? "no" : "yes";
    const opening = Math.max(d.count - heldOf(other, signed), 0) as Centis;
    const cost = mulPriceCount(d.price, opening, "ceil");
    if (cost <= limits.maxOrderCost) return;
    const most = Math.floor(limits.maxOrderCost / d.price);
    const fits = Math.floor((heldOf(other, signed) as number) / CENTIS_PER_CONTRACT) + most;
    throw new UserError(
      `${displayCount(d.count)} ${OUTCOME_LABEL[d.outcome]} at ${displayPrice(d.price)} would cost ${displayUsd(cost)}, above your limit of ${displayUsd(limits.maxOrderCost)} per order (MAX_ORDER_COST_DOLLARS); ${fits} is the most at that price.`,
      "over_cost_limit",
    );
  };
}
