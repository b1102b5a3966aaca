/**
 * Engine objects → Kalshi's JSON wire shapes (openapi-3.31.0.yaml / asyncapi-2.0.0.yaml):
 * fixed-point dollar strings, 2-decimal count strings, RFC 3339 times.
 */
import {
  type Centis,
  type Micros,
  MICROS_PER_CENT,
  averagePrice,
  centis,
  complementPrice,
  formatCount,
  formatDollars,
  micros,
} from "../domain/money.js";
import type { AmendResult, SimEngine, SimFill, SimOrder, SimSettlement, PositionState } from "./engine.js";
import { type SimEvent, type SimMarket, type SimSeries, exchangeIndexOfSeries } from "./fixtures.js";

type Json = Record<string, unknown>;

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.000Z$/, "Z");
const d = (m: number): string => formatDollars(m as Micros);
const n = (c: number): string => formatCount(c as Centis);

function outcome(side: "bid" | "ask"): "yes" | "no" {
  return side === "bid" ? "yes" : "no";
}

export function marketToWire(engine: SimEngine, m: SimMarket): Json {
  const active = m.status === "active";
  const t = active ? engine.top(m.ticker) : { bid: null, ask: null, bidSize: centis(0), askSize: centis(0) };
  const yesBid = t.bid ?? micros(0);
  const yesAsk = t.ask ?? micros(1_000_000);
  const out: Json = {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: "binary",
    title: m.title,
    subtitle: m.subtitle,
    yes_sub_title: m.yesSubTitle,
    no_sub_title: m.noSubTitle,
    created_time: iso(m.createdTime),
    updated_time: iso(m.updatedTime),
    open_time: iso(m.openTime),
    close_time: iso(m.closeTime),
    expected_expiration_time: iso(m.settleTime),
    expiration_time: iso(m.settleTime),
    latest_expiration_time: iso(m.settleTime + 7 * 86_400_000),
    settlement_timer_seconds: 300,
    status: m.status,
    yes_bid_dollars: d(yesBid),
    yes_bid_size_fp: n(t.bidSize),
    yes_ask_dollars: d(yesAsk),
    yes_ask_size_fp: n(t.askSize),
    no_bid_dollars: d(complementPrice(yesAsk)),
    no_ask_dollars: d(complementPrice(yesBid)),
    last_price_dollars: d(m.lastPrice),
    previous_yes_bid_dollars: d(Math.max(0, m.previousPrice - MICROS_PER_CENT)),
    previous_yes_ask_dollars: d(Math.min(1_000_000, m.previousPrice + MICROS_PER_CENT)),
    previous_price_dollars: d(m.previousPrice),
    volume_fp: n(m.volume),
    volume_24h_fp: n(m.volume),
    open_interest_fp: n(m.openInterest),
    notional_value_dollars: "1.0000",
    liquidity_dollars: "0.0000",
    result: m.result,
    can_close_early: true,
    expiration_value: m.result === "" ? "" : m.result === "yes" ? m.yesSubTitle : m.noSubTitle,
    settlement_bounds_type: "default",
    strike_type: m.strikeType,
    rules_primary: m.rulesPrimary,
    rules_secondary: m.rulesSecondary,
    price_level_structure: m.priceLevelStructure,
    price_ranges: m.priceRanges.map((r) => ({ start: d(r.start), end: d(r.end), step: d(r.step) })),
    exchange_index: exchangeIndexOfSeries(m.seriesTicker),
  };
  if (m.floorStrike !== null) out.floor_strike = m.floorStrike;
  if (m.capStrike !== null) out.cap_strike = m.capStrike;
  if (m.result !== "") {
    out.settlement_value_dollars = m.result === "yes" ? "1.0000" : "0.0000";
    out.settlement_ts = m.settlementTs === null ? null : iso(m.settlementTs);
  }
  return out;
}

