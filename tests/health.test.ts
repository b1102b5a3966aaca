import http from "node:http";
import net from "node:net";
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import {
  deriveHealthStatus,
  startHealthServer,
  type HealthChecks,
  type HealthReport,
  type HealthResponse,
  type HealthServer,
  type HealthServerOptions,
} from "../src/health.js";

const healthy = (): HealthChecks => ({
  polling: { ok: true, lastUpdateAgoMs: 1200 },
  exchange: { ok: true, latencyMs: 85 },
  alertStream: { ok: true, connected: true, mode: "websocket" },
  alertQueue: { ok: true, depth: 0 },
});

const report = (patch: Partial<HealthChecks> = {}): HealthReport => ({
  environment: "demo",
  checks: { ...healthy(), ...patch },
});

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(opts: Partial<HealthServerOptions> & Pick<HealthServerOptions, "check">) {
  const s = await startHealthServer({ port: 0, ...opts });
  servers.push(s);
  return s;
}

async function get(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: HealthResponse; text: string }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as HealthResponse };
}

describe("deriveHealthStatus", () => {
  it("is ok when everything is fine", () => {
    expect(deriveHealthStatus(healthy())).toBe("ok");
  });
  it("is down when polling is dead or the exchange is unreachable", () => {
    expect(deriveHealthStatus({ ...healthy(), polling: { ok: false } })).toBe("down");
    expect(deriveHealthStatus({ ...healthy(), exchange: { ok: false, error: "timeout" } })).toBe("down");
  });
  it("is degraded when the alert stream is disconnected or the queue is unhealthy", () => {
    expect(deriveHealthStatus({ ...healthy(), alertStream: { ok: true, connected: false } })).toBe(
      "degraded",
    );
    expect(deriveHealthStatus({ ...healthy(), alertStream: { ok: false, connected: true } })).toBe(
      "degraded",
    );
    expect(deriveHealthStatus({ ...healthy(), alertQueue: { ok: false, depth: 900 } })).toBe("degraded");
  });
  it("is degraded when updates wait too long or Bot API calls keep failing", () => {
    expect(deriveHealthStatus({ ...healthy(), updates: { ok: true, lagMs: 200, queued: 1 } })).toBe("ok");
    expect(deriveHealthStatus({ ...healthy(), updates: { ok: false, lagMs: 7_000, queued: 40 } })).toBe(
      "degraded",
    );
    expect(deriveHealthStatus({ ...healthy(), telegram: { ok: false, failuresInARow: 3 } })).toBe("degraded");
  });
  it("down wins over degraded", () => {
    expect(
      deriveHealthStatus({
        ...healthy(),
        exchange: { ok: false },
        alertStream: { ok: false, connected: false },
      }),
    ).toBe("down");
  });
});

