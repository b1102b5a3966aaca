import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { contracts, micros } from "../../src/domain/money.js";
import { createExportService, csvText } from "../../src/trading/export.js";
import type { HistoryRow } from "../../src/trading/types.js";
import { T0, usd } from "./helpers.js";

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

function row(p: Partial<HistoryRow>): HistoryRow {
  return {
    time: T0,
    ticker: "KXA-1",
    marketTitle: "A",
    outcome: "yes",
    action: "sell",
    count: contracts(4),
    price: usd("0.30"),
    cost: usd("1.20"),
    fee: usd("0.06"),
    realizedPnl: micros(-400_000),
    orderId: "o1",
    fillId: "f1",
    isTaker: true,
    source: "elsewhere",
    ...p,
  };
}

describe("CSV formula injection", () => {
  it("text cells that a spreadsheet would run as a formula start with an apostrophe; numbers stay numbers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "export-inj-"));
    dirs.push(dir);
    const titles = [
      '=HYPERLINK("http://x","win")',
      "+1 point spread",
      "-5 degrees?",
      "@SUM(A1)",
      "\tTabbed",
      "Fine",
    ];
    const rows = titles.map((t, i) =>
      row({ marketTitle: t, fillId: i === 0 ? "=cmd|' /C calc'!A0" : `f${i}` }),
    );
    const exporter = createExportService({
      history: { report: async () => ({ rows, settlements: [] }) },
      dataDir: dir,
      timeZone: "UTC",
      environment: "sim",
      now: () => T0,
    });
    const res = await exporter.exportCsv(T0, T0);
    const records = parse(await readFile(res.files[0]!, "utf8"), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(records.map((r) => r.market_title)).toEqual([
      `'=HYPERLINK("http://x","win")`,
      "'+1 point spread",
      "'-5 degrees?",
      "'@SUM(A1)",
      "'\tTabbed",
      "Fine",
    ]);
    expect(records[0]!.fill_id).toBe("'=cmd|' /C calc'!A0");
    expect(records[1]!.fill_id).toBe("f1");
    // A negative amount is a number, not text: untouched.
    expect(records.map((r) => r.realized_pnl)).toEqual(Array(6).fill("-0.40"));
    expect(records[0]!.price).toBe("0.30");
  });

  it("csvText leaves ordinary text alone", () => {
    expect(csvText("KXHIGHNY-26NOV25-B45")).toBe("KXHIGHNY-26NOV25-B45");
    expect(csvText("Highest temperature in NYC")).toBe("Highest temperature in NYC");
    expect(csvText("")).toBe("");
    expect(csvText("a=b")).toBe("a=b");
  });
});

describe("empty export", () => {
  it("no trades in the range: no file at all, not even the exports folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "export-empty-"));
    dirs.push(dir);
    const exporter = createExportService({
      history: { report: async () => ({ rows: [], settlements: [] }) },
      dataDir: dir,
      timeZone: "America/New_York",
      environment: "demo",
      now: () => T0,
    });
    const res = await exporter.exportCsv(T0 - 86_400_000, T0);
    expect(res).toEqual({
      files: [],
      rows: 0,
      fromMs: T0 - 86_400_000,
      toMs: T0,
      timeZone: "America/New_York",
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("export files are crash-safe and private", () => {
  const rows = [row({ fillId: "f1" }), row({ fillId: "f2" }), row({ fillId: "f3" })];

  it("a killed export leaves only .partial files, which the next start removes; finished files are 0600", async () => {
    const dir = await mkdtemp(join(tmpdir(), "export-kill-"));
    dirs.push(dir);
    // An export killed mid-way: its part still has the temporary name.
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(join(dir, "exports"), { recursive: true });
    const left = join(dir, "exports", "trades-sim-20261101-20261130-1-part1.csv.partial");
    await writeFile(left, "\uFEFFtime,time_zone\r\n2026-11-0");
    const older = join(dir, "exports", "trades-sim-20261001-20261031-1.csv");
    await writeFile(older, "\uFEFFtime\r\n", { mode: 0o644 });
    const exporter = createExportService({
      history: { report: async () => ({ rows, settlements: [] }) },
      dataDir: dir,
      timeZone: "UTC",
      environment: "sim",
      maxBytes: 350,
      now: () => T0,
    });
    // Created (the app's start): the leftover is gone, an older export is made private.
    expect(await readdir(join(dir, "exports"))).toEqual(["trades-sim-20261001-20261031-1.csv"]);
    const { stat, rm: remove } = await import("node:fs/promises");
    expect((await stat(older)).mode & 0o777).toBe(0o600);
    await remove(older);
    const res = await exporter.exportCsv(T0, T0);
    expect(res.files.length).toBeGreaterThan(1);
    const names = (await readdir(join(dir, "exports"))).sort();
    expect(names.every((n) => n.endsWith(".csv"))).toBe(true);
    expect(names).toEqual(res.files.map((f) => f.split("/").pop()!).sort());
    for (const f of res.files) expect((await stat(f)).mode & 0o777).toBe(0o600);
  });
});
