/**
 * CSV export of trade history, streamed to DATA_DIR/exports row by row (never one big string), split
 * into numbered parts (each with the header) when a file would pass Telegram's document limit.
 *
 * Format: UTF-8 with BOM, CRLF line ends, fields quoted only when needed, amounts as plain decimals.
 *
 * Crash safety: every part is written under a temporary name (`<name>.partial`) and all parts are
 * renamed to their final names only once the whole export is complete, so a kill never leaves a
 * truncated .csv behind; leftover `.partial` files are removed when the service is created (at start).
 * Files are created 0600: they list positions and P&L.
 */
import { createWriteStream, readdirSync, rmSync, type WriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stringify } from "csv-stringify/sync";
import { type Centis, type Micros, displayCount, formatDollars } from "../domain/money.js";
import { formatInZone, zonedParts } from "../domain/time.js";
import { makePrivate } from "../logging/privateFiles.js";
import type { Environment } from "../domain/environment.js";
import type { ExportResult, ExportService, HistoryRow, HistoryService, SettlementRow } from "./types.js";

export const CSV_COLUMNS = [
  "time",
  "time_zone",
  "environment",
  "ticker",
  "market_title",
  "outcome",
  "action",
  "count",
  "price",
  "cost",
  "fee",
  "realized_pnl",
  "order_id",
  "fill_id",
  "liquidity",
  "source",
  "payout",
] as const;

/** Telegram bots may send documents up to 50 MB; stay under it whether MB means 10^6 or 2^20 bytes. */
export const DEFAULT_MAX_EXPORT_BYTES = 49_000_000;

export interface ExportDeps {
  history: Pick<HistoryService, "report">;
  dataDir: string;
  timeZone: string;
  environment: Environment;
  maxBytes?: number;
  now?: () => number;
}

const BOM = "\uFEFF";
/** Suffix of an export part still being written. */
const PARTIAL_SUFFIX = ".partial";
const EXPORT_FILE_MODE = 0o600;

/**
 * The start-up clean-up: removes parts a killed export left behind (returns how many) and makes exports
 * of older versions (0644) owner-only.
 */
function removePartialExports(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    if (name.endsWith(".csv")) makePrivate(join(dir, name));
    if (!name.endsWith(PARTIAL_SUFFIX)) continue;
    rmSync(join(dir, name), { force: true });
    n++;
  }
  return n;
}
const STRINGIFY_OPTS = { record_delimiter: "windows", quoted_match: /^\s|\s$/ } as const;

/** Plain decimal: "0.55", "5.50", "0.055", "-1.20". */
const csvAmount = (m: Micros): string => formatDollars(m, 2);

/**
 * A text cell a spreadsheet would run as a formula (it starts with = + - @, or a tab or carriage
 * return) gets a leading apostrophe, so Excel/Sheets show it as text. Only for text columns: the
 * amount columns are numbers (a "-0.40" must stay a number).
 */
export function csvText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvRecord(r: HistoryRow, timeZone: string, environment: Environment): string[] {
  return [
    formatInZone(r.time, timeZone),
    timeZone,
    environment,
    csvText(r.ticker),
    csvText(r.marketTitle),
    r.outcome.toUpperCase(),
    r.action,
    displayCount(r.count),
    csvAmount(r.price),
    csvAmount(r.cost),
    csvAmount(r.fee),
    r.realizedPnl === null ? "" : csvAmount(r.realizedPnl),
    csvText(r.orderId),
    csvText(r.fillId),
    r.isTaker ? "taker" : "maker",
    r.source,
    "",
  ];
}

/**
 * A settlement as a row: action "settlement", the side(s) held and their count, the price one
 * contract of that side paid (1.00 or 0.00 on a YES/NO result), the payout and the realized P&L.
 */
