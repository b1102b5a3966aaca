/**
 * Order executor: validates an intent, prices it into a quote, and places a quote exactly once.
 *
 * V2 mapping (the exchange quotes everything from the YES leg):
 *   buy YES @ p → bid @ p        sell YES @ p → ask @ p
 *   buy NO  @ q → ask @ 1 − q    sell NO  @ q → bid @ 1 − q
 * A market order is an immediate_or_cancel limit at the best opposite price ± slippage; a market
 * sell carries reduce_only. A resting (good_till_canceled) sell cannot (Kalshi: "rejected unless
 * time_in_force is immediate_or_cancel"): it is capped at the holding when placed, and the
 * holding guard (sellGuard.ts) shrinks it when the holding falls later.
 */
import { randomUUID } from "node:crypto";
import type { FeeType } from "../domain/fees.js";
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
import type {
  BookSide,
  ExchangePort,
  Market,
  Order,
  Orderbook,
  OrderRef,
  OutcomeSide,
  TimeInForce,
} from "../exchange/port.js";
import { isOutcomeUnknown } from "../exchange/errors.js";
import type { TradeJournal } from "./journal.js";
import {
  type BestPrices,
  bestPrices,
  describeGrid,
  marketBestPrices,
  isValidPrice,
  maxValidPrice,
  minValidPrice,
  outcomePrice,
  snapDown,
  snapUp,
} from "./prices.js";
import { type MarketSnapshots, createMarketSnapshots } from "./snapshots.js";
import {
  type CancelAllResult,
  type OrderExecutor,
  type OrderIntent,
  type PlaceOutcome,
  type PlaceResult,
  type Quote,
  UserError,
} from "./types.js";

export interface ExecutorConfig {
  /** Largest order in whole contracts (MAX_ORDER_CONTRACTS). */
  maxOrderContracts: number;
  /** Largest cost of one buy order (MAX_ORDER_COST_DOLLARS). */
  maxOrderCost: Micros;
  /** How long a quote may be confirmed (ms). */
  confirmTimeoutMs: number;
  /** Added to (buy) or taken from (sell) the best price for a market order (MARKET_ORDER_SLIPPAGE_DOLLARS). */
  marketOrderSlippage: Micros;
}

