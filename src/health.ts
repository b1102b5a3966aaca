/**
 * Local health endpoint: `GET /health` answers a small JSON report for Docker's HEALTHCHECK, systemd
 * watchdogs or a person with curl. It is bound to 127.0.0.1 by default and never shows secrets: only the
 * known fields of the report are copied into the answer, and every text passes through redaction.
 *
 * Status rules (see deriveHealthStatus):
 *   - "down"     (HTTP 503): Telegram polling is dead, or the exchange is unreachable or refuses the API
 *                            key (401), or the check itself failed or timed out.
 *   - "degraded" (HTTP 200): the fill/alert stream is disconnected, the alert queue is unhealthy, updates
 *                            wait too long to be handled, or Bot API calls keep failing.
 *   - "ok"       (HTTP 200): everything else.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { redactString } from "./logging/redact.js";
import { TimeoutError, withTimeout } from "./shared/async.js";

export type HealthStatus = "ok" | "degraded" | "down";

export interface HealthChecks {
  /**
   * How updates arrive: long polling (the default) or a webhook. ok=false means no updates are being
   * fetched (polling) or received (the webhook server is closed): down.
   */
  polling: { ok: boolean; mode?: "polling" | "webhook"; lastUpdateAgoMs?: number };
  /** Kalshi REST reachability (e.g. a timed GET /exchange/status). ok=false: down. */
  exchange: { ok: boolean; latencyMs?: number; error?: string };
  /** The fill/alert WebSocket (or its polling fallback). ok=false or connected=false: degraded. */
  alertStream: { ok: boolean; connected: boolean; mode?: string };
  /** Outgoing alert messages waiting to be sent. ok=false (e.g. depth over a limit): degraded. */
  alertQueue: { ok: boolean; depth: number };
  /** Incoming updates: how long the oldest waiting one has waited. ok=false: degraded. */
  updates?: { ok: boolean; lagMs: number; queued: number };
  /** Outgoing Bot API calls: failures in a row (network, 5xx, 429). ok=false: degraded. */
  telegram?: { ok: boolean; failuresInARow: number };
}

/** What the app's check function returns. The server adds `status` and `uptimeSeconds`. */
export interface HealthReport {
  /** "sim" | "demo" | "production" (shown as is). */
  environment: string;
  checks: HealthChecks;
}

/** The JSON body of GET /health. */
export interface HealthResponse extends HealthReport {
  status: HealthStatus;
  uptimeSeconds: number;
  /** Only when the check function itself failed or timed out: a plain sentence. */
  error?: string;
}

export interface HealthLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface HealthServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Default 127.0.0.1: only this machine (or this container) can ask. */
  host?: string;
  check: () => Promise<HealthReport> | HealthReport;
  logger?: HealthLogger;
  /** Shown when the check throws and so cannot say which environment runs. Default "unknown". */
  environment?: string;
  /** A check slower than this counts as failed (down). Default 4000 ms, under Docker's 5 s timeout. */
  checkTimeoutMs?: number;
  /** Exact secret strings (bot token, key id) to scrub from any text in the answer, on top of the usual patterns. */
  secrets?: readonly string[];
  /** Start of uptime, in ms since the epoch. Default: when the process started. */
  startedAtMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The rule that turns checks into a status; exported so the app and tests agree on it. */
export function deriveHealthStatus(checks: HealthChecks): HealthStatus {
  if (!checks.polling.ok || !checks.exchange.ok) return "down";
  if (!checks.alertStream.ok || !checks.alertStream.connected || !checks.alertQueue.ok) return "degraded";
  if (checks.updates?.ok === false || checks.telegram?.ok === false) return "degraded";
  return "ok";
}

const MAX_TEXT = 200;

