/**
 * The app as a real process (`npm start` = tsx src/main.ts) against a LocalBotApi and a sim in this test
 * process: kill -9 in the middle of a fill burst and a restart → every fill alerted exactly once; SIGTERM
 * during activity → exit within 5 s with the journal flushed; then no secret in any log, file or message.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBotApi } from "../../src/devtools/localBotApi.js";
import { centis, formatDollars, type Micros } from "../../src/domain/money.js";
import { validPrices } from "../../src/sim/engine.js";
import { startSim, type SimServer } from "../../src/sim/server.js";
import { until } from "../support/appHarness.js";
import { figure, printFiguresAfterAll } from "./figures.js";
import { alertCounts, scanForSecrets } from "./support.js";

printFiguresAfterAll("process");

const ROOT = resolve(import.meta.dirname, "../..");
// The app runs the way `npm start` runs it: one node process with tsx's loader. (tsx's own CLI runs
// it in a second process and turns a signal the app does not report within 30 ms into exit 143, which
// a loaded machine can hit.)
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const OWNER = 515151;

let dir: string;
let sim: SimServer;
let api: LocalBotApi;
let env: NodeJS.ProcessEnv;
const children = new Set<ChildProcess>();
let childOutput = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "reliability-process-"));
  sim = await startSim({ keyDir: join(dir, "simkeys"), livingMarket: false, rateLimit: false });
  api = new LocalBotApi();
  await api.listen();
  env = {
    PATH: process.env.PATH,
    HOME: dir,
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
    KALSHI_ENVIRONMENT: "sim",
    KALSHI_API_BASE_URL: sim.baseUrl,
    KALSHI_WS_URL: sim.wsUrl,
    KALSHI_API_KEY: sim.keyId,
    KALSHI_PRIVATE_KEY_PATH: sim.privateKeyPath!,
    LOG_DIR: join(dir, "logs"),
    DATA_DIR: join(dir, "data"),
    LOG_LEVEL: "debug",
  };
});
afterAll(async () => {
  for (const c of children) killGroup(c, "SIGKILL");
  await api?.close();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

async function startChild(): Promise<Child> {
  const proc = spawn(process.execPath, ["--import", TSX_LOADER, join(ROOT, "src/main.ts")], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, signalled as a whole the way Docker and systemd signal the cgroup.
    detached: true,
  });
  children.add(proc);
  let out = "";
  const onData = (d: Buffer) => {
    out += d.toString();
    childOutput += d.toString();
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.on("exit", (code, signal) => r({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  await until(
    "the bot process to start",
    () => {
      if (gone) throw new Error(`the bot exited during start-up:\n${out}`);
      return out.includes("The bot is running");
    },
    15_000,
    25,
  );
  return { proc, exited, output: () => out };
}

/** Open markets with a free price tick between the market maker's bid and ask. */
function freeTicks(): { ticker: string; price: Micros }[] {
  const out: { ticker: string; price: Micros }[] = [];
  for (const m of sim.engine.markets()) {
    if (m.status !== "active") continue;
    const t = sim.engine.top(m.ticker);
    if (t.bid === null || t.ask === null) continue;
    const p = validPrices(m.priceRanges).find((x) => x > t.bid! && x < t.ask!);
    if (p !== undefined) out.push({ ticker: m.ticker, price: p });
  }
  return out;
}

