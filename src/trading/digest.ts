/**
 * The daily digest's figures (the alerts schedule and send it): realized P&L, fees and fills of the
 * digest's local day and of its week (from Monday), open positions with their value and the change
 * since the previous digest, resting orders, the markets the user is in that close within 24 hours,
 * and the 7-day P&L series for the chart. Plain data, so a digest owed across a restart is sent as built.
 */
import { type Centis, type Micros, complementPrice, micros } from "../domain/money.js";
import { startOfDayInZone, zonedParts } from "../domain/time.js";
import type { ExchangePort, Fill, Market, Order, Settlement } from "../exchange/port.js";
import { runLedger } from "./ledger.js";
import { allFills } from "./portfolio.js";
import { dailyRealized, type PnlSeries } from "./pnl/series.js";
import type { PortfolioService, PositionView } from "./types.js";

export interface DigestTotals {
  realized: Micros;
  fees: Micros;
  fills: number;
}

export interface DigestPosition {
  ticker: string;
  title: string;
  side: "yes" | "no";
  count: Centis;
  value: Micros | null;
  /** Value now − value in the previous digest; null when there was none or either is unknown. */
  change: Micros | null;
}

export interface DigestOrder {
  ticker: string;
  title: string;
  /** "BUY 10 YES @ $0.45" */
  text: string;
}

export interface Digest {
  /** The scheduled time the digest is for (its day and week). */
  slot: number;
  today: DigestTotals;
  week: DigestTotals;
  positions: DigestPosition[];
  totalValue: Micros;
  resting: DigestOrder[];
  closing: { ticker: string; title: string; closeTime: number }[];
  chart: PnlSeries;
}

export interface DigestInput {
  slot: number;
  now: number;
  timeZone: string;
  fills: Fill[];
  settlements: Settlement[];
  positions: PositionView[];
  resting: Order[];
  markets: Market[];
  /** Position values of the previous digest, by positionKey(); null before the first one. */
  previous: Record<string, number> | null;
}

const DAY_MS = 86_400_000;
export const positionKey = (p: { ticker: string; side: string }) => `${p.ticker}|${p.side}`;

/** Local midnight of the Monday of the week holding `dayStart`. */
function mondayOf(dayStart: number, timeZone: string): number {
  const p = zonedParts(dayStart + 12 * 3_600_000, timeZone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7; // Monday = 0
  let t = dayStart;
  for (let i = 0; i < weekday; i++) t = startOfDayInZone(t - 1, timeZone);
  return t;
}

function totals(from: number, to: number, fills: Fill[], realized: { time: number; pnl: Micros }[]) {
  const inRange = (t: number) => t >= from && t < to;
  const mine = fills.filter((f) => inRange(f.createdTime));
  return {
    realized: micros(realized.filter((e) => inRange(e.time)).reduce((a, e) => a + e.pnl, 0)),
    fees: micros(mine.reduce((a, f) => a + f.fee, 0)),
    fills: mine.length,
  };
}

/** A resting order as the user placed it, read from the book side and the position it meets. */
function orderText(o: Order, position: PositionView | undefined): string {
  const n = (o.remainingCount / 100).toLocaleString("en-US", { maximumFractionDigits: 2 });
  const price = (p: Micros) => `$${(p / 1_000_000).toFixed(p % 10_000 === 0 ? 2 : 3)}`;
  if (o.bookSide === "bid") {
    return position?.side === "no"
      ? `SELL ${n} NO @ ${price(complementPrice(o.yesPrice))}`
      : `BUY ${n} YES @ ${price(o.yesPrice)}`;
  }
  return position?.side === "yes"
    ? `SELL ${n} YES @ ${price(o.yesPrice)}`
    : `BUY ${n} NO @ ${price(complementPrice(o.yesPrice))}`;
}

/** The digest of `slot`'s local day from what the exchange listed. */
export function buildDigest(i: DigestInput): Digest {
  const dayStart = startOfDayInZone(i.slot, i.timeZone);
  const dayEnd = startOfDayInZone(dayStart + 26 * 3_600_000, i.timeZone);
  const ledger = runLedger(i.fills, i.settlements);
  const titles = new Map(i.markets.map((m) => [m.ticker, m.title]));
  const positions = i.positions.map((p) => {
    const before = i.previous?.[positionKey(p)];
    const change = p.value !== null && before !== undefined ? micros(p.value - before) : null;
    return { ticker: p.ticker, title: p.title, side: p.side, count: p.count, value: p.value, change };
  });
  const byTicker = new Map(i.positions.map((p) => [p.ticker, p]));
  const closing = i.markets
    .filter((m) => m.closeTime !== null && m.closeTime > i.now && m.closeTime <= i.now + DAY_MS)
    .filter((m) => m.status === "active" || m.status === "inactive")
    .map((m) => ({ ticker: m.ticker, title: m.title, closeTime: m.closeTime! }))
    .sort((a, b) => a.closeTime - b.closeTime);
  return {
    slot: i.slot,
    today: totals(dayStart, dayEnd, i.fills, ledger.realized),
    week: totals(mondayOf(dayStart, i.timeZone), dayEnd, i.fills, ledger.realized),
    positions,
    totalValue: micros(positions.reduce((a, p) => a + (p.value ?? 0), 0)),
    resting: i.resting.map((o) => ({
      ticker: o.ticker,
      title: titles.get(o.ticker) ?? o.ticker,
      text: orderText(o, byTicker.get(o.ticker)),
    })),
    closing,
    chart: dailyRealized(ledger.realized, "7d", Math.min(i.now, dayEnd - 1), i.timeZone),
  };
}

export interface DigestService {
  /** Reads the account and builds the digest of `slot` (see buildDigest). */
  collect(slot: number, previous: Record<string, number> | null): Promise<Digest>;
}

export function createDigestService(deps: {
  exchange: ExchangePort;
  portfolio: PortfolioService;
  timeZone: string;
  now?: () => number;
}): DigestService {
  const { exchange } = deps;
  const now = deps.now ?? Date.now;
  return {
    async collect(slot, previous) {
      const [view, fills, settlements, resting] = await Promise.all([
        deps.portfolio.view(),
        // The whole history, as /portfolio reads it: FIFO needs the fills that opened what was sold.
        allFills(exchange),
        exchange.getSettlements(),
        exchange.getOrders({ status: "resting" }),
      ]);
      const tickers = [...new Set([...view.positions.map((p) => p.ticker), ...resting.map((o) => o.ticker)])];
      const markets = tickers.length ? await exchange.getMarkets({ tickers }) : [];
      const positions = view.positions.filter((p) => !p.settled);
      return buildDigest({
        slot,
        now: now(),
        timeZone: deps.timeZone,
        fills,
        settlements,
        positions,
        resting,
        markets,
        previous,
      });
    },
  };
}