function plainText(value: unknown, secrets: readonly string[]): string {
  const raw = value instanceof Error ? value.message : typeof value === "string" ? value : String(value);
  // First line only (no stack traces), redacted, bounded.
  const firstLine = raw.split(/\r?\n/, 1)[0] ?? "";
  const clean = redactString(firstLine, secrets).trim();
  const text = clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT - 1)}…` : clean;
  return text === "" ? "unknown error" : text;
}

function finiteNonNegative(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
}

/** Copies only the documented fields, so nothing else the app put in the report can leak out. */
function sanitizeChecks(c: Partial<HealthChecks> | undefined, secrets: readonly string[]): HealthChecks {
  const polling: HealthChecks["polling"] = { ok: c?.polling?.ok === true };
  const mode = c?.polling?.mode;
  if (mode === "polling" || mode === "webhook") polling.mode = mode;
  const ago = finiteNonNegative(c?.polling?.lastUpdateAgoMs);
  if (ago !== undefined) polling.lastUpdateAgoMs = ago;

  const exchange: HealthChecks["exchange"] = { ok: c?.exchange?.ok === true };
  const latency = finiteNonNegative(c?.exchange?.latencyMs);
  if (latency !== undefined) exchange.latencyMs = latency;
  if (c?.exchange?.error !== undefined && c.exchange.error !== "") {
    exchange.error = plainText(c.exchange.error, secrets);
  }

  const alertStream: HealthChecks["alertStream"] = {
    ok: c?.alertStream?.ok === true,
    connected: c?.alertStream?.connected === true,
  };
  if (typeof c?.alertStream?.mode === "string" && c.alertStream.mode !== "") {
    alertStream.mode = plainText(c.alertStream.mode, secrets);
  }

  const alertQueue: HealthChecks["alertQueue"] = {
    ok: c?.alertQueue?.ok === true,
    depth: finiteNonNegative(c?.alertQueue?.depth) ?? 0,
  };
  const out: HealthChecks = { polling, exchange, alertStream, alertQueue };
  if (c?.updates !== undefined) {
    out.updates = {
      ok: c.updates.ok === true,
      lagMs: finiteNonNegative(c.updates.lagMs) ?? 0,
      queued: finiteNonNegative(c.updates.queued) ?? 0,
    };
  }
  if (c?.telegram !== undefined) {
    out.telegram = {
      ok: c.telegram.ok === true,
      failuresInARow: finiteNonNegative(c.telegram.failuresInARow) ?? 0,
    };
  }
  return out;
}

function failedChecks(): HealthChecks {
  return {
    polling: { ok: false },
    exchange: { ok: false },
    alertStream: { ok: false, connected: false },
    alertQueue: { ok: false, depth: 0 },
  };
}

/** Runs the check and builds the answer. Never throws. */
async function buildHealthResponse(
  opts: Pick<
    HealthServerOptions,
    "check" | "environment" | "checkTimeoutMs" | "secrets" | "startedAtMs" | "now"
  >,
): Promise<HealthResponse> {
  const secrets = opts.secrets ?? [];
  const now = opts.now ?? Date.now;
  const startedAtMs = opts.startedAtMs ?? Date.now() - process.uptime() * 1000;
  const uptimeSeconds = Math.max(0, Math.floor((now() - startedAtMs) / 1000));
  const fallbackEnv = opts.environment ?? "unknown";
  try {
    const report = await withTimeout(
      Promise.resolve().then(() => opts.check()),
      opts.checkTimeoutMs ?? 4000,
    );
    const checks = sanitizeChecks(report?.checks, secrets);
    const environment =
      typeof report?.environment === "string" && report.environment !== ""
        ? plainText(report.environment, secrets)
        : fallbackEnv;
    return { status: deriveHealthStatus(checks), environment, checks, uptimeSeconds };
  } catch (e) {
    const error =
      e instanceof TimeoutError
        ? "The health check did not answer in time."
        : `The health check failed: ${plainText(e, secrets)}`;
    return { status: "down", environment: fallbackEnv, checks: failedChecks(), uptimeSeconds, error };
  }
}

/** Starts the health server. Resolves once it listens; rejects with a plain sentence if it cannot. */
export function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const host = opts.host ?? "127.0.0.1";
  const logger = opts.logger;
  const startedAtMs = opts.startedAtMs ?? Date.now() - process.uptime() * 1000;
  let lastStatus: HealthStatus | undefined;

  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?", 1)[0];
    const send = (code: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(code, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(text),
      });
      res.end(req.method === "HEAD" ? undefined : text);
    };
    if (pathname !== "/health" || (req.method !== "GET" && req.method !== "HEAD")) {
      send(404, { error: "Not found. Ask GET /health." });
      return;
    }
    void buildHealthResponse({ ...opts, startedAtMs }).then((body) => {
      if (body.status !== lastStatus) {
        const meta = { status: body.status, ...(body.error !== undefined ? { error: body.error } : {}) };
        if (body.status === "ok" || lastStatus === undefined) logger?.info("Health status", meta);
        else logger?.warn("Health status changed", meta);
        lastStatus = body.status;
      }
      if (!res.destroyed) send(body.status === "down" ? 503 : 200, body);
    });
  });
  // Keep-alive sockets must not hold close() open.
  server.keepAliveTimeout = 5000;

  return new Promise<HealthServer>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.close();
      const why =
        e.code === "EADDRINUSE"
          ? `port ${opts.port} is already in use; set HEALTH_PORT to a free port or to 0 to turn the endpoint off`
          : e.code === "EACCES"
            ? `port ${opts.port} needs more rights; use a port above 1024`
            : `the server could not listen (${e.code ?? "unknown error"})`;
      reject(new Error(`The health endpoint could not start: ${why}.`));
    };
    server.once("error", onError);
    server.listen(opts.port, host, () => {
      server.off("error", onError);
      server.on("error", (e) => logger?.warn("Health server error", { error: plainText(e, []) }));
      const port = (server.address() as AddressInfo).port;
      const hostInUrl = host.includes(":") ? `[${host}]` : host;
      const url = `http://${hostInUrl}:${port}/health`;
      logger?.info("Health endpoint listening", { url });
      let closing: Promise<void> | undefined;
      resolve({
        url,
        port,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
