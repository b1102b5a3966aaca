/**
 * /pnl: the account's realized P&L per day over a range, as numbers and as a chart picture. Reads the
 * whole fill and settlement history, as /portfolio does, so the totals agree with it.
 */
import type { ExchangePort } from "../../exchange/port.js";
import { runLedger } from "../ledger.js";
import { allFills } from "../portfolio.js";
import { renderPnlChart } from "./chart.js";
import { dailyRealized, type PnlRange, type PnlSeries } from "./series.js";

export interface PnlChart {
  series: PnlSeries;
  png: Buffer;
}

export interface PnlService {
  series(range: PnlRange): Promise<PnlSeries>;
  chart(range: PnlRange): Promise<PnlChart>;
}

export function createPnlService(deps: {
  exchange: ExchangePort;
  timeZone: string;
  envTag: string;
  now?: () => number;
}): PnlService {
  const now = deps.now ?? Date.now;
  const series = async (range: PnlRange): Promise<PnlSeries> => {
    const [fills, settlements] = await Promise.all([allFills(deps.exchange), deps.exchange.getSettlements()]);
    return dailyRealized(runLedger(fills, settlements).realized, range, now(), deps.timeZone);
  };
  return {
    series,
    async chart(range) {
      const s = await series(range);
      return { series: s, png: await renderPnlChart(s, { envTag: deps.envTag, timeZone: deps.timeZone }) };
    },
  };
}
