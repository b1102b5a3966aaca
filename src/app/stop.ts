/**
 * app.stop(): polling first, then the update being handled may finish and tell the user, then alerts,
 * streams, health and the exchange, and the order results last but logging; all within one budget
 * (STOP_BUDGET_MS, under main's 4.5 s hard stop). A step that fails or runs out of time is logged and
 * the next one runs. Idempotent: a second call returns the first one's promise.
 */
import { withTimeout } from "../shared/async.js";
import type { Parts } from "./parts.js";

/** Everything app.stop() may take, under main's 4.5 s hard stop. */
export const STOP_BUDGET_MS = 3_500;
/** Logging (closed last) keeps at least this much of the budget. */
const LOG_CLOSE_MS = 700;

export function stopApp(p: Parts): Promise<void> {
  const { live } = p;
  if (live.stopped) return live.stopping ?? Promise.resolve();
  live.stopped = true;
  live.stopping = runStop(p);
  return live.stopping;
}

async function runStop(p: Parts): Promise<void> {
  const { live, logger } = p;
  const deadline = Date.now() + STOP_BUDGET_MS;
  const left = (reserve = LOG_CLOSE_MS) => Math.max(0, deadline - reserve - Date.now());
  const step = async (name: string, fn: () => Promise<unknown>, capMs: number) => {
    try {
      // Started even with no time left (closing still begins); only the waiting is cut short.
      await withTimeout(fn(), Math.min(capMs, left()));
    } catch (e) {
      logger.warn(`shutdown step failed: ${name}`, { error: e });
    }
  };
  const inFlight = () => p.poller.idle();
  const webhook = live.webhook;
  if (webhook) await step("webhook server", () => webhook.close(), 300);
  await step("telegram polling", () => p.poller.stop(), 1_000);
  // The update being handled (e.g. an order being placed) may finish and tell the user.
  await step("updates in progress", inFlight, 1_000);
  live.stopSellGuard?.();
  await step("price alerts", () => p.priceWatch.stop(), 300);
  await step("ticker stream", () => p.tickerFeed.close(), 300);
  await step("fill alerts", () => p.alerts.stop(), 800);
  await step("alert stream", () => p.stream.close(), 300);
  const health = live.health;
  if (health) await step("health endpoint", () => health.close(), 300);
  for (const fn of p.cleanup.reverse()) await step("exchange", fn, 500);
  // A handler still waiting on Kalshi got its answer or the closed client's error: let it write the
  // outcome to the journal and the chat before logging closes.
  await step("updates in progress", inFlight, 1_000);
  // Last: the result of an order cut off above is still shown; what cannot go out now stays owed.
  await step("order results", () => p.outbox.stop(), 300);
  p.services.journal.flush();
  logger.info("stopped");
  await withTimeout(p.logging.close(), Math.max(LOG_CLOSE_MS, left(0))).catch(() => undefined);
}
