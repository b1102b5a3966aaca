/**
 * Retrying one delivery call: backoff with jitter, or the sink's retry-after (Telegram's 429), until it
 * succeeds, the sink refuses for good, or the alerts stop (which ends a pause at once, so stop() never
 * waits out a long retry-after).
 */
import type { StreamLogger } from "../exchange/port.js";
import { type Backoff, backoffWithJitterMs, sleep } from "../shared/async.js";
import { type AlertDeliveryError, asDeliveryError } from "./sink.js";

/** Thrown when the alerts stopped between attempts: the notice stays owed. */
export class StoppedError extends Error {
  constructor() {
    super("alerts stopped");
  }
}

export class DeliveryRetry {
  private readonly stopping = new AbortController();

  constructor(
    private readonly retry: Backoff,
    private readonly log: StreamLogger,
  ) {}

  /** No more attempts; a pause under way ends now. */
  stop(): void {
    this.stopping.abort();
  }

  /** Calls `fn` until it succeeds; `onError` sees each failure. Throws a refusal or StoppedError. */
  async run<T>(fn: () => Promise<T>, onError?: (e: AlertDeliveryError) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping.signal.aborted) throw new StoppedError();
      try {
        return await fn();
      } catch (e) {
        const de = asDeliveryError(e);
        onError?.(de);
        if (!de.retryable) throw de;
        if (this.stopping.signal.aborted) throw new StoppedError();
        const delay = de.retryAfterMs ?? backoffWithJitterMs(attempt + 1, this.retry);
        this.log.warn("alerts: delivery failed; retrying", {
          error: de.message,
          retryInMs: delay,
          attempt: attempt + 1,
        });
        await sleep(delay, this.stopping.signal);
      }
    }
  }
}
