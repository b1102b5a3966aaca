/**
 * The app's health report follows what users would notice: a wrong API key id (every signed call
 * answers 401) is `down` even though the exchange's public status answers; Bot API calls failing in a
 * row make it `degraded` until one works again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatDollars, type Micros } from "../src/domain/money.js";
import { createApp, TELEGRAM_FAILURES_DEGRADED, type App } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { LocalBotApi } from "../src/devtools/localBotApi.js";
import { loadPrivateKey } from "../src/exchange/kalshi/signer.js";
import { deriveHealthStatus } from "../src/health.js";
import { startSim } from "../src/sim/server.js";
import { type AppHarness, OWNER, startAppHarness, until } from "./support/appHarness.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe("health: signed exchange calls", () => {
  it("a wrong API key id (401 on signed calls) is down, with the key named as the cause", async () => {
    const dir = await mkdtemp(join(tmpdir(), "app-health-401-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sim = await startSim({ keyDir: join(dir, "simkeys"), livingMarket: false, rateLimit: false });
    cleanups.push(() => sim.close());
    const api = new LocalBotApi();
    const base = loadConfig(
      {
        KALSHI_ENVIRONMENT: "sim",
        TELEGRAM_ALLOWED_USER_IDS: String(OWNER),
        LOG_DIR: join(dir, "logs"),
        DATA_DIR: join(dir, "data"),
      },
      { cwd: dir },
    );
    const wrongKeyId = "00000000-0000-0000-0000-00000000beef";
    const app: App = await createApp({
      config: {
        ...base,
        kalshi: {
          baseUrl: sim.baseUrl,
          wsUrl: sim.wsUrl,
          keyId: wrongKeyId,
          privateKey: loadPrivateKey(sim.privateKeyPem),
        },
      },
      token: api.token,
      botConfig: { botInfo: api.botInfo, client: { fetch: api.clientFetch } },
      console: false,
      exchange: { rateLimit: false, retry: { baseDelayMs: 10, maxDelayMs: 20 } },
    });
    cleanups.push(() => app.stop());
    const report = await app.checkHealth();
    expect(report.checks.exchange.ok).toBe(false);
    expect(report.checks.exchange.error).toMatch(/Kalshi rejected the API key/);
    expect(report.checks.exchange.error).not.toContain(wrongKeyId);
    expect(deriveHealthStatus(report.checks)).toBe("down");
  });
});

describe("health: Telegram calls", () => {
  let h: AppHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it(`${TELEGRAM_FAILURES_DEGRADED} failed Bot API calls in a row → degraded; one that works → ok again`, async () => {
    h = await startAppHarness({
      transport: "inprocess",
      start: true,
      telegram: { retry: { maxRetryAttempts: 0 } },
    });
    const before = await h.app.checkHealth();
    expect(before.checks.telegram).toEqual({ ok: true, failuresInARow: 0 });
    h.api.failNext("sendMessage", TELEGRAM_FAILURES_DEGRADED, { code: "drop" });
    // Sends as the fill alerts make them (bot.api), each losing its connection.
    for (let i = 0; i < TELEGRAM_FAILURES_DEGRADED; i++) {
      await expect(h.app.bot.api.sendMessage(OWNER, `alert ${i}`)).rejects.toThrow();
    }
    expect(h.api.pendingFailures("sendMessage")).toBe(0);
    const during = await h.app.checkHealth();
    expect(during.checks.telegram?.ok).toBe(false);
    expect(during.checks.telegram?.failuresInARow).toBeGreaterThanOrEqual(TELEGRAM_FAILURES_DEGRADED);
    expect(deriveHealthStatus(during.checks)).toBe("degraded");
    await h.ask("/help", "/buy");
    const after = await h.app.checkHealth();
    expect(after.checks.telegram).toEqual({ ok: true, failuresInARow: 0 });
  });

  it("an update waiting behind a hung order create → degraded (update lag), ok again once it ran", async () => {
    h = await startAppHarness({
      transport: "http",
      // A short lag threshold instead of 5 s, so the test needs no long wait.
      telegram: { lagDegradedMs: 300 },
      // The create hangs until the client's timeout: long enough to see the lag on a loaded machine.
      exchange: { timeoutMs: 8_000, retry: { baseDelayMs: 20, maxDelayMs: 100 }, rateLimit: false },
    });
    const spot = h.restingSpots()[0]!;
    await h.ask(`/buy ${spot.ticker} yes 2 @${formatDollars(spot.price as Micros, 2)}`, "Please confirm");
    h.sim.addFault({ path: "/trade-api/v2/portfolio/events/orders", method: "POST", kind: "hang" });
    const since = h.mark();
    await h.tap("Confirm");
    await h.api.waitForCall("sendChatAction", (c) => h!.api.calls.indexOf(c) >= since);
    await h.say("/help"); // waits in this chat's queue behind the hung create
    const degraded = await until(
      "health to report the update lag",
      async () => {
        const r = await h!.app.checkHealth();
        return r.checks.updates?.ok === false ? r : undefined;
      },
      7_000,
    );
    expect(degraded.checks.updates?.queued).toBe(1);
    expect(deriveHealthStatus(degraded.checks)).toBe("degraded");
    await h.waitForText("/buy", since, 30_000); // the /help ran once the create gave up or went through
    const after = await h.app.checkHealth();
    expect(after.checks.updates).toMatchObject({ ok: true, queued: 0 });
  }, 60_000);
});