export function orderbookToWire(engine: SimEngine, ticker: string, depth = 0): Json {
  const bids = engine.levels(ticker, "bid"); // best first
  const asks = engine.levels(ticker, "ask");
  const take = <T>(xs: T[]): T[] => (depth > 0 ? xs.slice(0, depth) : xs);
  // Ascending by price, best last.
  const yes = take(bids)
    .map((l) => [d(l.price), n(l.count)])
    .reverse();
  const no = take(asks)
    .map((l) => [d(complementPrice(l.price)), n(l.count)])
    .reverse();
  return { yes_dollars: yes, no_dollars: no };
}

export function eventToWire(engine: SimEngine, e: SimEvent, withMarkets: boolean): Json {
  const out: Json = {
    event_ticker: e.eventTicker,
    series_ticker: e.seriesTicker,
    sub_title: e.subTitle,
    title: e.title,
    collateral_return_type: e.mutuallyExclusive ? "MECNET" : "",
    mutually_exclusive: e.mutuallyExclusive,
    category: e.category,
    strike_date: e.strikeDate === null ? null : iso(e.strikeDate),
    strike_period: null,
    settlement_sources: engine.series(e.seriesTicker)?.settlementSources ?? [],
    exchange_index: exchangeIndexOfSeries(e.seriesTicker),
  };
  if (withMarkets)
    out.markets = engine
      .markets()
      .filter((m) => m.eventTicker === e.eventTicker)
      .map((m) => marketToWire(engine, m));
  return out;
}

export function seriesToWire(s: SimSeries): Json {
  return {
    ticker: s.ticker,
    frequency: s.frequency,
    title: s.title,
    category: s.category,
    categories: [s.category],
    tags: s.tags,
    settlement_sources: s.settlementSources,
    contract_url: s.contractUrl,
    contract_terms_url: `${s.contractUrl}/terms.pdf`,
    fee_type: s.feeType,
    fee_multiplier: s.feeMultiplier,
    additional_prohibitions: [],
    exchange_index: exchangeIndexOfSeries(s.ticker),
  };
}

export function orderToWire(engine: SimEngine, o: SimOrder): Json {
  return {
    order_id: o.orderId,
    user_id: engine.account(o.accountId).userId,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    side: outcome(o.side),
    action: "buy",
    outcome_side: outcome(o.side),
    book_side: o.side,
    type: "limit",
    status: o.status,
    yes_price_dollars: d(o.price),
    no_price_dollars: d(complementPrice(o.price)),
    fill_count_fp: n(o.filled),
    remaining_count_fp: n(o.remaining),
    initial_count_fp: n(o.initial),
    taker_fill_cost_dollars: d(o.takerFillCost),
    maker_fill_cost_dollars: d(o.makerFillCost),
    taker_fees_dollars: d(o.takerFees),
    maker_fees_dollars: d(o.makerFees),
    expiration_time: o.expirationTs === null ? null : iso(o.expirationTs),
    created_time: iso(o.createdTs),
    last_update_time: iso(o.lastUpdateTs),
    self_trade_prevention_type: o.stp,
    order_group_id: null,
    cancel_order_on_pause: o.cancelOnPause,
    subaccount_number: 0,
    exchange_index: engine.exchangeIndex(o.ticker),
  };
}

export function fillToWire(engine: SimEngine, f: SimFill): Json {
  return {
    fill_id: f.tradeId,
    trade_id: f.tradeId,
    order_id: f.orderId,
    ticker: f.ticker,
    market_ticker: f.ticker,
    exchange_index: engine.exchangeIndex(f.ticker),
    side: outcome(f.side),
    action: "buy",
    outcome_side: outcome(f.side),
    book_side: f.side,
    count_fp: n(f.count),
    yes_price_dollars: d(f.price),
    no_price_dollars: d(complementPrice(f.price)),
    is_taker: f.isTaker,
    created_time: iso(f.ts),
    fee_cost: d(f.fee),
    subaccount_number: 0,
    ts: Math.floor(f.ts / 1000),
  };
}

