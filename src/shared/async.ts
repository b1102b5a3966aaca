/**
 * Waiting, written once: a sleep that an AbortSignal cuts short, a time limit on a promise, and the
 * exponential backoff (with "equal jitter") every retry loop uses. No imports of ours: every layer
 * may use these (see the layer rules in eslint.config.js).
 */

/**
 * Resolves after `ms`, or at once when `signal` aborts (already aborted: at once). It never rejects:
 * a loop that sleeps checks `signal.aborted` afterwards and decides itself what a stop means.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The rejection of `withTimeout` when the time ran out (not `p`'s own failure). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}

/**
 * `p`, or a TimeoutError ("<what> timed out after <ms> ms") when it takes longer than `ms`. `p` is
 * not cancelled (a promise cannot be): only the waiting stops. The timer never keeps the process up.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what?: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new TimeoutError(`${what ? `${what} ` : ""}timed out after ${ms} ms`));
    }, ms);
    timer.unref?.();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Retry pauses: the first is `baseMs`, each next one twice the last, none longer than `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** The pause before retry number `attempt` (1 = the first retry), without jitter. */
export function backoffMs(attempt: number, b: Backoff): number {
  const doublings = Math.min(Math.max(0, attempt - 1), 30);
  return Math.min(b.maxMs, b.baseMs * 2 ** doublings);
}

/**
 * `backoffMs` with "equal jitter": a random 50–100 % of it, so clients that failed together do not
 * all come back at the same moment. `random` is for tests (default Math.random).
 */
export function backoffWithJitterMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const exp = backoffMs(attempt, b);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/**
 * Runs `work` after the event loop's next I/O poll. Used on the order path: the order POST begun in
 * this tick is then written to its socket (and, when the receiving end is in this process, as in the
 * benchmark and the sim, read there), so the Telegram calls, disk write and log line started beside it
 * never delay it. One setImmediate would run before that poll; the second runs after it.
 */
export function besidePendingIo<T>(work: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    setImmediate(() =>
      setImmediate(() => {
        try {
          Promise.resolve(work()).then(resolve, reject);
        } catch (e) {
          reject(e);
        }
      }),
    ),
  );
}
