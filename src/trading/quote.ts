/**
 * Pricing an order intent into a quote, without any I/O: given the market, its best prices, the
 * balance, the position and the fee schedule, either a Quote or a UserError with a plain sentence.
 * Kept pure so every price, cap and balance rule is tested without an exchange (quoter.ts reads the
 * inputs; placeOrder.ts re-prices with the same functions when a quote must be renewed).
 *
 * V2 mapping (the exchange quotes everything from the YES leg):
 *   buy YES @ p → bid @ p        sell YES @ p → ask @ p
 *   buy NO  @ q → ask @ 1 − q    sell NO  @ q → bid @ 1 − q
 * A market order is an immediate_or_cancel limit at the best opposite price ± slippage; a market
 * sell carries reduce_only. A resting sell cannot (Kalshi rejects reduce_only unless
 * immediate_or_cancel): placeOrder.ts caps it at the holding.
 *
 * The position matters for buys too: on Kalshi's single YES book a buy of YES (a bid) first sells NO
 * held in that market, and a buy of NO (an ask) first sells YES held. Such a buy is split into a
 * closing part (k = min(count, held of the other outcome), proceeds at the complement of the price)
 * and an opening part (count − k): only the opening part needs cash and counts toward the cost cap
 * and max loss.
 */
import { marketName } from "../domain/marketName.js";
import { estimateFee, withRoundingFee } from "../domain/fees.js";
import {
  type Centis,
  type Micros,
  CENTIS_PER_CONTRACT,
  ONE_DOLLAR,
  averagePrice,
  complementPrice,
  displayCount,
  displayPrice,
  displayUsd,
  isWholeContracts,
  micros,
  mulPriceCount,
} from "../domain/money.js";
import type { BookSide, Market, Orderbook, OutcomeSide, TimeInForce } from "../exchange/port.js";
import type { FeeInfo } from "./feeSchedule.js";
import { feeOfFills, takeLevels, walkBook } from "./fillEstimate.js";
import {
  type BestPrices,
  describeGrid,
  isValidPrice,
  maxValidPrice,
  minValidPrice,
  outcomePrice,
  snapDown,
  snapUp,
} from "./prices.js";
import { type OrderIntent, type Quote, UserError } from "./types.js";

/** The limits a quote is checked against (from the configuration). */
export interface QuoteLimits {
  /** Largest order in whole contracts (MAX_ORDER_CONTRACTS). */
  maxOrderContracts: number;
  /** Largest cost of one buy order (MAX_ORDER_COST_DOLLARS). */
  maxOrderCost: Micros;
  /** How long a quote may be confirmed (ms). */
  confirmTimeoutMs: number;
  /** Added to (buy) or taken from (sell) the best price for a market order (MARKET_ORDER_SLIPPAGE_DOLLARS). */
  marketOrderSlippage: Micros;
}

export const OUTCOME_LABEL: Record<OutcomeSide, string> = { yes: "YES", no: "NO" };

/** The V2 book side for an intent. */
export function wireSide(outcome: OutcomeSide, action: "buy" | "sell"): BookSide {
  if (outcome === "yes") return action === "buy" ? "bid" : "ask";
  return action === "buy" ? "ask" : "bid";
}

/** The YES price sent on the wire for a price of `outcome`. */
export function wireYesPrice(outcome: OutcomeSide, price: Micros): Micros {
  return outcome === "yes" ? price : complementPrice(price);
}

/** What `outcome` is held in a signed YES position (+ YES, − NO). */
export function heldOf(outcome: OutcomeSide, position: number): Centis {
  return (outcome === "yes" ? Math.max(position, 0) : Math.max(-position, 0)) as Centis;
}

/** The intent's ticker, outcome, action, count and limit checked; the ticker upper-cased. */
export function checkIntent(raw: OrderIntent, limits: QuoteLimits): OrderIntent {
  const ticker = (raw.ticker ?? "").trim().toUpperCase();
  if (!ticker)
    throw new UserError("Which market? Give a ticker, like KXHIGHNY-26NOV25-B45.", "missing_ticker");
  if (raw.outcome !== "yes" && raw.outcome !== "no")
    throw new UserError("Choose YES or NO.", "invalid_outcome");
  if (raw.action !== "buy" && raw.action !== "sell")
    throw new UserError("Choose buy or sell.", "invalid_action");
  const count = raw.count;
  if (!Number.isSafeInteger(count) || count <= 0 || !isWholeContracts(count)) {
    throw new UserError("Count must be a whole number of contracts, like 10.", "invalid_count");
  }
  const whole = count / CENTIS_PER_CONTRACT;
  if (whole > limits.maxOrderContracts) {
    throw new UserError(
      `That order is for ${whole} contracts, above your limit of ${limits.maxOrderContracts} (MAX_ORDER_CONTRACTS).`,
      "over_contract_limit",
    );
  }
  if (raw.kind === "limit" && (raw.limitPrice === undefined || raw.limitPrice === null)) {
    throw new UserError("A limit order needs a price, like 0.55.", "missing_price");
  }
  return { ...raw, ticker };
}

