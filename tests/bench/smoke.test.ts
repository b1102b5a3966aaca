/**
 * The benchmarks' smoke run: `npm run bench -- --quick` as a child process (the way CI and a developer
 * run it), tiny sizes. It asserts that every benchmark still runs to a result and that the table has
 * every row — never how fast anything is (speed is not asserted by tests; see docs/benchmarks.md).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The rows `bench/run.ts --quick` must print, in order. */
const EXPECTED: RegExp[] = [
  /^Order path: Confirm tap → POST at exchange, p50 \(5 orders\)$/,
  /^\/buy → quote card, back to back, p50 \/ p90 \(\d+ quotes\)$/,
  /^Fill alert latency, stub Kalshi, WebSocket, p50 \/ p99 \(20 fills\)$/,
  /^Fill alert latency, sim, WebSocket, p50 \/ p99 \(5 fills\)$/,
  /^Price alert latency, sim ticker frame → send, p50 \/ p99 \(10 crossings\)$/,
  /^\/portfolio, 20 positions: requests$/,
  /^\/portfolio, 20 positions: time \(\d+ ms\/request\)$/,
  /^\/portfolio, 20 positions and their buttons \(bot\): requests \/ time$/,
  /^\/orders, 10 resting orders with queue positions: requests$/,
  /^\/orders, 10 resting orders: time \(\d+ ms\/request\)$/,
  /^CSV export, 1,000 fills: time$/,
  /^CSV export, 1,000 fills: peak RSS \(own process\)$/,
  /^Start-up: spawn → first getUpdates, p50 of 1$/,
  /^Idle RSS of the running bot \(after [\d.]+ s\)$/,
  /^Shutdown: SIGTERM → exit$/,
  /^Sim orders\/s, signed HTTP \(\d+ in flight\)$/,
  /^Sim with the live catalog: start-up \/ RSS added$/,
  /^\/search cold \(empty index\): time \/ requests$/,
  /^\/search warm, p50 \/ p99 \(10 different queries\)$/,
  /^Search index: heap added \/ file on disk$/,
  /^\/portfolio, 10 positions over 10 events \(live catalog\): requests \/ time$/,
  /^Bot idle RSS with the fixtures catalog \(index built\)$/,
  /^Soak, 3 simulated hours \(2 fills \+ 10 price updates \/ simulated minute\): RSS growth per simulated day$/,
  /^P&L chart PNG, p50: 7 \/ 90 \/ 365 days$/,
  /^Daily digest build, 500 fills$/,
];

let child: ChildProcess | undefined;

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

afterEach(async () => {
  // The runner starts children of its own (the CSV export, the bot process), which may outlive it:
  // SIGTERM the whole group, wait until every member is gone, SIGKILL what is left after a grace.
  const pgid = child?.pid;
  child = undefined;
  if (pgid === undefined) return;
  const until = async (ms: number) => {
    const end = Date.now() + ms;
    while (groupAlive(pgid) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  };
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  await until(3_000);
  signalGroup(pgid, "SIGKILL");
  await until(2_000);
});

function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", "--quick"], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so afterEach can stop the grandchildren too
    });
    child = c;
    let stdout = "";
    let stderr = "";
    c.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    c.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    c.once("error", reject);
    c.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface Row {
  benchmark: string;
  result: string;
  baseline: string;
  notes: string;
}

/** The rows under the table's rule line ("-----+-----…"). */
function parseTable(stdout: string): Row[] {
  const lines = stdout.split("\n");
  const rule = lines.findIndex((l) => /^-+(-\+-+)+$/.test(l.trim()));
  if (rule < 0) return [];
  return lines
    .slice(rule + 1)
    .filter((l) => l.includes(" | "))
    .map((l) => {
      const [benchmark = "", result = "", baseline = "", ...notes] = l.split(" | ").map((c) => c.trim());
      return { benchmark, result, baseline, notes: notes.join(" | ") };
    });
}

describe("npm run bench -- --quick", () => {
  it("runs every benchmark to a result and prints the whole table (no timing asserted)", async () => {
    const out = await runQuick();
    const why = `\n--- stderr ---\n${out.stderr.slice(-3000)}\n--- stdout ---\n${out.stdout.slice(-3000)}`;
    const rows = parseTable(out.stdout);

    const failed = rows.filter((r) => r.result === "FAILED");
    expect(
      failed.map((r) => `${r.benchmark}: ${r.notes}`),
      why,
    ).toEqual([]);
    expect(out.code, why).toBe(0);

    expect(
      rows.map((r) => r.benchmark),
      why,
    ).toEqual(EXPECTED.map((re) => expect.stringMatching(re)));
    for (const r of rows) {
      expect(r.result, `${r.benchmark}${why}`).not.toMatch(/^$|NaN|Infinity/);
      // RSS needs /proc; everywhere else a result is a number.
      if (process.platform === "linux" || !/RSS/.test(r.benchmark)) expect(r.result).toMatch(/\d/);
    }
  }, 240_000); // runs every bench in --quick mode: slow on a loaded machine
});
