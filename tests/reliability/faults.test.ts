/**
 * Orders and fills through the real wiring (in process) while the exchange answers 5xx and 429, hangs,
 * and drops the WebSocket every 1.5 s → every fill alerted exactly once, no duplicate order. Then a scan
 * of every log file, export file and Telegram message for the secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { centis, formatDollars, type Micros } from "../../src/domain/money.js";
import { type AppHarness, OWNER, startAppHarness, until } from "../support/appHarness.js";
import { figure, printFiguresAfterAll } from "./figures.js";
import { alertCounts, scanForSecrets } from "./support.js";

printFiguresAfterAll("faults");

let h: AppHarness;
let dropper: NodeJS.Timeout | undefined;
beforeAll(async () => {
  h = await startAppHarness({
    transport: "inprocess",
    start: true,
    exchange: { timeoutMs: 500, retry: { baseDelayMs: 20, maxDelayMs: 100 }, rateLimit: false },
  });
});
afterAll(async () => {
  clearInterval(dropper);
  await h?.stop();
});

const ORDERS = "/trade-api/v2/portfolio/events/orders";
const N = 24;

describe("faults", () => {
  it("5xx, 429, hangs and WebSocket drops → 0 lost, 0 doubled alerts, 0 duplicate orders", async () => {
    const { api, sim } = h;
    const spots = h.restingSpots();
    let drops = 0;
    dropper = setInterval(() => {
      sim.dropWebSockets();
      drops++;
    }, 1_500);
    const faults = { "500": 0, "429": 0, hang: 0 };
    for (let i = 0; i < N; i++) {
      const count = i + 1;
      const spot = spots[i % spots.length]!;
      const price = formatDollars(spot.price as Micros, 2);
      // Faults on the reads behind the quote and on the order create.
      const kind = (["500", "429", "hang", "429", "500", "429"] as const)[i % 6]!;
      if (i % 2 === 0) sim.addFault({ path: "/trade-api/v2/markets", method: "GET", kind: "500" });
      sim.addFault({ path: ORDERS, method: "POST", kind });
      faults[kind]++;
      await h.say(`/buy ${spot.ticker} yes ${count} @${price}`);
      const confirm = api.findButton(OWNER, "Confirm");
      expect(confirm, `quote card ${i}: ${h.botMessages().at(-1)?.text}`).toBeDefined();
      await api.tap(OWNER, OWNER, confirm!.messageId, confirm!.data);
      const card = api.messages(OWNER).find((m) => m.messageId === confirm!.messageId)!;
      expect(card.text, `order ${i}`).toContain("Order placed");
      // Another trader sells into it: the whole order fills at once.
      if (i % 4 === 3) sim.addFault({ path: "/trade-api/v2/portfolio/fills", method: "GET", kind: "500" });
      sim.trade({ ticker: spot.ticker, side: "ask", price, count: String(count) });
    }
    const counts = await until(
      `all ${N} fill alerts`,
      () => {
        const c = alertCounts(api.botMessages(OWNER));
        return c.size === N ? c : undefined;
      },
      15_000,
      50,
    );
    // No more drops. Then a sentinel instead of a quiet period: one more order (N + 1 contracts, placed
    // elsewhere) filled by another trader. The alerts take fills in one at a time, in order, so once its
    // alert is out, the backfill after the last drop (and any repeat it made) went through before it.
    // (A 500 on the fills read is retried inside the client, so no backfill is left waiting on a timer.)
    clearInterval(dropper);
    const last = spots[0]!;
    sim.engine.placeOrder("user", {
      ticker: last.ticker,
      side: "bid",
      price: last.price as Micros,
      count: centis((N + 1) * 100),
      tif: "good_till_canceled",
      clientOrderId: "faults-sentinel",
    });
    sim.trade({ ticker: last.ticker, side: "ask", price: last.price, count: N + 1 });
    await until("the sentinel's alert", () => alertCounts(api.botMessages(OWNER)).has(N + 1), 15_000, 25);
    const final = alertCounts(api.botMessages(OWNER));
    expect(final.get(N + 1)).toBe(1);
    final.delete(N + 1);
    const doubled = [...final.values()].filter((n) => n > 1).length;
    const lost = N - final.size;
    const orders = (sim.state().orders as number) - 1; // without the sentinel
    expect(counts.size).toBe(N);
    expect([...final.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(orders).toBe(N);
    figure(
      `faults: ${N} orders under ${faults["500"]}×500, ${faults["429"]}×429, ${faults.hang}×hang on create (plus 500s on market reads and fills), ${drops} WebSocket drops → ${lost} lost, ${doubled} doubled alerts, ${orders - N} duplicate orders`,
    );

    // The whole scenario's traces: no secret anywhere.
    const since = h.mark();
    await h.say("/export 7d");
    expect(h.outputsSince(since).some((o) => o.method === "sendDocument")).toBe(true);
    await h.say("/buy NOPE-1 yes 1 @0.50"); // an error path too
    await h.app.stop();
    const scan = await scanForSecrets({
      dirs: [h.config.logDir, h.config.dataDir],
      api,
      secrets: { "private key": sim.privateKeyPem, "key id": sim.keyId, "bot token": api.token },
      skip: (file) => file.includes("sim-private-key.pem") || file.endsWith("sim-key-id.txt"),
    });
    expect(scan.files).toBeGreaterThan(2);
    expect(scan.hits).toEqual([]);
    figure(
      `secrets (in process): ${scan.files} files (${scan.gz} gzipped) and ${scan.messages} Telegram calls scanned for the PEM body, key id and bot token → ${scan.hits.length} hits`,
    );
  }, 120_000); // heavy: hundreds of round trips; slow on a loaded machine (docs/reliability.md)
});
