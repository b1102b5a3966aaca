/**
 * Portfolio: the holdings (holdings.ts: cash, cash held by resting orders, positions valued at the
 * bids they could sell at), unrealized P&L against the FIFO entry, and realized P&L.
 * Prices for all positions come from one batched getMarkets({tickers}) and one getOrderbooks(tickers):
 * the number of requests does not depend on the number of positions (beyond the adapter's batches).
 */
import { marketName } from "../domain/marketName.js";
import { type Centis, type Micros, averagePrice, micros } from "../domain/money.js";
import { startOfDayInZone } from "../domain/time.js";
import type { ExchangePort, Fill, Settlement } from "../exchange/port.js";
import type { FeeSchedule } from "./feeSchedule.js";
import { type Holdings, type ValuedPosition, readHoldings } from "./holdings.js";
import { type RealizedEvent, runLedger, summarizeLots } from "./ledger.js";
import { isSettled } from "./prices.js";
import type { PortfolioService, PortfolioView, PositionView, RealizedPnl } from "./types.js";

export interface PortfolioDeps {
  exchange: ExchangePort;
  now?: () => number;
  /** Display time zone (DISPLAY_TIMEZONE): "today" starts at its local midnight. */
  timeZone: string;
  /** For the maker fee a resting order holds (see holdings.ts). */
  fees?: FeeSchedule;
}

const DAY_MS = 86_400_000;

/** Every fill, recent and historical, deduplicated by fill id. */
export async function allFills(
  exchange: ExchangePort,
  range: { minTs?: number; maxTs?: number } = {},
): Promise<Fill[]> {
  const cutoff = await exchange.getHistoricalCutoff();
  const edge = cutoff.tradesCreatedTs;
  const wantRecent = range.maxTs === undefined || range.maxTs >= edge;
  const wantOld = edge > 0 && (range.minTs === undefined || range.minTs <= edge);
  const [recent, old] = await Promise.all([
    wantRecent
      ? exchange.getFills({
          ...(range.minTs !== undefined || edge > 0 ? { minTs: Math.max(range.minTs ?? 0, edge) } : {}),
          ...(range.maxTs !== undefined ? { maxTs: range.maxTs } : {}),
        })
      : Promise.resolve([]),
    wantOld
      ? exchange.getHistoricalFills({
          ...(range.minTs !== undefined ? { minTs: range.minTs } : {}),
          maxTs: range.maxTs !== undefined ? Math.min(range.maxTs, edge) : edge,
        })
      : Promise.resolve([]),
  ]);
  const seen = new Set<string>();
  const out: Fill[] = [];
  for (const f of [...old, ...recent]) {
    if (seen.has(f.fillId)) continue;
    seen.add(f.fillId);
    out.push(f);
  }
  return out.sort((a, b) => a.createdTime - b.createdTime);
}

function realizedSummary(events: RealizedEvent[], nowMs: number, timeZone: string): RealizedPnl {
  const today0 = startOfDayInZone(nowMs, timeZone);
  const d7 = nowMs - 7 * DAY_MS;
  const d30 = nowMs - 30 * DAY_MS;
  let today = 0;
  let last7d = 0;
  let last30d = 0;
  let allTime = 0;
  const by = new Map<string, number>();
  for (const e of events) {
    allTime += e.pnl;
    if (e.time >= today0) today += e.pnl;
    if (e.time >= d7) last7d += e.pnl;
    if (e.time >= d30) last30d += e.pnl;
    by.set(e.ticker, (by.get(e.ticker) ?? 0) + e.pnl);
  }
  const byMarket = [...by.entries()]
    .map(([ticker, pnl]) => ({ ticker, pnl: micros(pnl) }))
    .sort((a, b) => Math.abs(b.pnl) - Math.abs(a.pnl) || a.ticker.localeCompare(b.ticker));
  return {
    today: micros(today),
    last7d: micros(last7d),
    last30d: micros(last30d),
    allTime: micros(allTime),
    byMarket,
  };
}

export function createPortfolioService(deps: PortfolioDeps): PortfolioService {
  const { exchange, timeZone } = deps;
  const now = deps.now ?? Date.now;
  return {
    async view(): Promise<PortfolioView> {
      const [h, fills, settlements] = await Promise.all([
        readHoldings({ exchange, ...(deps.fees ? { fees: deps.fees } : {}) }),
        allFills(exchange),
        exchange.getSettlements() as Promise<Settlement[]>,
      ]);
      const ledger = runLedger(fills, settlements);
      const estimated: string[] = [];
      let totalUnrealized = 0;
      const views: PositionView[] = h.positions.map((v) => {
        const { averageEntry, basis } = entryOf(v, ledger.lots.get(v.position.ticker), estimated);
        const unrealized = v.value === null || basis === null ? null : micros(v.value - basis);
        if (unrealized !== null) totalUnrealized += unrealized;
        return {
          ticker: v.position.ticker,
          title: v.market ? marketName(v.market) : v.position.ticker,
          subTitle: v.market?.yesSubTitle ?? "",
          side: v.side,
          count: v.count,
          averageEntry,
          markPrice: v.price,
          value: v.value,
          unrealizedPnl: unrealized,
          settled: v.market ? isSettled(v.market) : false,
        };
      });
      views.sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || a.ticker.localeCompare(b.ticker));
      return {
        positions: views,
        totalValue: h.positionsValue,
        totalUnrealized: micros(totalUnrealized),
        realized: realizedSummary(ledger.realized, now(), timeZone),
        balance: h.cash,
        reserved: h.reserved,
        restingOrders: h.restingOrders,
        total: h.total,
        notes: notesOf(h, estimated),
        asOf: now(),
      };
    },
    async held(ticker) {
      const found = (await exchange.getPositions({ ticker })).find((p) => p.ticker === ticker);
      if (!found || found.position === 0) return null;
      return { side: found.position > 0 ? "yes" : "no", count: Math.abs(found.position) as Centis };
    },
  };
}

/** Average entry and cost basis from the FIFO lots, else (with a note) from the exchange's exposure. */
function entryOf(
  v: ValuedPosition,
  lotList: Parameters<typeof summarizeLots>[0],
  estimated: string[],
): { averageEntry: Micros | null; basis: Micros | null } {
  const lots = summarizeLots(lotList);
  if (lots && lots.side === v.side && lots.count === v.count) {
    return { averageEntry: averagePrice(lots.cost, v.count), basis: micros(lots.cost + lots.fee) };
  }
  const p = v.position;
  if (p.marketExposure > 0) {
    // Trade history does not explain this position: use the exchange's cost of the position.
    estimated.push(p.ticker);
    return { averageEntry: averagePrice(p.marketExposure, v.count), basis: p.marketExposure };
  }
  return { averageEntry: null, basis: null };
}

function notesOf(h: Holdings, estimated: string[]): string[] {
  const notes: string[] = [];
  if (h.pricesFailed) notes.push("Market prices could not be loaded right now; try again in a moment.");
  const { unpriced } = h;
  if (unpriced.length) {
    notes.push(
      `No price is available right now for ${unpriced.join(", ")}, so ${unpriced.length === 1 ? "it is" : "they are"} left out of the totals.`,
    );
  }
  if (estimated.length) {
    notes.push(
      `The average entry for ${estimated.join(", ")} comes from the exchange's position cost, because the trade history does not cover the whole position.`,
    );
  }
  return notes;
}
