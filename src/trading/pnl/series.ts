/**
 * Realized P&L per day in the display zone, for the /pnl chart and the digest: the ledger's realized
 * events (sells and settlements, docs/trading.md "How P&L is calculated") summed by local calendar
 * day. Days are walked by local midnights, so a 23- or 25-hour DST day is still one day.
 */
import { type Micros, micros } from "../../domain/money.js";
import { startOfDayInZone } from "../../domain/time.js";
import type { RealizedEvent } from "../ledger.js";

export const PNL_RANGES = ["7d", "30d", "90d", "all"] as const;
export type PnlRange = (typeof PNL_RANGES)[number];

export interface DailyPnl {
  /** Epoch ms of the day's local midnight. */
  dayStart: number;
  pnl: Micros;
}

export interface PnlSeries {
  range: PnlRange;
  days: DailyPnl[];
  /** Realized events (sells, settlements) in the range. */
  events: number;
  total: Micros;
}

const RANGE_DAYS: Record<Exclude<PnlRange, "all">, number> = { "7d": 7, "30d": 30, "90d": 90 };
/** "all" never draws more than this many days (ten years). */
const MAX_DAYS = 3660;

/** Local midnight of the day before the one starting at `dayStart`. */
const dayBefore = (dayStart: number, tz: string) => startOfDayInZone(dayStart - 1, tz);
/** Local midnight of the day after the one starting at `dayStart` (a day is 23 to 25 hours). */
const dayAfter = (dayStart: number, tz: string) => startOfDayInZone(dayStart + 26 * 3_600_000, tz);

/** The local midnight the range starts at: n−1 days before today, or the first event's day for "all". */
function rangeStart(range: PnlRange, events: RealizedEvent[], today: number, tz: string): number {
  let n = range === "all" ? 7 : RANGE_DAYS[range];
  if (range === "all" && events.length > 0) {
    const first = startOfDayInZone(Math.min(...events.map((e) => e.time)), tz);
    if (first < today) n = Math.min(MAX_DAYS, Math.round((today - first) / 86_400_000) + 1);
  }
  let start = today;
  for (let i = 1; i < n; i++) start = dayBefore(start, tz);
  return start;
}

/** Daily realized P&L from the range's first local day through today (days without events count 0). */
export function dailyRealized(
  events: RealizedEvent[],
  range: PnlRange,
  nowMs: number,
  timeZone: string,
): PnlSeries {
  const today = startOfDayInZone(nowMs, timeZone);
  const start = rangeStart(range, events, today, timeZone);
  const days: DailyPnl[] = [];
  const index = new Map<number, number>();
  for (let d = start; d <= today; d = dayAfter(d, timeZone)) {
    index.set(d, days.length);
    days.push({ dayStart: d, pnl: micros(0) });
  }
  let total = 0;
  let count = 0;
  for (const e of events) {
    if (e.time < start || e.time > nowMs) continue;
    const i = index.get(startOfDayInZone(e.time, timeZone));
    if (i === undefined) continue;
    days[i]!.pnl = micros(days[i]!.pnl + e.pnl);
    total += e.pnl;
    count++;
  }
  return { range, days, events: count, total: micros(total) };
}

/** "last 7 days", "last 30 days", "all time". */
export function rangeLabel(range: PnlRange): string {
  return range === "all" ? "all time" : `last ${RANGE_DAYS[range]} days`;
}