export function settlementToWire(engine: SimEngine, s: SimSettlement): Json {
  return {
    ticker: s.ticker,
    exchange_index: engine.exchangeIndex(s.ticker),
    event_ticker: s.eventTicker,
    market_result: s.result,
    yes_count_fp: n(s.yesCount),
    yes_total_cost_dollars: d(s.yesCost),
    no_count_fp: n(s.noCount),
    no_total_cost_dollars: d(s.noCost),
    revenue: Math.round(s.revenue / MICROS_PER_CENT),
    settled_time: iso(s.settledTime),
    fee_cost: d(s.fee),
    value: s.result === "yes" ? 100 : 0,
  };
}

export function positionToWire(engine: SimEngine, p: PositionState): Json {
  return {
    ticker: p.ticker,
    exchange_index: engine.exchangeIndex(p.ticker),
    total_traded_dollars: d(p.totalTraded),
    position_fp: n(p.position),
    market_exposure_dollars: d(p.cost),
    realized_pnl_dollars: d(p.realizedPnl),
    fees_paid_dollars: d(p.feesPaid),
    last_updated_ts: iso(p.lastUpdatedTs),
  };
}

export function eventPositionsToWire(engine: SimEngine, positions: PositionState[]): Json[] {
  const byEvent = new Map<string, PositionState[]>();
  for (const p of positions) {
    const ev = engine.findMarket(p.ticker)?.eventTicker ?? p.ticker;
    const list = byEvent.get(ev) ?? [];
    list.push(p);
    byEvent.set(ev, list);
  }
  return [...byEvent.entries()].map(([ev, ps]) => ({
    event_ticker: ev,
    total_cost_dollars: d(ps.reduce((s, p) => s + p.totalTraded, 0)),
    total_cost_shares_fp: n(ps.reduce((s, p) => s + p.volume, 0)),
    event_exposure_dollars: d(ps.reduce((s, p) => s + p.cost, 0)),
    realized_pnl_dollars: d(ps.reduce((s, p) => s + p.realizedPnl, 0)),
    fees_paid_dollars: d(ps.reduce((s, p) => s + p.feesPaid, 0)),
  }));
}

/** CreateOrderV2Response. For a duplicate client_order_id, the existing order's totals. */
export function createResponseToWire(o: SimOrder, fills: SimFill[], tsMs: number, duplicate: boolean): Json {
  const filled = duplicate ? o.filled : centis(fills.reduce((s, f) => s + f.count, 0));
  const out: Json = {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    fill_count: n(filled),
    remaining_count: n(o.remaining),
    ts_ms: tsMs,
  };
  if (filled > 0) {
    let avgYes: Micros | null;
    let fees: Micros;
    if (duplicate) {
      const avgOutcome = averagePrice(micros(o.takerFillCost + o.makerFillCost), filled);
      avgYes = avgOutcome === null ? null : o.side === "bid" ? avgOutcome : complementPrice(avgOutcome);
      fees = micros(o.takerFees + o.makerFees);
    } else {
      const notional = micros(fills.reduce((s, f) => s + Math.round((f.price * f.count) / 100), 0));
      avgYes = averagePrice(notional, filled);
      fees = micros(fills.reduce((s, f) => s + f.fee, 0));
    }
    if (avgYes !== null) out.average_fill_price = d(avgYes);
    const avgFee = averagePrice(fees, filled);
    if (avgFee !== null) out.average_fee_paid = d(avgFee);
  }
  return out;
}

// ---------------------------------------------------------------- WebSocket payloads

