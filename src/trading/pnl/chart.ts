/**
 * The P&L chart as a PNG: Apache ECharts renders SVG on the server (no browser, no canvas), resvg turns
 * it into pixels with the DejaVu Sans font shipped in the dejavu-fonts-ttf package. The font files are
 * loaded explicitly and system fonts never are: slim Docker images have none, and a chart must look
 * the same everywhere. Amounts are plotted in dollars; the numbers people read are formatted from Micros.
 * Both libraries are imported on first use: ECharts alone adds seconds to a cold start on a busy machine.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { EChartsOption } from "echarts";
import { displayUsd, micros } from "../../domain/money.js";
import { type PnlSeries, rangeLabel } from "./series.js";

export interface ChartOptions {
  /** "🧪 SIM", "🔴 LIVE": drawn in the top right corner. */
  envTag: string;
  timeZone: string;
  width?: number;
  height?: number;
}

const FONT_FAMILY = "DejaVu Sans";
const BACKGROUND = "#ffffff";
const UP = "#2e7d32";
const DOWN = "#c62828";
const LINE = "#1565c0";
/** Where the title is drawn (tests look for text pixels inside it). */
export const TITLE_BOX = { left: 16, top: 12, width: 520, height: 30 };

let fontFiles: string[] | null = null;

/** The DejaVu TTF files, resolved through the package (also from dist/, also in the Docker image). */
export function chartFontFiles(): string[] {
  if (fontFiles) return fontFiles;
  const require = createRequire(import.meta.url);
  const files = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) =>
    require.resolve(`dejavu-fonts-ttf/ttf/${f}`),
  );
  const missing = files.find((f) => !existsSync(f));
  if (missing)
    throw new Error(`the chart font ${missing} is missing; reinstall the dejavu-fonts-ttf package`);
  fontFiles = files;
  return files;
}

const dollars = (m: number) => m / 1_000_000;
const usd = (d: number) => displayUsd(micros(Math.round(d * 1_000_000)), { sign: true });

function dayLabel(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone, month: "short", day: "numeric" }).format(ms);
}

/** The ECharts option: daily bars (green up, red down), the cumulative line, or a note when empty. */
function chartOption(series: PnlSeries, o: ChartOptions): EChartsOption {
  const empty = series.events === 0;
  let running = 0;
  const cumulative = series.days.map((d) => dollars((running += d.pnl)));
  const title = {
    text: `Realized P&L · ${rangeLabel(series.range)}`,
    subtext: empty ? "" : `Total ${usd(dollars(series.total))} · bars: each day · line: running total`,
    left: TITLE_BOX.left,
    top: TITLE_BOX.top,
    textStyle: { fontSize: 20, fontWeight: "bold" as const, color: "#222" },
    subtextStyle: { fontSize: 13, color: "#555" },
  };
  // DejaVu has no emoji: the tag's word ("SIM", "LIVE") is drawn without its symbol.
  const tagText = o.envTag.replace(/\p{Extended_Pictographic}\uFE0F?/gu, "").trim();
  const tag = {
    type: "text" as const,
    right: 16,
    top: 16,
    style: { text: tagText, fontSize: 16, fill: "#555" },
  };
  const note = {
    type: "text" as const,
    left: "center",
    top: "middle",
    style: { text: "No trades closed or settled in this range", fontSize: 22, fill: "#777" },
  };
  return {
    animation: false,
    backgroundColor: BACKGROUND,
    textStyle: { fontFamily: FONT_FAMILY },
    title,
    graphic: empty ? [tag, note] : [tag],
    grid: { left: 80, right: 24, top: 84, bottom: 48 },
    xAxis: {
      type: "category",
      data: series.days.map((d) => dayLabel(d.dayStart, o.timeZone)),
      axisLabel: { hideOverlap: true, color: "#333" },
    },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => usd(v), color: "#333" } },
    series: empty
      ? []
      : [
          {
            type: "bar",
            name: "Daily",
            data: series.days.map((d) => ({
              value: dollars(d.pnl),
              itemStyle: { color: d.pnl < 0 ? DOWN : UP },
            })),
          },
          {
            type: "line",
            name: "Running total",
            data: cumulative,
            showSymbol: series.days.length <= 31,
            lineStyle: { color: LINE, width: 2 },
            itemStyle: { color: LINE },
          },
        ],
  };
}

/** The chart of `series` as a PNG. */
export async function renderPnlChart(series: PnlSeries, o: ChartOptions): Promise<Buffer> {
  const [echarts, { Resvg }] = await Promise.all([import("echarts"), import("@resvg/resvg-js")]);
  const width = o.width ?? 800;
  const height = o.height ?? 450;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption(chartOption(series, o));
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const resvg = new Resvg(svg, {
    background: BACKGROUND,
    font: { fontFiles: chartFontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}
