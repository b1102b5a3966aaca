/**
 * Bounded retries for Bot API calls. @grammyjs/auto-retry waits out a 429's retry_after and retries 5xx
 * answers, but on its own it retries network errors forever (3, 6, 12 … s), which kept a chat silent
 * for minutes. Here auto-retry handles 429/5xx (at most `maxRetryAttempts` times, a retry_after of at
 * most `maxDelaySeconds`), network errors get at most `maxRetryAttempts` quick retries, and the whole
 * call, waits included, is cut off after `maxTotalMs`. Then the call fails and the handler's error path
 * tells the user (when Telegram lets it). getUpdates is left alone: the poller retries it itself.
 *
 * Results of orders must not be given up on this early: the outbox (src/alerts) keeps them and sends
 * again with its own, longer bound. These bounds are for everything else.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { HttpError, type Transformer } from "grammy";
import { backoffMs, sleep } from "../shared/async.js";

export interface TelegramRetryOptions {
  /** Retries per call for 429, 5xx and network errors (default 3). */
  maxRetryAttempts: number;
  /** The longest retry_after waited for; a longer one fails the call at once (default 30 s). */
  maxDelaySeconds: number;
  /** The whole call including retries and waits (default 45 s). */
  maxTotalMs: number;
  /** First pause after a network error; doubles each time (default 500 ms). */
  networkBackoffMs: number;
  /** Fail at once on a 5xx instead of retrying it (tests). */
  rethrowInternalServerErrors?: boolean;
}

const TELEGRAM_RETRY_DEFAULTS: TelegramRetryOptions = {
  maxRetryAttempts: 3,
  maxDelaySeconds: 30,
  maxTotalMs: 45_000,
  networkBackoffMs: 500,
};

/**
 * The abort reason when `maxTotalMs` cuts a call off: that is a failed call (health counts it), unlike
 * an abort by the caller (a stop).
 */
export const TELEGRAM_CALL_TIMED_OUT = new Error("the Telegram call took longer than its time limit");

export function telegramRetry(options: Partial<TelegramRetryOptions> = {}): Transformer {
  const o = { ...TELEGRAM_RETRY_DEFAULTS, ...options };
  const inner = autoRetry({
    maxRetryAttempts: o.maxRetryAttempts,
    maxDelaySeconds: o.maxDelaySeconds,
    rethrowHttpErrors: true,
    rethrowInternalServerErrors: o.rethrowInternalServerErrors ?? false,
  });
  return async (prev, method, payload, signal) => {
    if (method === "getUpdates") return prev(method, payload, signal);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(TELEGRAM_CALL_TIMED_OUT), o.maxTotalMs);
    const onOuterAbort = () => deadline.abort();
    signal?.addEventListener("abort", onOuterAbort, { once: true });
    // Telegram's last answer: when the bound cuts off a wait for retry_after, the call fails with that
    // answer (a 429 with its retry_after: the outbox then waits as asked, and knows nothing was sent).
    let last: Awaited<ReturnType<typeof prev>> | undefined;
    const seen: typeof prev = async (...args) => (last = await prev(...args));
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          last = undefined;
          // grammY types signals with the abort-controller shim; Node's is the same at run time.
          return await inner(seen, method, payload, deadline.signal as Parameters<typeof prev>[2]);
        } catch (e) {
          if (!(e instanceof HttpError) && deadline.signal.aborted && last && !last.ok) return last;
          if (!(e instanceof HttpError) || deadline.signal.aborted || attempt >= o.maxRetryAttempts) throw e;
          await sleep(
            backoffMs(attempt + 1, { baseMs: o.networkBackoffMs, maxMs: o.maxTotalMs }),
            deadline.signal,
          );
          if (deadline.signal.aborted) throw e;
        }
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onOuterAbort);
    }
  };
}