export function wsFill(engine: SimEngine, f: SimFill): Json {
  const out: Json = {
    trade_id: f.tradeId,
    order_id: f.orderId,
    market_ticker: f.ticker,
    exchange_index: engine.exchangeIndex(f.ticker),
    is_taker: f.isTaker,
    side: outcome(f.side),
    yes_price_dollars: d(f.price),
    count_fp: n(f.count),
    fee_cost: d(f.fee),
    action: "buy",
    ts: Math.floor(f.ts / 1000),
    ts_ms: f.ts,
    post_position_fp: n(f.postPosition),
    purchased_side: outcome(f.side),
    outcome_side: outcome(f.side),
    book_side: f.side,
    subaccount: 0,
  };
  if (f.clientOrderId) out.client_order_id = f.clientOrderId;
  return out;
}

export function wsUserOrder(engine: SimEngine, o: SimOrder): Json {
  const out: Json = {
    order_id: o.orderId,
    user_id: engine.account(o.accountId).userId,
    ticker: o.ticker,
    exchange_index: engine.exchangeIndex(o.ticker),
    status: o.status,
    side: outcome(o.side),
    is_yes: o.side === "bid",
    outcome_side: outcome(o.side),
    book_side: o.side,
    yes_price_dollars: d(o.price),
    fill_count_fp: n(o.filled),
    remaining_count_fp: n(o.remaining),
    initial_count_fp: n(o.initial),
    taker_fill_cost_dollars: d(o.takerFillCost),
    maker_fill_cost_dollars: d(o.makerFillCost),
    taker_fees_dollars: d(o.takerFees),
    maker_fees_dollars: d(o.makerFees),
    client_order_id: o.clientOrderId,
    self_trade_prevention_type: o.stp,
    created_time: iso(o.createdTs),
    last_update_time: iso(o.lastUpdateTs),
    created_ts_ms: o.createdTs,
    last_updated_ts_ms: o.lastUpdateTs,
    subaccount_number: 0,
  };
  if (o.expirationTs !== null) {
    out.expiration_time = iso(o.expirationTs);
    out.expiration_ts_ms = o.expirationTs;
  }
  if (o.lastUpdateReason) out.last_update_reason = o.lastUpdateReason;
  return out;
}

export function wsMarketPosition(engine: SimEngine, accountId: string, p: PositionState): Json {
  return {
    user_id: engine.account(accountId).userId,
    market_ticker: p.ticker,
    position_fp: n(p.position),
    position_cost_dollars: d(p.cost),
    realized_pnl_dollars: d(p.realizedPnl),
    fees_paid_dollars: d(p.feesPaid),
    position_fee_cost_dollars: d(p.feesPaid),
    volume_fp: n(p.volume),
    subaccount: 0,
  };
}

export function wsTicker(engine: SimEngine, m: SimMarket, marketId: string): Json {
  const t = m.status === "active" ? engine.top(m.ticker) : { bid: null, ask: null, bidSize: 0, askSize: 0 };
  const now = engine.now();
  return {
    market_id: marketId,
    market_ticker: m.ticker,
    price_dollars: d(m.lastPrice),
    yes_bid_dollars: d(t.bid ?? 0),
    yes_ask_dollars: d(t.ask ?? 1_000_000),
    yes_bid_size_fp: n(t.bidSize),
    yes_ask_size_fp: n(t.askSize),
    last_trade_size_fp: n(0),
    volume_fp: n(m.volume),
    open_interest_fp: n(m.openInterest),
    dollar_volume: Math.floor(m.volume / 100),
    dollar_open_interest: Math.floor(m.openInterest / 100),
    ts: Math.floor(now / 1000),
    ts_ms: now,
    time: iso(now),
  };
}

/**
 * AmendOrderV2Response: `remaining_count` (the resting size after the amend, not the request's
 * total) and `fill_count` only when the amend filled or changed the resting size; the averages
 * only when it filled.
 */
export function amendResponseToWire(r: AmendResult): Json {
  const out = createResponseToWire(r.order, r.fills, r.tsMs, false);
  if (!r.sizeChanged) {
    delete out.remaining_count;
    delete out.fill_count;
  }
  return out;
}
