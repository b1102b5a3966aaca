/**
 * Portfolio: open positions marked to market, unrealized and realized P&L.
 * Prices for all positions come from one batched getMarkets({tickers}) and one getOrderbooks(tickers):
 * the number of requests does not depend on the number of positions (beyond the adapter's batches).
 */
import { marketName } from "../domain/marketName.js";
import {
  type Centis,
  type Micros,
  averagePrice,
  complementPrice,
  micros,
  mulPriceCount,
} from "../domain/money.js";
import { startOfDayInZone } from "../domain/time.js";
import type { ExchangePort, Fill, Market, Orderbook, OutcomeSide, Settlement } from "../exchange/port.js";
import { type RealizedEvent, runLedger, summarizeLots } from "./ledger.js";
import { bestPrices, isSettled, midpoint, settledYesValue } from "./prices.js";
import type { PortfolioService, PortfolioView, PositionView, RealizedPnl } from "./types.js";

export interface PortfolioDeps {
  exchange: ExchangePort;
  now?: () => number;
  /** Display time zone (DISPLAY_TIMEZONE): "today" starts at its local midnight. */
  timeZone: string;
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

/** Mark price of YES: settled value, else book midpoint, else snapshot midpoint, else last trade. */
export function markYes(m: Market | undefined, book: Orderbook | undefined): Micros | null {
  if (!m) return null;
  if (isSettled(m)) return settledYesValue(m);
  if (book) {
    const b = bestPrices(book);
    if (b.yesBid !== null && b.yesAsk !== null) return midpoint(b.yesBid, b.yesAsk);
  }
  if (m.yesBid !== null && m.yesAsk !== null && m.yesBid > 0 && m.yesAsk > 0)
    return midpoint(m.yesBid, m.yesAsk);
  return m.lastPrice;
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
      const [balance, positions, fills, settlements] = await Promise.all([
        exchange.getBalance(),
        exchange.getPositions(),
        allFills(exchange),
        exchange.getSettlements() as Promise<Settlement[]>,
      ]);
      const open = positions.filter((p) => p.position !== 0);
      const tickers = [...new Set(open.map((p) => p.ticker))];
      let pricesFailed = false;
      const [markets, books] = tickers.length
        ? await Promise.all([
            exchange.getMarkets({ tickers }).catch(() => {
              pricesFailed = true;
              return [] as Market[];
            }),
            exchange.getOrderbooks(tickers).catch(() => new Map<string, Orderbook>()),
          ])
        : [[] as Market[], new Map<string, Orderbook>()];
      const byTicker = new Map(markets.map((m) => [m.ticker, m]));
      const ledger = runLedger(fills, settlements);
      const notes: string[] = [];
      const views: PositionView[] = [];
      let totalValue = 0;
      let totalUnrealized = 0;
      const unpriced: string[] = [];
      const estimated: string[] = [];

      for (const p of open) {
        const side: OutcomeSide = p.position > 0 ? "yes" : "no";
        const count = Math.abs(p.position) as Centis;
        const m = byTicker.get(p.ticker);
        const yesMark = markYes(m, books.get(p.ticker));
        const mark = yesMark === null ? null : side === "yes" ? yesMark : complementPrice(yesMark);
        const lots = summarizeLots(ledger.lots.get(p.ticker));
        let averageEntry: Micros | null = null;
        let basis: Micros | null = null;
        if (lots && lots.side === side && lots.count === count) {
          averageEntry = averagePrice(lots.cost, count);
          basis = micros(lots.cost + lots.fee);
        } else if (p.marketExposure > 0) {
          // Trade history does not explain this position: use the exchange's cost of the position.
          averageEntry = averagePrice(p.marketExposure, count);
          basis = p.marketExposure;
          estimated.push(p.ticker);
        }
        const value = mark === null ? null : mulPriceCount(mark, count);
        const unrealized = value === null || basis === null ? null : micros(value - basis);
        if (value === null) unpriced.push(p.ticker);
        else {
          totalValue += value;
          if (unrealized !== null) totalUnrealized += unrealized;
        }
        views.push({
          ticker: p.ticker,
          title: m ? marketName(m) : p.ticker,
          subTitle: m?.yesSubTitle ?? "",
          side,
          count,
          averageEntry,
          markPrice: mark,
          value,
          unrealizedPnl: unrealized,
          settled: m ? isSettled(m) : false,
        });
      }
      if (pricesFailed) notes.push("Market prices could not be loaded right now; try again in a moment.");
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
      views.sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || a.ticker.localeCompare(b.ticker));
      return {
        positions: views,
        totalValue: micros(totalValue),
        totalUnrealized: micros(totalUnrealized),
        realized: realizedSummary(ledger.realized, now(), timeZone),
        balance: balance.balance,
        portfolioValue: balance.portfolioValue,
        notes,
        asOf: now(),
      };
    },
  };
}