/** Why the market cannot be traded now, or null when it can. */
export function closedMessage(m: Market, nowMs: number): string | null {
  switch (m.status) {
    case "active":
      if (m.closeTime !== null && m.closeTime <= nowMs) return `${m.ticker} is closed for trading.`;
      return null;
    case "initialized":
      return `${m.ticker} is not open for trading yet.`;
    case "inactive":
      return `Trading in ${m.ticker} is paused right now.`;
    default:
      return `${m.ticker} is closed for trading.`;
  }
}

/** Throws when the market is not open or a limit price is off its grid. */
export function checkMarket(intent: OrderIntent, market: Market, nowMs: number): void {
  const closed = closedMessage(market, nowMs);
  if (closed) throw new UserError(closed, "market_closed");
  if (intent.kind !== "limit") return;
  const p = intent.limitPrice as Micros;
  const valid = Number.isSafeInteger(p) && isValidPrice(market, wireYesPrice(intent.outcome, p));
  if (!valid) {
    throw new UserError(
      `${Number.isSafeInteger(p) ? displayPrice(p) : String(p)} is not a valid price for this market: ${describeGrid(market)}.`,
      "invalid_price",
    );
  }
}

/** A sell must be of contracts held, and of no more than are held. */
export function checkSellHolding(intent: OrderIntent, position: number): void {
  const label = OUTCOME_LABEL[intent.outcome];
  const held = heldOf(intent.outcome, position);
  if (held <= 0) {
    throw new UserError(
      `You don't hold any ${label} contracts in ${intent.ticker}, so there is nothing to sell.`,
      "nothing_to_sell",
    );
  }
  if (intent.count > held) {
    const heldStr = displayCount(held);
    throw new UserError(
      `You hold ${heldStr} ${label} contract${held === CENTIS_PER_CONTRACT ? "" : "s"}, so you can sell at most ${heldStr}.`,
      "over_position",
    );
  }
}

/** The best price of the intent's outcome on the side the order trades against. */
export function touchPrice(intent: OrderIntent, best: BestPrices): Micros | null {
  const sell = intent.action === "sell";
  if (intent.outcome === "yes") return sell ? best.yesBid : best.yesAsk;
  return sell ? best.noBid : best.noAsk;
}

/**
 * A market order's worst YES price: the touch ± slippage, kept on the grid (rounded toward the
 * touch) and in range.
 */
function marketYesPrice(intent: OrderIntent, market: Market, touch: Micros, slippage: Micros): Micros {
  const lo = minValidPrice(market);
  const hi = maxValidPrice(market);
  if (intent.action === "buy") {
    const worst = touch + slippage;
    if (intent.outcome === "yes")
      return Math.max(snapDown(market, Math.min(worst, hi)) ?? hi, touch) as Micros;
    const yes = snapUp(market, Math.max(ONE_DOLLAR - worst, lo)) ?? lo;
    return Math.min(yes, complementPrice(touch)) as Micros;
  }
  const worst = touch - slippage;
  if (intent.outcome === "yes") return Math.min(snapUp(market, Math.max(worst, lo)) ?? lo, touch) as Micros;
  const yes = snapDown(market, Math.min(ONE_DOLLAR - worst, hi)) ?? hi;
  return Math.max(yes, complementPrice(touch)) as Micros;
}

/** The price of `outcome` the order may trade at, at worst; its YES wire price; whether it takes. */
export function orderPrice(
  intent: OrderIntent,
  market: Market,
  best: BestPrices,
  slippage: Micros,
): { price: Micros; yesPrice: Micros; crosses: boolean } {
  const touch = touchPrice(intent, best);
  const sell = intent.action === "sell";
  if (intent.kind === "market") {
    if (touch === null) {
      const who = sell ? "buying" : "selling";
      throw new UserError(
        `Nobody is ${who} ${OUTCOME_LABEL[intent.outcome]} right now, so a market order can't fill; try a limit order.`,
        "no_liquidity",
      );
    }
    const yesPrice = marketYesPrice(intent, market, touch, slippage);
    return { price: outcomePrice(intent.outcome, yesPrice), yesPrice, crosses: true };
  }
  const price = intent.limitPrice as Micros;
  const crosses = touch !== null && (sell ? touch >= price : touch <= price);
  return { price, yesPrice: wireYesPrice(intent.outcome, price), crosses };
}

/** Everything a quote is priced from. `position` is the signed YES position in the ticker. */
export interface QuoteInputs {
  intent: OrderIntent;
  market: Market;
  best: BestPrices;
  balance: Micros;
  position: number;
  fees: FeeInfo;
  limits: QuoteLimits;
  now: number;
  clientOrderId: string;
  /** The book read for this quote (market orders; a handed-over book): the expected fill is walked on it. */
  book?: Orderbook;
  /** The exchange's cost of the position held (`market_exposure`), for a sell's P&L against entry. */
  heldCost?: Micros;
}

