/**
 * Dollar sizing (issue 13): "/buy TICKER yes $25" buys the largest whole count whose worst-case cost
 * plus Kalshi's fee fits the amount. Pure, integer money only: the quoter hands in the order's worst
 * price (a market order's touch + slippage, or the limit) and the series fee schedule it already read,
 * so the count and the quote's own figures are computed the same way and the quote never shows more
 * than the amount. The risk caps and the balance are checked after the conversion, by the quote, like
 * for any typed count: a dollar amount is never quietly shrunk to fit a cap.
 */
import { estimateFee, withRoundingFee } from "../domain/fees.js";
import {
  type Centis,
  type Micros,
  CENTIS_PER_CONTRACT,
  displayCount,
  displayFee,
  displayPrice,
  displayUsd,
  micros,
  mulPriceCount,
} from "../domain/money.js";
import type { Market } from "../exchange/port.js";
import type { FeeInfo } from "./feeSchedule.js";
import type { BestPrices } from "./prices.js";
import { OUTCOME_LABEL, type QuoteLimits, checkIntent, orderPrice } from "./quote.js";
import { type OrderIntent, type QuoteSizing, UserError } from "./types.js";

/** Above this many contracts no order is sized (the bot's own most per order, src/bot/parse.ts). */
const MAX_SIZED_CONTRACTS = 1_000_000;

/** What one contract of the order costs at worst and how its fee is charged. */
export interface UnitPrice {
  /** The worst price of the bought outcome (a market order's touch + slippage, or the limit). */
  price: Micros;
  /** The YES price on the wire (the fee is computed from it). */
  yesPrice: Micros;
  /** Taker when the order takes liquidity now, maker when it rests. */
  role: "taker" | "maker";
  fees: Pick<FeeInfo, "feeType" | "multiplier">;
}

/** The worst-case cash of buying `count`: price × count (rounded up) and the fee as Kalshi charges it. */
export function buyOutlay(count: Centis, u: UnitPrice): { cost: Micros; fee: Micros } {
  const cost = mulPriceCount(u.price, count, "ceil");
  const tradeFee = estimateFee({
    price: u.yesPrice,
    count,
    role: u.role,
    feeType: u.fees.feeType,
    multiplier: u.fees.multiplier,
    roundTo: 100,
  });
  return { cost, fee: withRoundingFee(tradeFee, micros(-cost)) };
}

/**
 * The largest whole count whose cost + fee is at most `budget` (0 when not even one contract fits),
 * with that cost and fee. Cost + fee grows with the count, so a binary search over whole contracts
 * finds it exactly.
 */
export function countForBudget(budget: Micros, u: UnitPrice): QuoteSizing {
  const fits = (whole: number) => {
    const o = buyOutlay((whole * CENTIS_PER_CONTRACT) as Centis, u);
    return o.cost + o.fee <= budget;
  };
  let lo = 0;
  let hi = u.price > 0 ? Math.min(Math.floor(budget / u.price), MAX_SIZED_CONTRACTS) : MAX_SIZED_CONTRACTS;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const count = (lo * CENTIS_PER_CONTRACT) as Centis;
  return { budget, count, ...buyOutlay(count, u) };
}

/** "$25.00 buys 39 YES contracts at worst $0.63 + fee $0.72" (plain text). */
export function sizingSentence(s: QuoteSizing, outcome: OrderIntent["outcome"], price: Micros): string {
  const n = displayCount(s.count);
  const what = `${n} ${OUTCOME_LABEL[outcome]} contract${s.count === CENTIS_PER_CONTRACT ? "" : "s"}`;
  return `${displayUsd(s.budget)} buys ${what} at worst ${displayPrice(price)} + fee ${displayFee(s.fee)}`;
}

/** A dollar amount turned into an order: the intent with its count, how, and its worst price. */
export interface Sized {
  intent: OrderIntent;
  sizing: QuoteSizing;
  price: Micros;
}

/** Caps and balance refusals of a sized order: said after what the amount bought. */
const AFTER_SIZING = new Set(["over_contract_limit", "over_cost_limit", "insufficient_balance"]);

/**
 * The intent with `count` set from its `budget` at the market's prices now; throws a UserError when
 * the amount is not a positive amount, the order is a sell, or not even one contract fits (code
 * `budget_too_small`). The contract cap is checked on the count it gives.
 */
export function sizeToBudget(
  intent: OrderIntent & { budget: Micros },
  p: { market: Market; best: BestPrices; fees: FeeInfo; limits: QuoteLimits },
): Sized {
  const { budget } = intent;
  if (intent.action !== "buy")
    throw new UserError("A dollar amount sizes buys only; send how many contracts to sell.", "invalid_count");
  if (!Number.isSafeInteger(budget) || budget <= 0)
    throw new UserError("Send a dollar amount above $0, like $25.", "invalid_count");
  const { price, yesPrice } = orderPrice(intent, p.market, p.best, p.limits.marketOrderSlippage);
  // Sized with the taker fee even for a limit that rests now: the book can move onto it before it
  // reaches Kalshi, and then it pays the taker fee; the amount must hold either way.
  const sizing = countForBudget(budget, { price, yesPrice, role: "taker", fees: p.fees });
  if (sizing.count === 0) {
    const one = buyOutlay(CENTIS_PER_CONTRACT as Centis, {
      price,
      yesPrice,
      role: "taker",
      fees: p.fees,
    });
    throw new UserError(
      `${displayUsd(budget)} does not buy one ${OUTCOME_LABEL[intent.outcome]} contract: one costs ${displayPrice(price)} at worst + fee ${displayFee(one.fee)} (${displayUsd(micros(one.cost + one.fee), { exact: true })}). Nothing was placed; send a larger amount or a count.`,
      "budget_too_small",
    );
  }
  const sized: Sized = { intent: { ...intent, count: sizing.count }, sizing, price };
  afterSizing(sized, () => checkIntent(sized.intent, p.limits));
  return sized;
}

/** Runs a check of the sized order; its refusal (a cap, the balance) starts with what the amount bought. */
export function afterSizing<T>(s: Sized, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof UserError) || !AFTER_SIZING.has(e.code)) throw e;
    throw new UserError(`${sizingSentence(s.sizing, s.intent.outcome, s.price)}. ${e.message}`, e.code);
  }
}
