/**
 * The report GET /health answers (and app.checkHealth() returns): Telegram (polling or webhook), the
 * exchange (public status and a signed read, so a wrong key shows), the alert stream and queue, the
 * update lag and failing Bot API calls. Each check is one plain verdict; docs/operations.md says what
 * each status means.
 */
import type { HealthReport } from "../health.js";
import { KalshiApiError } from "../exchange/errors.js";
import { withTimeout } from "../shared/async.js";
import type { Parts } from "./parts.js";

/** Health turns degraded when an update has waited longer than this to be handled. */
export const UPDATE_LAG_DEGRADED_MS = 5_000;
/** … or when this many Bot API calls in a row failed. */
export const TELEGRAM_FAILURES_DEGRADED = 3;

export function healthCheckOf(p: Parts): () => Promise<HealthReport> {
  return async () => {
    const exchange = await exchangeCheck(p);
    const st = p.alerts.status();
    const lagMs = p.poller.lagMs();
    return {
      environment: p.config.environment,
      checks: {
        polling: pollingCheck(p),
        exchange,
        alertStream: {
          ok: st.connected,
          connected: st.connected,
          mode: p.stream.pollingActive ? "polling" : "websocket",
        },
        alertQueue: { ok: st.queueDepth < 100, depth: st.queueDepth },
        updates: {
          ok: lagMs <= (p.opts.telegram?.lagDegradedMs ?? UPDATE_LAG_DEGRADED_MS),
          lagMs,
          queued: p.poller.depth,
        },
        telegram: {
          ok: p.live.telegramFailures < TELEGRAM_FAILURES_DEGRADED,
          failuresInARow: p.live.telegramFailures,
        },
      },
    };
  };
}

/** Exchange status is public; the balance read is signed, so a wrong key id shows (401) too. */
async function exchangeCheck(p: Parts): Promise<HealthReport["checks"]["exchange"]> {
  const t0 = Date.now();
  const signed = withTimeout(p.exchange.getBalance(), 3_000).then(
    () => null,
    (e: unknown) => e,
  );
  try {
    await withTimeout(p.exchange.getExchangeStatus(), 3_000);
    const latencyMs = Date.now() - t0;
    const signedError = await signed;
    if (signedError instanceof KalshiApiError && signedError.status === 401) {
      return { ok: false, error: p.describeError(signedError) };
    }
    return { ok: true, latencyMs };
  } catch (e) {
    return { ok: false, error: p.describeError(e) };
  }
}

/**
 * Long polls return at least every ~30 s; allow two missed polls. A webhook waits for Telegram, so
 * there it is ok while it listens (quiet hours bring no requests).
 */
function pollingCheck(p: Parts): HealthReport["checks"]["polling"] {
  const { live } = p;
  const lastSeen = p.webhookSecret ? (live.webhook?.lastUpdateAt ?? null) : live.lastPollAt;
  const ago = lastSeen === null ? {} : { lastUpdateAgoMs: Date.now() - lastSeen };
  if (p.webhookSecret) return { ok: live.webhook !== null && !live.stopped, mode: "webhook", ...ago };
  const fresh = ago.lastUpdateAgoMs === undefined || ago.lastUpdateAgoMs < 90_000;
  return { ok: p.poller.isRunning && live.pollingError === null && fresh, mode: "polling", ...ago };
}