/** The closing and opening parts of an order (see the top of the file), and their cash figures. */
function split(intent: OrderIntent, position: number, price: Micros) {
  const sell = intent.action === "sell";
  const otherOutcome: OutcomeSide = intent.outcome === "yes" ? "no" : "yes";
  const otherHeld = sell ? 0 : heldOf(otherOutcome, position);
  const closing = Math.min(intent.count, otherHeld) as Centis;
  const opening = (intent.count - closing) as Centis;
  // Selling the other outcome at the complement of the price (the worst case: rounded down).
  const proceeds = mulPriceCount(complementPrice(price), closing, "floor");
  const gross = sell ? mulPriceCount(price, intent.count, "floor") : mulPriceCount(price, opening, "ceil");
  return { otherOutcome, closing, opening, proceeds, gross };
}

/** The order as priced: validated against the caps and the balance. Throws a UserError otherwise. */
export function priceQuote(inp: QuoteInputs): Quote {
  const { intent, market, limits } = inp;
  const sell = intent.action === "sell";
  if (sell) checkSellHolding(intent, inp.position);
  const { price, yesPrice, crosses } = orderPrice(intent, market, inp.best, limits.marketOrderSlippage);
  const { otherOutcome, closing, opening, proceeds, gross } = split(intent, inp.position, price);
  if (!sell && gross > limits.maxOrderCost) {
    throw new UserError(
      `That order would cost ${displayUsd(gross)}, above your limit of ${displayUsd(limits.maxOrderCost)} (MAX_ORDER_COST_DOLLARS).`,
      "over_cost_limit",
    );
  }
  // Kalshi's fee as one fill would be charged: the trade fee (to $0.0001) plus the rounding fee that
  // floors the cash change to whole cents (sub-cent prices make the cash itself sub-cent).
  const fee = withRoundingFee(
    estimateFee({
      price: yesPrice,
      count: intent.count,
      role: crosses ? "taker" : "maker",
      feeType: inp.fees.feeType,
      multiplier: inp.fees.multiplier,
      roundTo: 100,
    }),
    micros(sell ? gross : proceeds - gross),
  );
  const bal = inp.balance;
  const fill = crosses && inp.book ? expectedFill(intent, inp.book, price, inp.fees) : undefined;
  if (!sell && gross + fee > bal)
    throw balanceTooLow(intent, { closing, opening, gross, fee, bal, otherOutcome });
  const timeInForce: TimeInForce = intent.kind === "market" ? "immediate_or_cancel" : "good_till_canceled";
  return {
    intent,
    marketTitle: marketName(market),
    price,
    wire: {
      side: wireSide(intent.outcome, intent.action),
      yesPrice,
      timeInForce,
      reduceOnly: sell && timeInForce === "immediate_or_cancel",
    },
    estimatedCost: gross,
    estimatedFee: fee,
    maxLoss: sell ? fee : micros(gross + fee),
    maxPayout: sell ? gross : micros(mulPriceCount(ONE_DOLLAR, opening) + proceeds),
    ...(fill ? { fill } : {}),
    crosses,
    ...(sell ? { entryPrice: entryOf(inp) } : {}),
    balance: bal,
    balanceAfter: sell
      ? fill
        ? micros(bal + fill.value - fill.fee)
        : micros(bal + gross - fee)
      : micros(bal - gross + proceeds - fee),
    ...(closing > 0
      ? { closes: { outcome: otherOutcome, count: closing, estimatedProceeds: proceeds } }
      : {}),
    expiresAt: inp.now + limits.confirmTimeoutMs,
    createdAt: inp.now,
    clientOrderId: inp.clientOrderId,
  };
}

/** The walk of the book for the whole count, not past the order's worst price, and its fee. */
function expectedFill(intent: OrderIntent, book: Orderbook, worst: Micros, fees: FeeInfo) {
  const w = walkBook(takeLevels(book, intent.outcome, intent.action), intent.count, worst, intent.action);
  return { ...w, fee: feeOfFills(w.fills, intent.outcome, intent.action, fees) };
}

/** A sell's average entry: the exchange's position cost ÷ the count held. */
function entryOf(inp: QuoteInputs): Micros | null {
  const held = heldOf(inp.intent.outcome, inp.position);
  if (inp.heldCost === undefined || inp.heldCost <= 0 || held <= 0) return null;
  return averagePrice(inp.heldCost, held);
}

/** The sentence for a buy the balance cannot pay (the closing part's proceeds counted). */
function balanceTooLow(
  intent: OrderIntent,
  f: { closing: Centis; opening: Centis; gross: Micros; fee: Micros; bal: Micros; otherOutcome: OutcomeSide },
): UserError {
  const sold = `${displayCount(f.closing)} ${OUTCOME_LABEL[f.otherOutcome]}`;
  const label = OUTCOME_LABEL[intent.outcome];
  const buying =
    f.closing > 0
      ? `After selling your ${sold}, buying ${displayCount(f.opening)} ${label} would cost`
      : "That order would cost";
  return new UserError(
    f.closing > 0 && f.opening === 0
      ? `Selling your ${sold} this way costs ${displayUsd(f.fee)} in fees, but your balance is ${displayUsd(f.bal)}.`
      : `${buying} ${displayUsd(micros(f.gross + f.fee))} including fees, but your balance is ${displayUsd(f.bal)}.`,
    "insufficient_balance",
  );
}
