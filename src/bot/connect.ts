/**
 * Start-up's first contact with Telegram (getMe, deleteWebhook, setMyCommands), explained as it goes:
 * while Telegram cannot be reached, one line per failed attempt ("cannot reach Telegram yet: …,
 * retrying in 4 s") within seconds of the start, retries with growing pauses, and after `timeoutMs`
 * an error. A refused token (401/404) fails at once: waiting will not fix it.
 *
 * Pending updates are kept (deleteWebhook without drop_pending_updates): what the user sent while the
 * bot was down is answered now, late commands marked as such (see late.ts).
 *
 * Webhook mode (`webhook` given): setWebhook with the secret and the same allowed_updates as polling,
 * instead of deleteWebhook; run at each start, so a new secret takes effect at once.
 */
import { type Bot, type Context, GrammyError, HttpError } from "grammy";
import { COMMANDS } from "./features/help.js";
import { backoffMs, sleep } from "../shared/async.js";
import { ALLOWED_UPDATES } from "./polling.js";

export interface ConnectOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** One attempt may take this long before it counts as failed (default 5 s). */
  attemptTimeoutMs?: number;
  /** First pause between attempts; doubles up to maxPauseMs (defaults 1 s and 15 s). */
  firstPauseMs?: number;
  maxPauseMs?: number;
  /** Told once per failed attempt, with a plain sentence. */
  onRetry: (sentence: string, error: unknown) => void;
  /** Error text without secrets. */
  describe: (e: unknown) => string;
  /** Webhook mode: the public URL and the secret every request must carry. */
  webhook?: { url: string; secretToken: string };
}

/** Thrown when Telegram could not be reached in time, or refused the token. */
export class TelegramConnectError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TelegramConnectError";
  }
}

function isPermanent(e: unknown): boolean {
  return e instanceof GrammyError && (e.error_code === 401 || e.error_code === 404);
}

/** grammY's "Network request for 'getMe' failed!" with the reason underneath (e.g. ECONNREFUSED). */
function networkReason(e: unknown): unknown {
  if (!(e instanceof HttpError) || !(e.error instanceof Error)) return e;
  const msg = e.error.message;
  return new Error(/reason: (.*)$/.exec(msg)?.[1] ?? msg);
}

/** grammY types signals with the abort-controller shim; Node's AbortSignal is the same at run time. */
type GrammySignal = Parameters<Bot["init"]>[0];

async function attempt<C extends Context>(
  bot: Bot<C>,
  signal: GrammySignal,
  webhook: ConnectOptions["webhook"],
): Promise<void> {
  // Not bot.init(): it retries network errors forever, with nothing said.
  if (!bot.isInited()) bot.botInfo = await bot.api.getMe(signal);
  if (webhook) {
    await bot.api.setWebhook(
      webhook.url,
      { secret_token: webhook.secretToken, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
      signal,
    );
  } else {
    // Polling gets nothing while a webhook is set (Telegram answers getUpdates with 409).
    await bot.api.deleteWebhook({ drop_pending_updates: false }, signal);
  }
  await bot.api.setMyCommands(
    COMMANDS.map((c) => ({ command: c.command, description: c.description })),
    undefined,
    signal,
  );
}

export async function connectTelegram<C extends Context>(bot: Bot<C>, o: ConnectOptions): Promise<void> {
  const started = Date.now();
  const pauses = { baseMs: o.firstPauseMs ?? 1_000, maxMs: o.maxPauseMs ?? 15_000 };
  for (let tries = 1; ; tries++) {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), o.attemptTimeoutMs ?? 5_000);
    try {
      await attempt(bot, ac.signal as GrammySignal, o.webhook);
      return;
    } catch (e) {
      const why = ac.signal.aborted
        ? "no answer within the attempt's time limit"
        : o.describe(networkReason(e));
      if (isPermanent(e)) throw new TelegramConnectError(why, true, { cause: e });
      const elapsed = Date.now() - started;
      if (elapsed >= o.timeoutMs) {
        throw new TelegramConnectError(
          `${why} (tried ${tries} times over ${Math.round(elapsed / 1000)} s)`,
          false,
          {
            cause: e,
          },
        );
      }
      const wait = Math.min(backoffMs(tries, pauses), o.timeoutMs - elapsed);
      o.onRetry(
        `cannot reach Telegram yet: ${why}; retrying in ${Math.max(1, Math.round(wait / 1000))} s`,
        e,
      );
      await sleep(wait);
    } finally {
      clearTimeout(timer);
    }
  }
}
