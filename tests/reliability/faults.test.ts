/**
 * Orders and fills through the real wiring (in process) while the exchange answers 5xx and 429, hangs,
 * and drops the WebSocket every 1.5 s → every fill alerted exactly once, no duplicate order. Then a scan
 * of every log file, export file and Telegram message for the secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDollars, type Micros } from "../../src/domain/money.js";
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
    // Let any late backfill or reconnect finish, then count again.
    await new Promise((r) => setTimeout(r, 2_000));
    clearInterval(dropper);
    const final = alertCounts(api.botMessages(OWNER));
    const doubled = [...final.values()].filter((n) => n > 1).length;
    const lost = N - final.size;
    const orders = sim.state().orders as number;
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
  });
});
