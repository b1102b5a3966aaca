/**
 * Bot API transformers that feed health: whether each call worked (for "Bot API calls failing in a
 * row") and when long polling last came back.
 */
import type { Transformer } from "grammy";
import { TELEGRAM_CALL_TIMED_OUT } from "../bot/telegramRetry.js";

/**
 * An API transformer telling `onResult` whether each Bot API call worked: an answer that is ok or a
 * plain refusal (4xx other than 429) counts as working; a network error, 5xx, 429 or a call cut at the
 * retry bound's time limit as failing. A call cut short on purpose (stop) counts as neither.
 */
export function telegramCallResults(onResult: (ok: boolean) => void): Transformer {
  return async (prev, method, payload, signal) => {
    try {
      const res = await prev(method, payload, signal);
      onResult(res.ok || (res.error_code < 500 && res.error_code !== 429));
      return res;
    } catch (e) {
      // Cut off by the time limit of telegramRetry: failed; aborted by a stop: neither.
      const reason = (signal as AbortSignal | undefined)?.reason;
      if (!signal?.aborted || reason === TELEGRAM_CALL_TIMED_OUT) onResult(false);
      throw e;
    }
  };
}

/**
 * An API transformer calling `onPoll` whenever getUpdates comes back ok (with updates or none). A
 * failed poll (an error answer, a thrown network error) does not count: health must not call a bot
 * whose every poll fails alive.
 */
export function successfulPolls(onPoll: () => void): Transformer {
  return async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (method === "getUpdates" && res.ok) onPoll();
    return res;
  };
}
