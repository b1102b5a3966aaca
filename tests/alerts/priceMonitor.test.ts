/**
 * The crossing rules (src/alerts/price/rules.ts) and the monitor (monitor.ts) without Telegram: a
 * hand-driven TickerFeed, the one exchange double for REST reads, and a notify that records what the
 * alert queue would take in (with the queue's "key seen before" rule).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Micros } from "../../src/domain/money.js";
import type { TickerEvent, TickerFeed } from "../../src/exchange/port.js";
import { PriceWatch } from "../../src/alerts/price/service.js";
import { type PriceAlert, REARM_BAND, step } from "../../src/alerts/price/rules.js";
import type { Notice } from "../../src/alerts/state.js";
import { SimExchange } from "../support/simExchange.js";
import { until } from "../support/until.js";

const c = (cents: number) => (cents * 10_000) as Micros;
const quote = (bid: number | null, ask: number | null) => ({
  yesBid: bid === null ? null : c(bid),
  yesAsk: ask === null ? null : c(ask),
  lastPrice: null,
});

function alert(rule: PriceAlert["rule"], armed = true): PriceAlert {
  return { id: "1", chatId: 1, ticker: "T", rule, armed, fired: 0, createdAt: 0 };
}

describe("crossing rules", () => {
  const up = alert({ kind: "level", side: "yes", op: ">=", level: c(40) });
  const down = alert({ kind: "level", side: "no", op: "<=", level: c(25) });

  it("a >= level fires on an exact touch and above, not below; a <= level on the NO price (1 − YES bid)", () => {
    expect(step(up, quote(37, 39)).kind).toBe("none");
    expect(step(up, quote(38, 40))).toMatchObject({ kind: "fire", price: c(40) });
    expect(step(up, quote(50, 52))).toMatchObject({ kind: "fire", price: c(52) });
    expect(step(down, quote(74, 76)).kind).toBe("none"); // NO costs 26¢
    expect(step(down, quote(75, 77))).toMatchObject({ kind: "fire", price: c(25) });
  });

  it("stays quiet after firing until the price moves back past the band", () => {
    const s = step(up, quote(38, 40));
    if (s.kind !== "fire") throw new Error("expected a crossing");
    const fired = s.next;
    expect(fired).toMatchObject({ armed: false, fired: 1 });
    expect(step(fired, quote(44, 46)).kind).toBe("none");
    expect(step(fired, quote(36, 39)).kind).toBe("none"); // 39¢: inside the 2¢ band
    expect(REARM_BAND).toBe(c(2));
    expect(step(fired, quote(35, 37)).kind).toBe("rearm");
  });

  it("an empty side never fires; a move alert fires per step from its new reference", () => {
    expect(step(up, quote(38, null)).kind).toBe("none");
    expect(step(down, quote(null, 60)).kind).toBe("none");
    const mv = alert({ kind: "move", side: "yes", step: c(5), reference: c(40) });
    expect(step(mv, quote(42, 44)).kind).toBe("none");
    const s = step(mv, quote(33, 35));
    expect(s).toMatchObject({ kind: "fire", price: c(35), next: { rule: { reference: c(35) }, fired: 1 } });
  });
});

class HandFeed implements TickerFeed {
  connected = false;
  markets: string[] = [];
  private l: ((e: TickerEvent) => void) | null = null;
  start = async () => undefined;
  setMarkets(t: readonly string[]) {
    this.markets = [...t];
  }
  on(l: (e: TickerEvent) => void) {
    this.l = l;
    return () => (this.l = null);
  }
  close = async () => undefined;
  emit(e: TickerEvent) {
    if (e.type === "connected") this.connected = true;
    if (e.type === "disconnected") this.connected = false;
    this.l?.(e);
  }
}

const dirs: string[] = [];
const watches: PriceWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) await w.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup(dir?: string, taken = new Set<string>()) {
  const dataDir = dir ?? (await mkdtemp(join(tmpdir(), "price-monitor-")));
  if (!dir) dirs.push(dataDir);
  const exchange = new SimExchange();
  exchange.addMarket({ ticker: "KXT-26JAN01-A", yesBid: "0.30", yesAsk: "0.32" });
  const feed = new HandFeed();
  const told: Notice[] = [];
  const notify = (n: Notice) => {
    if (taken.has(n.key)) return false;
    taken.add(n.key);
    told.push(n);
    return true;
  };
  const log = { info() {}, warn() {}, error() {} };
  const pw = new PriceWatch({ dataDir, feed, exchange, notify, logger: log, pollMs: 20, statusPollMs: 0 });
  watches.push(pw);
  return { pw, feed, exchange, told, dataDir, taken };
}

const tick = (ask: number) => ({
  type: "ticker" as const,
  update: { ticker: "KXT-26JAN01-A", yesBid: c(ask - 2), yesAsk: c(ask), lastPrice: null, ts: Date.now() },
});

describe("price monitor", () => {
  it("follows exactly the markets with alerts or watches", async () => {
    const { pw, feed } = await setup();
    await pw.start();
    expect(feed.markets).toEqual([]);
    await pw.addAlert(1, "KXT-26JAN01-A", { kind: "level", side: "yes", op: ">=", level: c(40) });
    expect(feed.markets).toEqual(["KXT-26JAN01-A"]);
    pw.removeAlert(1, pw.alerts(1)[0]!.id);
    expect(feed.markets).toEqual([]);
  });

  it("polls REST while the socket is down and stops when it is back", async () => {
    const { pw, feed, exchange, told } = await setup();
    await pw.start(); // not connected: polling
    await pw.addAlert(1, "KXT-26JAN01-A", { kind: "level", side: "yes", op: ">=", level: c(40) });
    exchange.setBook("KXT-26JAN01-A", { yes: [["0.39", 100]], no: [["0.59", 100]] }); // ask 41¢
    await until("a crossing from polling", () => told.length === 1);
    expect(told[0]).toMatchObject({ kind: "price", price: c(41) });
    feed.emit({ type: "connected" });
    await pw.monitor.idle();
    expect(told).toHaveLength(1);
  });

  it("a crash after the crossing was taken in but before the alert was written tells it once", async () => {
    const a = await setup();
    await a.pw.start();
    a.feed.emit({ type: "connected" });
    await a.pw.addAlert(1, "KXT-26JAN01-A", { kind: "level", side: "yes", op: ">=", level: c(40) });
    // The store's write fails once: the notice is owed, the alert still looks armed on disk.
    const store = a.pw.store as unknown as { write: (...x: unknown[]) => void };
    const real = store.write.bind(store);
    store.write = () => {
      throw new Error("disk full");
    };
    a.feed.emit(tick(41));
    store.write = real;
    expect(a.told).toHaveLength(1);
    await a.pw.stop();
    // Restart on the same DATA_DIR with the queue's memory of keys: the crossing is seen again.
    const b = await setup(a.dataDir, a.taken);
    b.exchange.setBook("KXT-26JAN01-A", { yes: [["0.40", 100]], no: [["0.58", 100]] }); // ask 42¢
    await b.pw.start();
    b.feed.emit({ type: "connected" });
    b.feed.emit(tick(42));
    await b.pw.monitor.idle();
    expect(b.told).toHaveLength(0);
    expect(b.pw.alerts(1)[0]).toMatchObject({ armed: false, fired: 1 });
  });
});