function settlementRecord(s: SettlementRow, timeZone: string, environment: Environment): string[] {
  const sides = [s.yesCount > 0 ? "YES" : "", s.noCount > 0 ? "NO" : ""].filter(Boolean);
  const held = sides.length === 1 ? sides[0]! : "";
  const perContract =
    held && (s.result === "yes" || s.result === "no")
      ? csvAmount((held === s.result.toUpperCase() ? 1_000_000 : 0) as Micros)
      : "";
  return [
    formatInZone(s.time, timeZone),
    timeZone,
    environment,
    csvText(s.ticker),
    csvText(s.marketTitle),
    sides.join("+"),
    "settlement",
    displayCount((s.yesCount + s.noCount) as Centis),
    perContract,
    "",
    "",
    csvAmount(s.realizedPnl),
    "",
    "",
    "",
    "settlement",
    csvAmount(s.revenue),
  ];
}

/** Fills and settlements in time order (a settlement after the fills of the same instant). */
function csvRecords(
  rep: { rows: HistoryRow[]; settlements: SettlementRow[] },
  timeZone: string,
  environment: Environment,
): string[][] {
  const timed = [
    ...rep.rows.map((r) => ({ t: r.time, rec: csvRecord(r, timeZone, environment) })),
    ...rep.settlements.map((s) => ({ t: s.time, rec: settlementRecord(s, timeZone, environment) })),
  ];
  return timed.sort((a, b) => a.t - b.t).map((x) => x.rec);
}

function ymd(ms: number, tz: string): string {
  const p = zonedParts(ms, tz);
  return `${p.year}${String(p.month).padStart(2, "0")}${String(p.day).padStart(2, "0")}`;
}

function write(stream: WriteStream, chunk: string): Promise<void> {
  return new Promise((res, rej) => {
    const onError = (e: Error) => rej(e);
    stream.once("error", onError);
    const ok = stream.write(chunk, () => undefined);
    if (ok) {
      stream.off("error", onError);
      res();
    } else {
      stream.once("drain", () => {
        stream.off("error", onError);
        res();
      });
    }
  });
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((res, rej) => {
    stream.once("error", rej);
    stream.end(() => res());
  });
}

export function createExportService(deps: ExportDeps): ExportService {
  const { history, timeZone, environment } = deps;
  const maxBytes = deps.maxBytes ?? DEFAULT_MAX_EXPORT_BYTES;
  const now = deps.now ?? Date.now;
  const dir = resolve(deps.dataDir, "exports");
  removePartialExports(dir);

  return {
    async exportCsv(fromMs: number, toMs: number): Promise<ExportResult> {
      const rows = csvRecords(await history.report(fromMs, toMs), timeZone, environment);
      // Nothing to export: no header-only file (the bot says there were no trades).
      if (rows.length === 0) return { files: [], rows: 0, fromMs, toMs, timeZone };
      await mkdir(dir, { recursive: true });
      const base = `trades-${environment}-${ymd(fromMs, timeZone)}-${ymd(toMs, timeZone)}-${now()}`;
      const header = BOM + stringify([[...CSV_COLUMNS]], STRINGIFY_OPTS);
      const headerBytes = Buffer.byteLength(header);
      const files: string[] = [];
      let stream: WriteStream | null = null;
      let bytes = 0;
      let rowsInPart = 0;

      const open = async () => {
        const path = join(dir, `${base}-part${files.length + 1}.csv${PARTIAL_SUFFIX}`);
        files.push(path);
        stream = createWriteStream(path, { encoding: "utf8", mode: EXPORT_FILE_MODE });
        await write(stream, header);
        bytes = headerBytes;
        rowsInPart = 0;
      };

      try {
        await open();
        for (const r of rows) {
          const line = stringify([r], STRINGIFY_OPTS);
          const n = Buffer.byteLength(line);
          if (rowsInPart > 0 && bytes + n > maxBytes) {
            await end(stream!);
            await open();
          }
          await write(stream!, line);
          bytes += n;
          rowsInPart++;
        }
        await end(stream!);
      } catch (err) {
        const s = stream as WriteStream | null;
        s?.destroy();
        await Promise.all(files.map((f) => rm(f, { force: true })));
        throw err;
      }
      // Complete: the parts get their final names (a single part a plain one).
      const finals =
        files.length === 1
          ? [join(dir, `${base}.csv`)]
          : files.map((f) => f.slice(0, -PARTIAL_SUFFIX.length));
      for (const [i, f] of files.entries()) await rename(f, finals[i]!);
      files.splice(0, files.length, ...finals);
      return { files, rows: rows.length, fromMs, toMs, timeZone };
    },
  };
}
