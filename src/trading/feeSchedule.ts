/**
 * The fee schedule of a market's series, cached. A quote estimates Kalshi's fee, which depends on the
 * series (fee type and multiplier); reading the event and the series for every quote would double its
 * reads, and a schedule changes rarely (Kalshi announces changes ahead), so both are remembered here.
 */
import type { FeeType } from "../domain/fees.js";
import type { ExchangePort, Market } from "../exchange/port.js";

export interface FeeInfo {
  feeType: FeeType;
  multiplier: number;
  at: number;
}

/** Series fee schedules change rarely; an event's series never does. */
const FEE_INFO_TTL_MS = 10 * 60_000;
/** After a failed series lookup the standard schedule is assumed, and asked again sooner. */
const FEE_INFO_RETRY_MS = 60_000;
const MAX_CACHED_EVENTS = 5000;

export interface FeeSchedule {
  /** The market's fee schedule; the standard one (quadratic ×1) when it cannot be read. */
  feeInfo(market: Market): Promise<FeeInfo>;
}

export function createFeeSchedule(deps: {
  exchange: Pick<ExchangePort, "getEvent" | "getSeries">;
  now: () => number;
}): FeeSchedule {
  const { exchange, now } = deps;
  /** Fee schedule by series ticker. */
  const bySeries = new Map<string, FeeInfo>();
  /** Series ticker by event ticker. */
  const seriesOfEvent = new Map<string, string>();
  /** Events whose series could not be read: the standard schedule, until FEE_INFO_RETRY_MS passes. */
  const fallbackByEvent = new Map<string, FeeInfo>();
  const fresh = (info: FeeInfo | undefined, ttl: number) => info !== undefined && now() - info.at < ttl;

  async function seriesOf(eventTicker: string): Promise<string> {
    const known = seriesOfEvent.get(eventTicker);
    if (known !== undefined) return known;
    const series = (await exchange.getEvent(eventTicker)).seriesTicker;
    seriesOfEvent.set(eventTicker, series);
    if (seriesOfEvent.size > MAX_CACHED_EVENTS) {
      const oldest = seriesOfEvent.keys().next().value;
      if (oldest !== undefined) seriesOfEvent.delete(oldest);
    }
    return series;
  }

  /**
   * The event → series link is remembered for good and the series' schedule for FEE_INFO_TTL_MS, so
   * a quote reads neither most of the time, and a new event of a known series costs one read (the
   * event), not two.
   */
  async function feeInfo(market: Market): Promise<FeeInfo> {
    const seriesTicker = seriesOfEvent.get(market.eventTicker);
    const known = seriesTicker === undefined ? undefined : bySeries.get(seriesTicker);
    if (fresh(known, FEE_INFO_TTL_MS)) return known!;
    const failed = fallbackByEvent.get(market.eventTicker);
    if (fresh(failed, FEE_INFO_RETRY_MS)) return failed!;
    try {
      const series = await seriesOf(market.eventTicker);
      const cached = bySeries.get(series);
      if (fresh(cached, FEE_INFO_TTL_MS)) return cached!;
      const s = await exchange.getSeries(series);
      const info: FeeInfo = { feeType: s.feeType, multiplier: s.feeMultiplier, at: now() };
      bySeries.set(series, info);
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

  return { feeInfo };
}
