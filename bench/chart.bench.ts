/**
 * P&L charts and the daily digest: chart render time (ECharts SVG → resvg PNG) p50 for 7, 90 and 365
 * days, the RSS the renderer adds, and the digest build time over 10,000 fills (FIFO ledger included).
 * Baselines in the same run: the first (cold) render, which loads the libraries and the font, and the
 * ledger alone for the digest.
 */
import { type Centis, type Micros, centis, micros } from "../src/domain/money.js";
import type { Fill } from "../src/exchange/port.js";
import { buildDigest } from "../src/trading/digest.js";
import { runLedger } from "../src/trading/ledger.js";
import { renderPnlChart } from "../src/trading/pnl/chart.js";
import { dailyRealized } from "../src/trading/pnl/series.js";
import { median } from "./util.js";

const DAY = 86_400_000;
const TZ = "America/New_York";

export interface ChartBenchResult {
  coldMs: number;
  p50Ms: Record<"7" | "90" | "365", number>;
  rssAddedBytes: number;
  digestFills: number;
  digestP50Ms: number;
  ledgerP50Ms: number;
}

/** `n` fills over a year in 50 markets: buys, then sells of part of each, prices 0.20–0.80. */
function syntheticFills(n: number, now: number): Fill[] {
  const out: Fill[] = [];
  for (let i = 0; i < n; i++) {
    const buy = i % 3 !== 2;
    const price = micros(200_000 + ((i * 7919) % 600) * 1000);
    out.push({
      fillId: `f${i}`,
      tradeId: `t${i}`,
      orderId: `o${i}`,
      ticker: `KXBENCH-${i % 50}`,
      outcomeSide: "yes",
      bookSide: buy ? "bid" : "ask",
      count: centis(100) as Centis,
      yesPrice: price,
      noPrice: micros(1_000_000 - price),
      isTaker: true,
      fee: micros(10_000) as Micros,
      createdTime: now - 365 * DAY + Math.floor((i / n) * 365 * DAY),
    });
  }
  return out;
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function run(o: { runs: number; digestFills: number }): Promise<ChartBenchResult> {
  const now = Date.parse("2026-11-30T20:00:00Z");
  const events = runLedger(syntheticFills(5_000, now)).realized;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  await renderPnlChart(dailyRealized(events, "7d", now, TZ), { envTag: "SIM", timeZone: TZ });
  const coldMs = performance.now() - t0;
  const p50 = async (days: number) => {
    const s =
      days === 7
        ? dailyRealized(events, "7d", now, TZ)
        : dailyRealized(events, days === 90 ? "90d" : "all", now, TZ);
    const ms: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const t = performance.now();
      await renderPnlChart(s, { envTag: "SIM", timeZone: TZ });
      ms.push(performance.now() - t);
    }
    return median(ms);
  };
  const p50Ms = { "7": await p50(7), "90": await p50(90), "365": await p50(365) };
  const rssAddedBytes = process.memoryUsage().rss - rss0;

  const fills = syntheticFills(o.digestFills, now);
  const input = {
    slot: now,
    now,
    timeZone: TZ,
    fills,
    settlements: [],
    positions: [],
    resting: [],
    markets: [],
    previous: null,
  };
  const digestMs: number[] = [];
  const ledgerMs: number[] = [];
  for (let i = 0; i < Math.max(3, Math.min(o.runs, 10)); i++) {
    digestMs.push(time(() => buildDigest(input)));
    ledgerMs.push(time(() => runLedger(fills)));
  }
  return {
    coldMs,
    p50Ms,
    rssAddedBytes,
    digestFills: o.digestFills,
    digestP50Ms: median(digestMs),
    ledgerP50Ms: median(ledgerMs),
  };
}