describe("startHealthServer", () => {
  it("listens on 127.0.0.1 by default and answers GET /health with 200 and the report", async () => {
    // A fixed clock: the uptime is 42.5 s whatever the machine's load.
    const s = await start({ check: () => report(), startedAtMs: 1_000_000, now: () => 1_042_500 });
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/health`);
    expect(s.port).toBeGreaterThan(0);
    const r = await get(s.url);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: "ok",
      environment: "demo",
      checks: healthy(),
      uptimeSeconds: 42,
    });
  });

  it("is not reachable on another interface address", async (ctx) => {
    const s = await start({ check: () => report() });
    const addr = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;
    if (addr === undefined) ctx.skip("this machine has no non-loopback IPv4 address");
    const connected = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host: addr, port: s.port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.on("error", () => resolve(false));
    });
    expect(connected).toBe(false);
  });

  it("answers 503 down when polling is dead", async () => {
    const s = await start({ check: () => report({ polling: { ok: false, lastUpdateAgoMs: 600_000 } }) });
    const r = await get(s.url);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe("down");
    expect(r.body.checks.polling).toEqual({ ok: false, lastUpdateAgoMs: 600_000 });
  });

  it("answers 503 down when the exchange is unreachable, with its error text", async () => {
    const s = await start({
      check: async () => report({ exchange: { ok: false, error: "Kalshi did not answer within 5 seconds" } }),
    });
    const r = await get(s.url);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe("down");
    expect(r.body.checks.exchange.error).toBe("Kalshi did not answer within 5 seconds");
  });

  it("answers 200 degraded when the alert stream is disconnected", async () => {
    const s = await start({
      check: () => report({ alertStream: { ok: false, connected: false, mode: "reconnecting" } }),
    });
    const r = await get(s.url);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("degraded");
    expect(r.body.checks.alertStream).toEqual({ ok: false, connected: false, mode: "reconnecting" });
  });

  it("answers 200 degraded with the update lag and Telegram failures shown", async () => {
    const s = await start({
      check: () =>
        report({
          updates: { ok: false, lagMs: 6_500.4, queued: 12 },
          telegram: { ok: false, failuresInARow: 4 },
        }),
    });
    const r = await get(s.url);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("degraded");
    expect(r.body.checks.updates).toEqual({ ok: false, lagMs: 6_500, queued: 12 });
    expect(r.body.checks.telegram).toEqual({ ok: false, failuresInARow: 4 });
  });

  it("a check that throws gives 503 down with a plain one-line error and no stack", async () => {
    const s = await start({
      environment: "production",
      check: () => {
        throw new Error("socket hang up\n    at TLSSocket.onclose (node:_tls_wrap:1:1)");
      },
    });
    const r = await get(s.url);
    expect(r.status).toBe(503);
    expect(r.body.status).toBe("down");
    expect(r.body.environment).toBe("production");
    expect(r.body.error).toBe("The health check failed: socket hang up");
    expect(r.text).not.toContain("at TLSSocket");
    expect(r.body.checks.polling.ok).toBe(false);
    expect(r.body.checks.exchange.ok).toBe(false);
  });

  it("a rejected promise also gives down", async () => {
    const s = await start({ check: () => Promise.reject(new Error("boom")) });
    const r = await get(s.url);
    expect(r.status).toBe(503);
    expect(r.body.error).toBe("The health check failed: boom");
    expect(r.body.environment).toBe("unknown");
  });

  it("a check that hangs gives down after the timeout instead of hanging the caller", async () => {
    const s = await start({ checkTimeoutMs: 100, check: () => new Promise<HealthReport>(() => {}) });
    const t0 = Date.now();
    const r = await get(s.url);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe(503);
    expect(r.body.error).toBe("The health check did not answer in time.");
  });

  it("never shows secrets: extra fields are dropped and texts are redacted", async () => {
    const token = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
    const keyId = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    const leaky = {
      environment: "demo",
      config: { token, keyId, pem },
      checks: {
        ...healthy(),
        exchange: { ok: false, error: `401 for key ${keyId}`, headers: { "KALSHI-ACCESS-KEY": keyId } },
        polling: { ok: true, url: `https://api.telegram.org/bot${token}/getUpdates` },
      },
    } as unknown as HealthReport;
    const s = await start({ check: () => leaky, secrets: [keyId] });
    const r = await get(s.url);
    expect(r.text).not.toContain(token);
    expect(r.text).not.toContain(keyId);
    expect(r.text).not.toContain("BEGIN PRIVATE KEY");
    expect(r.body.checks.exchange.error).toBe("401 for key [REDACTED]");
    expect(Object.keys(r.body).sort()).toEqual(["checks", "environment", "status", "uptimeSeconds"]);
    expect(r.body.checks.polling).toEqual({ ok: true });
  });

  it("a thrown error with a bot token in it is redacted too", async () => {
    const token = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
    const s = await start({
      check: () => {
        throw new Error(`request to https://api.telegram.org/bot${token}/getMe failed`);
      },
    });
    const r = await get(s.url);
    expect(r.status).toBe(503);
    expect(r.text).not.toContain(token);
    expect(r.body.error).toContain("[REDACTED]");
  });

  it("anything other than GET /health is 404", async () => {
    const s = await start({ check: () => report() });
    const base = `http://127.0.0.1:${s.port}`;
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
    expect((await fetch(`${base}/health/x`)).status).toBe(404);
    expect((await fetch(`${base}/health`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${base}/health?verbose=1`)).status).toBe(200);
    const head = await fetch(`${base}/health`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers JSON and asks not to be cached", async () => {
    const s = await start({ check: () => report() });
    const res = await fetch(s.url);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    await res.text();
  });

  it("calls the check on every request, so the answer follows the app's state", async () => {
    let pollingOk = true;
    const s = await start({ check: () => report({ polling: { ok: pollingOk } }) });
    expect((await get(s.url)).status).toBe(200);
    pollingOk = false;
    expect((await get(s.url)).status).toBe(503);
    pollingOk = true;
    expect((await get(s.url)).status).toBe(200);
  });

  it("logs status changes only, not every request", async () => {
    const lines: { level: string; msg: string; meta?: Record<string, unknown> }[] = [];
    const logger = {
      info: (msg: string, meta?: Record<string, unknown>) => lines.push({ level: "info", msg, meta }),
      warn: (msg: string, meta?: Record<string, unknown>) => lines.push({ level: "warn", msg, meta }),
    };
    let ok = true;
    const s = await start({ logger, check: () => report({ exchange: { ok } }) });
    await get(s.url);
    await get(s.url);
    ok = false;
    await get(s.url);
    await get(s.url);
    const statusLines = lines.filter((l) => l.msg.startsWith("Health status"));
    expect(statusLines.map((l) => [l.level, l.meta?.status])).toEqual([
      ["info", "ok"],
      ["warn", "down"],
    ]);
  });

  it("close() frees the port even with a keep-alive connection open, and may be called twice", async () => {
    const s = await startHealthServer({ port: 0, check: () => report() });
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http
        .get(s.url, { agent }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
        .on("error", reject);
    });
    // Both close() calls resolve (not one hanging on the other), and the failed fetch below proves the port
    // is free; no elapsed-time bound, which only measured the machine.
    await Promise.all([s.close(), s.close()]);
    agent.destroy();
    await expect(fetch(s.url)).rejects.toThrow();
  });

  it("rejects with a plain sentence when the port is taken", async () => {
    const first = await start({ check: () => report() });
    await expect(startHealthServer({ port: first.port, check: () => report() })).rejects.toThrow(
      `The health endpoint could not start: port ${first.port} is already in use; set HEALTH_PORT to a free port or to 0 to turn the endpoint off.`,
    );
  });
});