export interface OrderExecutorDeps {
  exchange: ExchangePort;
  journal: Pick<TradeJournal, "record">;
  config: ExecutorConfig;
  now?: () => number;
  newId?: () => string;
  /**
   * Market and book snapshots shared with the market service (a market card read just before the
   * quote is reused); the executor makes its own when not given.
   */
  snapshots?: MarketSnapshots;
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

interface FeeInfo {
  feeType: FeeType;
  multiplier: number;
  at: number;
}

/** Series fee schedules change rarely (Kalshi announces changes ahead); an event's series never does. */
const FEE_INFO_TTL_MS = 10 * 60_000;
/** After a failed series lookup the standard schedule is assumed, and asked again sooner. */
const FEE_INFO_RETRY_MS = 60_000;
const MAX_CACHED_EVENTS = 5000;
const MAX_REMEMBERED_PLACEMENTS = 1000;

function normalizeTicker(t: string): string {
  return t.trim().toUpperCase();
}

function closedMessage(m: Market, nowMs: number): string | null {
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

export function createOrderExecutor(deps: OrderExecutorDeps): OrderExecutor {
  const { exchange, journal, config } = deps;
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  /** Fee schedule by series ticker. */
  const feeInfoCache = new Map<string, FeeInfo>();
  /** Series ticker by event ticker. */
  const seriesOfEvent = new Map<string, string>();
  /** Events whose series could not be read: the standard schedule, until FEE_INFO_RETRY_MS passes. */
  const fallbackByEvent = new Map<string, FeeInfo>();
  const snapshots = deps.snapshots ?? createMarketSnapshots({ now });
  const placements = new Map<string, Promise<PlaceOutcome>>();
  /** Quotes whose create was sent at least once (a repeat looks the order up first). */
  const attempted = new Set<string>();

  /**
   * The fee schedule of the market's series. The event → series link is remembered for good and the
   * series' schedule for FEE_INFO_TTL_MS, so a quote reads neither most of the time, and a new event of
   * a known series costs one read (the event), not two.
   */
  async function feeInfo(market: Market): Promise<FeeInfo> {
    const seriesTicker = seriesOfEvent.get(market.eventTicker);
    const known = seriesTicker === undefined ? undefined : feeInfoCache.get(seriesTicker);
    if (known && now() - known.at < FEE_INFO_TTL_MS) return known;
    const failed = fallbackByEvent.get(market.eventTicker);
    if (failed && now() - failed.at < FEE_INFO_RETRY_MS) return failed;
    try {
      let series = seriesTicker;
      if (series === undefined) {
        series = (await exchange.getEvent(market.eventTicker)).seriesTicker;
        seriesOfEvent.set(market.eventTicker, series);
        if (seriesOfEvent.size > MAX_CACHED_EVENTS) {
          const oldest = seriesOfEvent.keys().next().value;
          if (oldest !== undefined) seriesOfEvent.delete(oldest);
        }
      }
      const cached = feeInfoCache.get(series);
      if (cached && now() - cached.at < FEE_INFO_TTL_MS) return cached;
      const s = await exchange.getSeries(series);
      const info: FeeInfo = { feeType: s.feeType, multiplier: s.feeMultiplier, at: now() };
      feeInfoCache.set(series, info);
      fallbackByEvent.delete(market.eventTicker);
      return info;
    } catch {
      // The estimate falls back to the standard schedule (asked again after a minute); the exchange
      // reports the real fee.
      const fallback: FeeInfo = { feeType: "quadratic", multiplier: 1, at: now() };
      fallbackByEvent.set(market.eventTicker, fallback);
      if (fallbackByEvent.size > MAX_CACHED_EVENTS) fallbackByEvent.clear();
      return fallback;
    }
  }

  /** The market: the one the market card read a moment ago (handed over once), else from the exchange. */
  async function loadMarket(ticker: string): Promise<Market> {
    const handed = snapshots.takeMarket(ticker);
    if (handed) return handed;
    const found = await exchange.getMarkets({ tickers: [ticker] });
    const m = found.find((x) => x.ticker.toUpperCase() === ticker);
    if (!m) throw new UserError(`There is no market with ticker ${ticker}.`, "unknown_market");
    return m;
  }

  function checkCount(count: Centis): void {
    if (!Number.isSafeInteger(count) || count <= 0 || !isWholeContracts(count)) {
      throw new UserError("Count must be a whole number of contracts, like 10.", "invalid_count");
    }
    const whole = count / CENTIS_PER_CONTRACT;
    if (whole > config.maxOrderContracts) {
      throw new UserError(
        `That order is for ${whole} contracts, above your limit of ${config.maxOrderContracts} (MAX_ORDER_CONTRACTS).`,
        "over_contract_limit",
      );
    }
  }

  /**
   * Reads per quote: the market (unless the market card just read it), the balance, the ticker's
   * position, the book only for a market order (unless handed over), and the series fee schedule only
   * when not cached. `pre.book` is the book place() just read for its price re-check.
   *
   * The position matters for buys too: on Kalshi's single YES book a buy of YES (a bid) first sells
   * NO held in that market, and a buy of NO (an ask) first sells YES held. Such a buy is split into
   * a closing part (k = min(count, held of the other outcome), proceeds at the complement of the
   * price) and an opening part (count − k): only the opening part needs cash and counts toward the
   * cost cap and max loss.
   */
  async function quote(raw: OrderIntent, pre: { book?: Orderbook } = {}): Promise<Quote> {
    const ticker = normalizeTicker(raw.ticker ?? "");
    if (!ticker)
      throw new UserError("Which market? Give a ticker, like KXHIGHNY-26NOV25-B45.", "missing_ticker");
    if (raw.outcome !== "yes" && raw.outcome !== "no")
      throw new UserError("Choose YES or NO.", "invalid_outcome");
    if (raw.action !== "buy" && raw.action !== "sell")
      throw new UserError("Choose buy or sell.", "invalid_action");
    const intent: OrderIntent = { ...raw, ticker };
    checkCount(intent.count);
    if (intent.kind === "limit" && (intent.limitPrice === undefined || intent.limitPrice === null)) {
      throw new UserError("A limit order needs a price, like 0.55.", "missing_price");
    }

    const market = await loadMarket(ticker);
    const t0 = now();
    const closed = closedMessage(market, t0);
    if (closed) throw new UserError(closed, "market_closed");

    if (intent.kind === "limit") {
      const p = intent.limitPrice as Micros;
      const yes = Number.isSafeInteger(p) ? wireYesPrice(intent.outcome, p) : (p as Micros);
      if (!Number.isSafeInteger(p) || !isValidPrice(market, yes)) {
        throw new UserError(
          `${Number.isSafeInteger(p) ? displayPrice(p) : String(p)} is not a valid price for this market: ${describeGrid(market)}.`,
          "invalid_price",
        );
      }
    }

    const isSell = intent.action === "sell";
    // Best prices: a book handed over (the market card's, or place()'s re-check) is used as is; a
    // market order needs the book for its worst price; a limit order only needs to know whether it
    // crosses (taker or maker fee estimate), which the market snapshot's best prices tell.
    const handedBook = pre.book ?? snapshots.takeBook(ticker);
    const prices: Promise<BestPrices> = handedBook
      ? Promise.resolve(bestPrices(handedBook))
      : intent.kind === "market"
        ? exchange.getOrderbook(ticker).then(bestPrices)
        : Promise.resolve(marketBestPrices(market));
    const [best, balance, positions, fees] = await Promise.all([
      prices,
      exchange.getBalance(),
      exchange.getPositions({ ticker }),
      feeInfo(market),
    ]);
    const label = OUTCOME_LABEL[intent.outcome];
    const outcomeBid = intent.outcome === "yes" ? best.yesBid : best.noBid;
    const outcomeAsk = intent.outcome === "yes" ? best.yesAsk : best.noAsk;
    /** Signed YES position: + YES, − NO. */
    const pos = positions.find((p) => p.ticker.toUpperCase() === ticker)?.position ?? 0;

    if (isSell) {
      const held = intent.outcome === "yes" ? Math.max(pos, 0) : Math.max(-pos, 0);
      if (held <= 0) {
        throw new UserError(
          `You don't hold any ${label} contracts in ${ticker}, so there is nothing to sell.`,
          "nothing_to_sell",
        );
      }
      if (intent.count > held) {
        const heldStr = displayCount(held as Centis);
        throw new UserError(
          `You hold ${heldStr} ${label} contract${held === CENTIS_PER_CONTRACT ? "" : "s"}, so you can sell at most ${heldStr}.`,
          "over_position",
        );
      }
    }

    // The price of `outcome` the order may trade at, at worst.
    let price: Micros;
    let yesPrice: Micros;
    let crosses: boolean;
    if (intent.kind === "market") {
      if (!isSell) {
        if (outcomeAsk === null) {
          throw new UserError(
            `Nobody is selling ${label} right now, so a market order can't fill; try a limit order.`,
            "no_liquidity",
          );
        }
        // Worst outcome price = ask + slippage, kept on the grid (rounded toward the ask) and in range.
        const worst = outcomeAsk + config.marketOrderSlippage;
        if (intent.outcome === "yes") {
          yesPrice = snapDown(market, Math.min(worst, maxValidPrice(market))) ?? maxValidPrice(market);
          if (yesPrice < outcomeAsk) yesPrice = outcomeAsk;
        } else {
          const yesWorst = Math.max(ONE_DOLLAR - worst, minValidPrice(market));
          yesPrice = snapUp(market, yesWorst) ?? minValidPrice(market);
          if (yesPrice > complementPrice(outcomeAsk)) yesPrice = complementPrice(outcomeAsk);
        }
      } else {
        if (outcomeBid === null) {
          throw new UserError(
            `Nobody is buying ${label} right now, so a market order can't fill; try a limit order.`,
            "no_liquidity",
          );
        }
        const worst = outcomeBid - config.marketOrderSlippage;
        if (intent.outcome === "yes") {
          yesPrice = snapUp(market, Math.max(worst, minValidPrice(market))) ?? minValidPrice(market);
          if (yesPrice > outcomeBid) yesPrice = outcomeBid;
        } else {
          const yesWorst = Math.min(ONE_DOLLAR - worst, maxValidPrice(market));
          yesPrice = snapDown(market, yesWorst) ?? maxValidPrice(market);
          if (yesPrice < complementPrice(outcomeBid)) yesPrice = complementPrice(outcomeBid);
        }
      }
      price = outcomePrice(intent.outcome, yesPrice);
      crosses = true;
    } else {
      price = intent.limitPrice as Micros;
      yesPrice = wireYesPrice(intent.outcome, price);
      crosses = isSell
        ? outcomeBid !== null && outcomeBid >= price
        : outcomeAsk !== null && outcomeAsk <= price;
    }

    // A buy first closes what is held of the other outcome (see above); a sell is reduce-only.
    const otherOutcome: OutcomeSide = intent.outcome === "yes" ? "no" : "yes";
    const otherHeld = isSell ? 0 : intent.outcome === "yes" ? Math.max(-pos, 0) : Math.max(pos, 0);
    const closing = Math.min(intent.count, otherHeld) as Centis;
    const opening = (intent.count - closing) as Centis;
    // Selling the other outcome at the complement of the price (the worst case: rounded down).
    const proceeds = mulPriceCount(complementPrice(price), closing, "floor");
    const gross = isSell
      ? mulPriceCount(price, intent.count, "floor")
      : mulPriceCount(price, opening, "ceil");
    if (!isSell && gross > config.maxOrderCost) {
      throw new UserError(
        `That order would cost ${displayUsd(gross)}, above your limit of ${displayUsd(config.maxOrderCost)} (MAX_ORDER_COST_DOLLARS).`,
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
        feeType: fees.feeType,
        multiplier: fees.multiplier,
        roundTo: 100,
      }),
      micros(isSell ? gross : proceeds - gross),
    );
    const bal = balance.balance;
    if (!isSell && gross + fee > bal) {
      const sold = `${displayCount(closing)} ${OUTCOME_LABEL[otherOutcome]}`;
      throw new UserError(
        closing > 0 && opening === 0
          ? `Selling your ${sold} this way costs ${displayUsd(fee)} in fees, but your balance is ${displayUsd(bal)}.`
          : `${closing > 0 ? `After selling your ${sold}, buying ${displayCount(opening)} ${label} would cost` : "That order would cost"} ${displayUsd(micros(gross + fee))} including fees, but your balance is ${displayUsd(bal)}.`,
        "insufficient_balance",
      );
    }
    const timeInForce: TimeInForce = intent.kind === "market" ? "immediate_or_cancel" : "good_till_canceled";
    const createdAt = now();
    return {
      intent,
      marketTitle: market.title,
      price,
      wire: {
        side: wireSide(intent.outcome, intent.action),
        yesPrice,
        timeInForce,
        reduceOnly: isSell && timeInForce === "immediate_or_cancel",
      },
      estimatedCost: gross,
      estimatedFee: fee,
      maxLoss: isSell ? fee : micros(gross + fee),
      maxPayout: isSell ? gross : micros(mulPriceCount(ONE_DOLLAR, opening) + proceeds),
      balance: bal,
      balanceAfter: isSell ? micros(bal + gross - fee) : micros(bal - gross + proceeds - fee),
      ...(closing > 0
        ? { closes: { outcome: otherOutcome, count: closing, estimatedProceeds: proceeds } }
        : {}),
      expiresAt: createdAt + config.confirmTimeoutMs,
      createdAt,
      clientOrderId: newId(),
    };
  }

  function resultFromCreate(
    q: Quote,
    res: {
      orderId: string;
      fillCount: Centis;
      remainingCount: Centis;
      averageFillPrice: Micros | null;
      averageFeePaid: Micros | null;
    },
    count: Centis,
  ): PlaceResult {
    const filled = res.fillCount;
    const ioc = q.wire.timeInForce !== "good_till_canceled";
    let status: PlaceResult["status"];
    let resting: Centis;
    if (ioc) {
      resting = 0 as Centis;
      status = filled > 0 && filled >= count ? "executed" : "canceled";
    } else if (res.remainingCount > 0) {
      resting = res.remainingCount;
      status = "resting";
    } else {
      resting = 0 as Centis;
      status = filled > 0 ? "executed" : "canceled";
    }
    return {
      orderId: res.orderId,
      clientOrderId: q.clientOrderId,
      status,
      filledCount: filled,
      averagePrice:
        filled > 0 && res.averageFillPrice !== null
          ? outcomePrice(q.intent.outcome, res.averageFillPrice)
          : null,
      fees: filled > 0 && res.averageFeePaid !== null ? mulPriceCount(res.averageFeePaid, filled) : micros(0),
      restingCount: resting,
    };
  }

  function resultFromOrder(q: Quote, o: Order): PlaceResult {
    const cost = micros(o.takerFillCost + o.makerFillCost);
    // Fill costs are in the price of the order's own outcome (bid → YES, ask → NO); a sell's order is
    // on the other outcome than the intent's.
    const avg = o.fillCount > 0 ? averagePrice(cost, o.fillCount) : null;
    return {
      orderId: o.orderId,
      clientOrderId: q.clientOrderId,
      status: o.status,
      filledCount: o.fillCount,
      averagePrice: avg === null ? null : o.outcomeSide === q.intent.outcome ? avg : complementPrice(avg),
      fees: micros(o.takerFees + o.makerFees),
      restingCount: o.status === "resting" ? o.remainingCount : (0 as Centis),
    };
  }

  /**
   * The create response only carries an average fee per contract (rounded to its decimals), so
   * average × count can be off by a fraction of a cent (and a create recovered by the client after a
   * dropped connection has no averages at all). Reads the order for the exact total; keeps the
   * estimate when the read fails or the order has filled further since (a resting remainder).
   */
  async function withExactFees(q: Quote, r: PlaceResult): Promise<PlaceResult> {
    try {
      const o = await exchange.getOrder(r.orderId);
      if (o.fillCount !== r.filledCount) return r;
      const fromOrder = resultFromOrder(q, o);
      return {
        ...r,
        fees: fromOrder.fees,
        // A create answer recovered after a dropped connection carries no average price.
        averagePrice: r.averagePrice ?? fromOrder.averagePrice,
      };
    } catch {
      return r;
    }
  }

  /**
   * How many of a buy's `filled` contracts closed the other outcome's position. Read from the
   * position after the fill (before = after − this fill), so a position that changed between the
   * quote and the confirm is described as it was; the quote's figure when the read fails.
   */
  async function closedPart(q: Quote, filled: Centis): Promise<PlaceResult["closed"]> {
    if (!q.closes || filled <= 0) return undefined;
    let held: number = q.closes.count;
    try {
      const ticker = q.intent.ticker;
      const after =
        (await exchange.getPositions({ ticker })).find((p) => p.ticker.toUpperCase() === ticker)?.position ??
        0;
      const before = after - (q.wire.side === "bid" ? filled : -filled);
      held = q.closes.outcome === "no" ? Math.max(-before, 0) : Math.max(before, 0);
    } catch {
      // keep the quote's figure
    }
    const count = Math.min(filled, held) as Centis;
    return count > 0 ? { outcome: q.closes.outcome, count } : undefined;
  }

  /** After a failed create: did the order get in anyway (timeout, duplicate)? Throws when it cannot tell. */
  async function lookUp(q: Quote): Promise<Order | null> {
    const orders = await exchange.getOrders({ ticker: q.intent.ticker, minTs: q.createdAt - 60_000 });
    return orders.find((o) => o.clientOrderId === q.clientOrderId) ?? null;
  }

  async function findExisting(q: Quote): Promise<Order | null> {
    try {
      return await lookUp(q);
    } catch {
      return null;
    }
  }

  /** What the intent's outcome is held now in `ticker` (sells sell the intent's outcome). */
  async function heldNow(q: Quote): Promise<Centis> {
    const ticker = q.intent.ticker;
    const pos =
      (await exchange.getPositions({ ticker })).find((p) => p.ticker.toUpperCase() === ticker)?.position ?? 0;
    return (q.intent.outcome === "yes" ? Math.max(pos, 0) : Math.max(-pos, 0)) as Centis;
  }

  /** Contracts of the intent's outcome that resting orders in its market already sell (same book side). */
  async function restingToSell(q: Quote): Promise<Centis> {
    const orders = await exchange.getOrders({ ticker: q.intent.ticker, status: "resting" });
    return orders
      .filter((o) => o.ticker.toUpperCase() === q.intent.ticker && o.bookSide === q.wire.side)
      .reduce((n, o) => n + o.remainingCount, 0) as Centis;
  }

  /**
   * Why an immediate-or-cancel order filled less than asked, from the exchange's own state after
   * its answer: a reduce-only sell whose holding (now + what it sold) was below the count was capped
   * at the position (e.g. another user sold it first); otherwise nobody traded at the limit. Left
   * out (the bot then says only what happened) when the position cannot be read.
   */
  async function whyUnfilled(q: Quote, count: Centis, r: PlaceResult): Promise<PlaceResult["unfilled"]> {
    if (q.wire.timeInForce === "good_till_canceled" || r.filledCount >= count) return undefined;
    if (!q.wire.reduceOnly) return { reason: "no_liquidity", held: null };
    try {
      const held = ((await heldNow(q)) + r.filledCount) as Centis;
      return held < count ? { reason: "no_position", held } : { reason: "no_liquidity", held };
    } catch {
      return undefined;
    }
  }

  async function doPlace(q: Quote): Promise<PlaceOutcome> {
    if (now() > q.expiresAt) {
      return { kind: "requote", reason: "expired", quote: await quote(q.intent) };
    }
    if (q.intent.kind === "market") {
      // Always a fresh book: this check is what keeps a market order from going out past its price.
      const book = await exchange.getOrderbook(q.intent.ticker);
      const best = bestPrices(book);
      const isSell = q.intent.action === "sell";
      const current =
        q.intent.outcome === "yes" ? (isSell ? best.yesBid : best.yesAsk) : isSell ? best.noBid : best.noAsk;
      const moved = current === null || (isSell ? current < q.price : current > q.price);
      if (moved) return { kind: "requote", reason: "price_moved", quote: await quote(q.intent, { book }) };
    }
    // A resting sell carries no reduce_only: cap it at what is held right now, less what already
    // rests to sell it (those orders keep their place; the holding guard would cancel this one).
    let count = q.intent.count;
    let cappedAtHolding: Centis | undefined;
    let alreadySelling: Centis | undefined;
    if (q.intent.action === "sell" && !q.wire.reduceOnly && !attempted.has(q.clientOrderId)) {
      const [held, selling] = await Promise.all([heldNow(q), restingToSell(q)]);
      const label = OUTCOME_LABEL[q.intent.outcome];
      if (held <= 0) {
        throw new UserError(
          `You no longer hold any ${label} contracts in ${q.intent.ticker}, so nothing was placed.`,
          "nothing_to_sell",
        );
      }
      const free = Math.max(0, held - selling) as Centis;
      if (free <= 0) {
        throw new UserError(
          `Your resting orders in ${q.intent.ticker} already sell all ${displayCount(held)} ${label} you hold, so nothing was placed. Cancel one in /orders to sell at another price.`,
          "nothing_to_sell",
        );
      }
      if (free < count) {
        count = free;
        cappedAtHolding = free;
        if (selling > 0) alreadySelling = selling;
      }
    }
    journal.record({
      type: "order_submitted",
      ticker: q.intent.ticker,
      clientOrderId: q.clientOrderId,
      outcome: q.intent.outcome,
      action: q.intent.action,
      kind: q.intent.kind,
      count,
      price: q.price,
      side: q.wire.side,
      yesPrice: q.wire.yesPrice,
      timeInForce: q.wire.timeInForce,
      reduceOnly: q.wire.reduceOnly,
    });
    let result: PlaceResult;
    const sentBefore = attempted.has(q.clientOrderId);
    let lookupFailed = false;
    // Our own order changes the book and the market's best prices.
    snapshots.drop(q.intent.ticker);
    try {
      // An earlier attempt of this quote may have reached the exchange: look before sending again
      // (a failed lookup sends nothing and leaves the outcome open).
      const earlier = sentBefore
        ? await lookUp(q).catch((e: unknown) => {
            lookupFailed = true;
            throw e;
          })
        : null;
      if (earlier) {
        result = resultFromOrder(q, earlier);
      } else {
        attempted.add(q.clientOrderId);
        if (attempted.size > MAX_REMEMBERED_PLACEMENTS) attempted.delete(attempted.values().next().value!);
        const res = await exchange.createOrder({
          ticker: q.intent.ticker,
          side: q.wire.side,
          count,
          price: q.wire.yesPrice,
          timeInForce: q.wire.timeInForce,
          clientOrderId: q.clientOrderId,
          ...(q.wire.reduceOnly ? { reduceOnly: true } : {}),
        });
        result = resultFromCreate(q, res, count);
        if (res.fillCount > 0) {
          const [exact, closed] = await Promise.all([
            withExactFees(q, result),
            closedPart(q, result.filledCount),
          ]);
          result = closed ? { ...exact, closed } : exact;
        }
      }
    } catch (err) {
      const existing = await findExisting(q);
      if (!existing) {
        const e = err as { message?: unknown; code?: unknown };
        journal.record({
          // The exchange may still have taken it (a timeout, a 5xx after the request went out).
          type: isOutcomeUnknown(err) || lookupFailed ? "order_unknown" : "order_rejected",
          ticker: q.intent.ticker,
          clientOrderId: q.clientOrderId,
          reason: typeof e?.message === "string" ? e.message : String(err),
          ...(typeof e?.code === "string" ? { code: e.code } : {}),
        });
        throw err;
      }
      result = resultFromOrder(q, existing);
      const closed = await closedPart(q, result.filledCount);
      if (closed) result = { ...result, closed };
    } finally {
      snapshots.drop(q.intent.ticker);
    }
    if (cappedAtHolding !== undefined) result = { ...result, cappedAtHolding };
    if (alreadySelling !== undefined) result = { ...result, alreadySelling };
    const unfilled = await whyUnfilled(q, count, result);
    if (unfilled) result = { ...result, unfilled };
    journal.record({
      type: "order_placed",
      ticker: q.intent.ticker,
      clientOrderId: q.clientOrderId,
      orderId: result.orderId,
      status: result.status,
      filledCount: result.filledCount,
      restingCount: result.restingCount,
      averagePrice: result.averagePrice,
      fees: result.fees,
    });
    return { kind: "placed", result };
  }

  return {
    quote: (intent) => quote(intent),
    place(q) {
      const key = q.clientOrderId;
      const pending = placements.get(key);
      if (pending) return pending;
      const p = doPlace(q);
      placements.set(key, p);
      if (placements.size > MAX_REMEMBERED_PLACEMENTS) {
        const oldest = placements.keys().next().value;
        if (oldest !== undefined && oldest !== key) placements.delete(oldest);
      }
      // A failed attempt may be retried (the exchange still dedupes by client_order_id).
      p.catch(() => placements.delete(key));
      return p;
    },
    async cancel(orderId, ticker) {
      const id = orderId.trim();
      if (!id) throw new UserError("Which order? Give its order id.", "missing_order_id");
      // Kalshi routes a cancel by the order's market; a read by id needs no routing.
      const market = ticker?.trim() || (await exchange.getOrder(id)).ticker;
      const res = await exchange.cancelOrder(id, market);
      snapshots.drop(market);
      journal.record({
        type: "order_canceled",
        orderId: res.orderId,
        ticker: market,
        clientOrderId: res.clientOrderId,
        canceledCount: res.reducedBy,
      });
      return { orderId: res.orderId, canceledCount: res.reducedBy };
    },
    async cancelAll(listed) {
      const targets: OrderRef[] =
        listed ??
        (await exchange.getOrders({ status: "resting" })).map((o) => ({
          orderId: o.orderId,
          ticker: o.ticker,
        }));
      const out: CancelAllResult = { canceled: 0, gone: 0, failed: [], appeared: [] };
      if (targets.length > 0) {
        const tickerOf = new Map(targets.map((t) => [t.orderId, t.ticker]));
        const results = await exchange.cancelOrders(targets);
        for (const r of results) {
          const ticker = tickerOf.get(r.orderId) ?? "";
          snapshots.drop(ticker);
          if (r.ok) {
            journal.record({
              type: "order_canceled",
              orderId: r.orderId,
              ticker,
              clientOrderId: r.clientOrderId,
              canceledCount: r.reducedBy,
            });
            if (r.reducedBy > 0) out.canceled++;
            else out.gone++;
          } else if (r.error.code === "not_found") {
            out.gone++; // filled or canceled since the list was read
          } else {
            out.failed.push({ orderId: r.orderId, ticker, reason: r.error.details ?? r.error.message });
            journal.record({
              type: "error",
              message: r.error.message,
              context: "cancelAll",
              orderId: r.orderId,
              ticker,
            });
          }
        }
      }
      if (listed) {
        const ids = new Set(listed.map((t) => t.orderId));
        try {
          out.appeared = (await exchange.getOrders({ status: "resting" })).filter((o) => !ids.has(o.orderId));
        } catch {
          // The cancels stand; the bot's /orders shows what rests.
        }
      }
      return out;
    },
    orderStatus(orderId) {
      return exchange.getOrder(orderId.trim());
    },
    openOrders() {
      return exchange.getOrders({ status: "resting" });
    },
  };
}