/** Signals the child's whole process group. */
function killGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the bot as a process", () => {
  it("kill -9 mid fill burst and a restart → 0 lost, 0 silent doubles (a repeat carries a note), 0 duplicate orders", async () => {
    const N = 30;
    const spots = freeTicks();
    const first = await startChild();
    // N resting user orders, each of a distinct size (k contracts), at the free tick of a market.
    const plan = Array.from({ length: N }, (_, i) => ({ k: i + 1, ...spots[i % spots.length]! }));
    for (const p of plan) {
      sim.engine.placeOrder("user", {
        ticker: p.ticker,
        side: "bid",
        price: p.price,
        count: centis(p.k * 100),
        tif: "good_till_canceled",
        clientOrderId: `burst-${p.k}`,
      });
    }
    const ordersBefore = sim.state().orders as number;
    let killedAfter = 0;
    let lastBeforeKill: number | undefined;
    for (const p of plan) {
      sim.trade({ ticker: p.ticker, side: "ask", price: p.price, count: p.k });
      if (p.k === N / 2) {
        // Wait for the first alerts to start flowing, then kill -9 in the middle of the burst.
        await until(
          "some alerts before the kill",
          () => alertCounts(api.botMessages(OWNER)).size >= 3,
          10_000,
        );
        killedAfter = alertCounts(api.botMessages(OWNER)).size;
        killGroup(first.proc, "SIGKILL");
        await first.exited;
        // The alert whose send Telegram accepted last before the process died.
        const sent = api.botMessages(OWNER).filter((m) => /Filled: BUY/.test(m.text));
        lastBeforeKill = Number(/Filled: BUY (\d+)/.exec(sent.at(-1)!.text)![1]);
      } else await sleep(10); // paces the burst like trades coming in; no check depends on it
    }
    const second = await startChild();
    const counts = await until(
      `alerts for all ${N} fills`,
      () => {
        const c = alertCounts(api.botMessages(OWNER));
        return c.size === N ? c : undefined;
      },
      20_000,
      50,
    );
    // A sentinel instead of a quiet period: one more user order (N + 1 contracts) filled after every
    // alert is out. The alerts take fills in one at a time, in order, so once the sentinel's alert is out,
    // the restart's backfill (and any repeat it made) went through before it.
    const sentinel = plan[0]!;
    sim.engine.placeOrder("user", {
      ticker: sentinel.ticker,
      side: "bid",
      price: sentinel.price,
      count: centis((N + 1) * 100),
      tif: "good_till_canceled",
      clientOrderId: "burst-sentinel",
    });
    sim.trade({ ticker: sentinel.ticker, side: "ask", price: sentinel.price, count: N + 1 });
    await until("the sentinel's alert", () => alertCounts(api.botMessages(OWNER)).has(N + 1), 10_000, 25);
    const final = alertCounts(api.botMessages(OWNER));
    expect(final.get(N + 1)).toBe(1);
    final.delete(N + 1);
    const doubled = [...final.entries()].filter(([, n]) => n > 1);
    // Sent messages per order size, told apart by the note an alert carries when it is sent again
    // because its earlier send may have reached the chat.
    const NOTE = "(sent again after a restart — you may have seen this already)";
    const alerts = api.botMessages(OWNER).filter((m) => /Filled: BUY \d+ YES/.test(m.text));
    const sizeOf = (text: string) => Number(/Filled: BUY (\d+) YES/.exec(text)![1]);
    const plain = alertCounts(alerts.filter((m) => !m.text.includes(NOTE)));
    plain.delete(N + 1);
    const noted = alerts.filter((m) => m.text.includes(NOTE)).map((m) => sizeOf(m.text));
    const orders = sim.state().orders as number;
    second.proc.kill("SIGTERM");
    await second.exited;
    expect(counts.size).toBe(N);
    // Telegram's sendMessage has no idempotency key: an alert whose send was under way at the kill -9 (it
    // may or may not have reached the chat) is sent again after the restart, and only with the note.
    // Without the note, every alert appears exactly once.
    const silentDoubles = [...plain.entries()].filter(([, n]) => n > 1);
    expect(silentDoubles).toEqual([]);
    expect(final.size).toBe(N); // 0 lost
    // Only the send under way at the kill can repeat: at most one noted alert, and it is the one Telegram
    // accepted last before the kill, or the one after it (sent but never answered).
    expect(noted.length).toBeLessThanOrEqual(1);
    for (const k of noted) expect([lastBeforeKill, lastBeforeKill! + 1]).toContain(k);
    expect(doubled.length).toBeLessThanOrEqual(1);
    expect(orders).toBe(ordersBefore + 1); // + the sentinel, placed here, not by the bot
    figure(
      `kill -9: ${N} fills, SIGKILL after ${killedAfter} alerts, restart → ${N - final.size} lost, ${silentDoubles.length} silent doubles, ${doubled.length} repeat(s) of the alert in flight at the kill (${noted.length} carried the "sent again" note), ${orders - ordersBefore - 1} duplicate orders`,
    );
  }, 60_000);

  it("SIGTERM during activity → exit within 5 s, journal lines written just before are in trades-*.log", async () => {
    const child = await startChild();
    const spot = freeTicks()[0]!;
    const price = formatDollars(spot.price, 2);
    await api.sendText(OWNER, OWNER, `/buy ${spot.ticker} yes 7 @${price}`);
    const confirm = await until("the quote card", () => api.findButton(OWNER, "Confirm"), 10_000);
    await api.tap(OWNER, OWNER, confirm.messageId, confirm.data);
    const card = await until(
      "the order result",
      () => {
        const m = api.messages(OWNER).find((x) => x.messageId === confirm.messageId);
        return m && /Order placed/.test(m.text) ? m : undefined;
      },
      10_000,
    );
    const orderId = /Order id: (\S+)/.exec(card.text)![1]!;
    // Activity continues: another trader fills it while the signal arrives.
    sim.trade({ ticker: spot.ticker, side: "ask", price, count: 7 });
    const t0 = Date.now();
    child.proc.kill("SIGTERM");
    const { code } = await child.exited;
    const took = Date.now() - t0;
    const logDir = env.LOG_DIR!;
    const trades = (await readdir(logDir)).filter((f) => f.startsWith("trades-"));
    const journal = (await Promise.all(trades.map((f) => readFile(join(logDir, f), "utf8")))).join("");
    const placed = journal.split("\n").filter((l) => l.includes("order_placed") && l.includes(orderId));
    expect(took, "product requirement (the issue): SIGTERM exits within 5 s").toBeLessThan(5_000);
    expect(code).toBe(0);
    expect(placed).toHaveLength(1);
    figure(
      `SIGTERM: exit ${code} after ${took} ms (limit 5000); the order_placed journal line written just before is in ${trades.join(", ")}`,
    );

    const scan = await scanForSecrets({
      dirs: [env.LOG_DIR!, env.DATA_DIR!],
      api,
      secrets: { "private key": sim.privateKeyPem, "key id": sim.keyId, "bot token": api.token },
    });
    const consoleHits = [sim.keyId, api.token].filter((s) => childOutput.includes(s));
    expect(scan.files).toBeGreaterThan(2);
    expect(scan.hits).toEqual([]);
    expect(consoleHits).toEqual([]);
    figure(
      `secrets (process): ${scan.files} files (${scan.gz} gzipped), ${scan.messages} Telegram calls and the console output of 3 runs scanned → ${scan.hits.length + consoleHits.length} hits`,
    );
  }, 40_000);
});
