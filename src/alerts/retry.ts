/**
 * Retrying one delivery call: backoff with jitter, or the sink's retry-after (Telegram's 429), until it
 * succeeds, the sink refuses for good, or the alerts stop (which ends a pause at once, so stop() never
 * waits out a long retry-after).
 */
import type { StreamLogger } from "../exchange/port.js";
import { type AlertDeliveryError, asDeliveryError } from "./sink.js";

/** Thrown when the alerts stopped between attempts: the notice stays owed. */
export class StoppedError extends Error {
  constructor() {
    super("alerts stopped");
  }
}

export class DeliveryRetry {
  private stopped = false;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly retry: { baseMs: number; maxMs: number },
    private readonly log: StreamLogger,
  ) {}

  /** No more attempts; a pause under way ends now. */
  stop(): void {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
  }

  /** Calls `fn` until it succeeds; `onError` sees each failure. Throws a refusal or StoppedError. */
  async run<T>(fn: () => Promise<T>, onError?: (e: AlertDeliveryError) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new StoppedError();
      try {
        return await fn();
      } catch (e) {
        const de = asDeliveryError(e);
        onError?.(de);
        if (!de.retryable) throw de;
        if (this.stopped) throw new StoppedError();
        const { baseMs, maxMs } = this.retry;
        const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
        const delay = de.retryAfterMs ?? Math.round(exp / 2 + (Math.random() * exp) / 2);
        this.log.warn("alerts: delivery failed; retrying", {
          error: de.message,
          retryInMs: delay,
          attempt: attempt + 1,
        });
        await this.sleep(delay);
      }
    }
  }

  /** A pause that stop() ends at once. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
