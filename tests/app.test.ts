/**
 * The real wiring (createApp) end to end over HTTP long polling against LocalBotApi and the in-process
 * sim, and `npm start` as a child process without a token.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { centis, formatDollars, type Micros } from "../src/domain/money.js";
import { type AppHarness, OWNER, startAppHarness, until } from "./support/appHarness.js";

const ROOT = resolve(import.meta.dirname, "..");
const TSX_CLI = createRequire(import.meta.url).resolve("tsx/cli");

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("createApp: the real wiring over HTTP long polling", () => {
  it("start, market buy, resting order filled → one alert, export, health, stop within 5 s", async () => {
    h = await startAppHarness({ transport: "http", health: true });
    const { sim } = h;

    expect(await h.ask("/start", "/buy")).toContain("SIM");

    // A market buy: the sim has the position afterwards.
    const [spotA, spotB] = h.restingSpots();
    expect(spotA && spotB).toBeTruthy();
    await h.ask(`/buy ${spotA!.ticker} yes 5`, /Market/);
    await h.tapAndWait("Market", "Please confirm");
    const bought = await h.tapAndWait("Confirm", /Bought 5 contracts YES/);
    expect(bought).toContain("SIM");
    expect(sim.engine.position("user", spotA!.ticker).position).toBe(500);

    // A resting limit order on another market, filled by another trader through the sim's control API.
    const price = formatDollars(spotB!.price as Micros, 2);
    await h.ask(`/buy ${spotB!.ticker} yes 3 @${price}`, "Please confirm");
    await h.tapAndWait("Confirm", /Resting: 3 contracts/);
    const beforeFill = h.mark();
    const res = await fetch(`${sim.controlUrl}/trade`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ticker: spotB!.ticker, side: "ask", price, count: "3" }),
    });
    expect(res.status).toBe(200);
    const alert = await h.waitForText(/Filled: BUY 3 YES/, beforeFill);
    expect(alert).toContain("order 3/3");
    // The stream reconnects and backfills: the fill must still be told exactly once.
    sim.dropWebSockets();
    await until("the alert stream to reconnect", async () => {
      const r = await fetch(h!.app.health!.url);
      const body = (await r.json()) as { checks: { alertStream: { connected: boolean } } };
      return body.checks.alertStream.connected;
    });
    // A sentinel: one more fill (a 1-contract bid placed elsewhere, filled by another trader) after the
    // reconnect. The alerts take fills in one at a time, in order, so once the sentinel's alert is out,
    // the reconnect's backfill went through before it: a repeat of the 3-contract alert would have been
    // sent before (or with) it. No fixed sleep.
    sim.engine.placeOrder("user", {
      ticker: spotB!.ticker,
      side: "bid",
      price: spotB!.price as Micros,
      count: centis(100),
      tif: "good_till_canceled",
      clientOrderId: "sentinel-after-reconnect",
    });
    sim.trade({ ticker: spotB!.ticker, side: "ask", price: spotB!.price, count: 1 });
    await h.waitForText(/Filled: BUY 1 YES/, beforeFill);
    const alerts = h.outputsSince(beforeFill).filter((o) => /Filled: BUY 3 YES/.test(o.text));
    expect(alerts.filter((o) => o.method === "sendMessage")).toHaveLength(1);

    // /export delivers a CSV document with both trades.
    const beforeExport = h.mark();
    await h.say("/export");
    const doc = await h.api.waitForCall("sendDocument", () => true, 5_000);
    expect(h.api.calls.indexOf(doc)).toBeGreaterThanOrEqual(beforeExport);
    const file = h.api.botMessages(OWNER).find((m) => m.document)!.document!;
    expect(file.fileName).toMatch(/\.csv$/);
    const csv = file.bytes.toString("utf8");
    expect(csv).toContain(spotA!.ticker);
    expect(csv).toContain(spotB!.ticker);

    // /health: ok, with the alert stream connected over the WebSocket.
    const hr = await fetch(h.app.health!.url);
    expect(hr.status).toBe(200);
    const health = (await hr.json()) as {
      status: string;
      checks: { alertStream: { connected: boolean; mode: string }; exchange: { ok: boolean } };
    };
    expect(health.status).toBe("ok");
    expect(health.checks.alertStream).toMatchObject({ connected: true, mode: "websocket" });
    expect(health.checks.exchange.ok).toBe(true);

    // Product requirement (the issue): the app shuts down within 5 s.
    const t0 = Date.now();
    await h.app.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    // Polling ended (the app polls with its own per-chat poller, not bot.start()).
    expect((await h.app.checkHealth()).checks.polling.ok).toBe(false);
  });
});

describe("npm start", () => {
  it("without TELEGRAM_BOT_TOKEN exits non-zero within 15 s naming @BotFather and npm run chat", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "app-start-"));
    try {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: cwd,
        TELEGRAM_ALLOWED_USER_IDS: "12345",
        LOG_DIR: join(cwd, "logs"),
        DATA_DIR: join(cwd, "data"),
      };
      const child = spawn(process.execPath, [TSX_CLI, join(ROOT, "src/main.ts")], {
        cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolveExit) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.on("exit", (c) => {
          clearTimeout(timer);
          resolveExit(c);
        });
      });
      expect(code).not.toBe(0);
      expect(code, "still running after 15 s (killed)").not.toBeNull();
      expect(out).toContain("@BotFather");
      expect(out).toContain("npm run chat");
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
