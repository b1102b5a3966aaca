/**
 * The delivery port of the alerts: where an alert goes (Telegram in production, a recorder in tests).
 * The alerts core knows only this; the Telegram adapter (src/bot/alertSink.ts) implements it and turns
 * Telegram's errors into AlertDeliveryErrors, so retry decisions here need no Telegram vocabulary.
 */

/** A button under an alert (the sink makes it a tap that opens a quote; never an order by itself). */
export interface AlertAction {
  kind: "buy" | "sell";
  side: "yes" | "no";
  ticker: string;
}

export interface AlertSink {
  send(
    chatId: number,
    html: string,
    opts: { silent: boolean; actions?: AlertAction[] },
  ): Promise<{ messageId: number }>;
  edit(chatId: number, messageId: number, html: string): Promise<void>;
  /** A picture (PNG) with an HTML caption; without it a chart goes out as its caption alone. */
  sendPhoto?(
    chatId: number,
    png: Uint8Array,
    captionHtml: string,
    opts: { silent: boolean },
  ): Promise<{ messageId: number }>;
}

/**
 * A failed delivery. `retryable` errors are tried again (after `retryAfterMs` when the server said so);
 * others are given up on. `gone` marks an edit whose message no longer exists (send a new one instead).
 * `maybeDelivered`: no answer came (network error), so Telegram may have delivered the message anyway.
 */
export class AlertDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    readonly gone = false,
    readonly maybeDelivered = false,
  ) {
    super(message);
    this.name = "AlertDeliveryError";
  }
}

/**
 * Any error thrown by a sink call as an AlertDeliveryError. A sink adapter throws AlertDeliveryErrors;
 * anything else is unknown and counts as retryable and as possibly delivered.
 */
export function asDeliveryError(e: unknown): AlertDeliveryError {
  if (e instanceof AlertDeliveryError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new AlertDeliveryError(msg, true, null, false, true);
}
