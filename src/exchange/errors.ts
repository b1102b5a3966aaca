/**
 * Errors raised by the exchange adapter, and their plain-sentence descriptions for a phone user.
 *
 * None of these ever carries request headers, the API key id, the private key or a stack trace in
 * its message; the axios error that caused a failure is deliberately not attached as `cause`
 * (its config holds the signed headers).
 */

export type ExchangeEnv = "sim" | "demo" | "production";

/** Kalshi answered with an error status (or a 2xx that cannot be accepted, see `code`). */
export class KalshiApiError extends Error {
  /**
   * @param kalshiMessage Kalshi's own `error.message` text (or the code when it gave none).
   * @param outcomeUnknown for writes: the exchange may or may not have acted (e.g. a 5xx on create,
   *   or an earlier attempt timed out). The caller must look the order up before trying again.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    readonly kalshiMessage: string,
    readonly details: string | null,
    readonly retryable: boolean,
    readonly method: string = "",
    readonly path: string = "",
    readonly outcomeUnknown: boolean = false,
    /**
     * On a 401: how far Kalshi's clock (its `Date` header) is ahead of this machine's, in ms
     * (negative: behind), when that gap is big enough to be the cause; null otherwise.
     */
    readonly clockSkewMs: number | null = null,
  ) {
    super(
      `${method} ${path}: HTTP ${status} ${code}${kalshiMessage && kalshiMessage !== code ? ` (${kalshiMessage})` : ""}${clockSkewMs !== null ? `; ${clockSkewSentence(clockSkewMs)}` : ""}`.trim(),
    );
    this.name = "KalshiApiError";
  }

  /**
   * Builds the error from a response body: `{"error":{code,message,details}}`, the 429 form
   * `{"error":"too many requests"}`, or anything else (text, empty).
   */
  static fromResponse(
    status: number,
    body: unknown,
    method = "",
    path = "",
    outcomeUnknown = false,
  ): KalshiApiError {
    let code = "";
    let message = "";
    let details: string | null = null;
    let parsed = body;
    if (typeof body === "string") {
      try {
        parsed = JSON.parse(body) as unknown;
      } catch {
        message = body.slice(0, 200);
      }
    }
    if (parsed && typeof parsed === "object" && "error" in parsed) {
      const e = (parsed as { error: unknown }).error;
      if (typeof e === "string") {
        message = e;
      } else if (e && typeof e === "object") {
        const o = e as Record<string, unknown>;
        if (typeof o.code === "string") code = o.code;
        if (typeof o.message === "string") message = o.message;
        if (typeof o.details === "string") details = o.details;
        else if (o.details !== undefined && o.details !== null) details = JSON.stringify(o.details);
      }
    } else if (parsed && typeof parsed === "object") {
      const o = parsed as Record<string, unknown>;
      if (typeof o.code === "string") code = o.code;
      if (typeof o.message === "string") message = o.message;
    }
    if (!code) code = defaultCode(status);
    if (!message) message = code;
    const retryable = status === 429 || status >= 500;
    return new KalshiApiError(status, code, message, details, retryable, method, path, outcomeUnknown);
  }

  withOutcomeUnknown(outcomeUnknown: boolean): KalshiApiError {
    return this.copy(outcomeUnknown, this.clockSkewMs);
  }

  /** The same error, knowing the clock gap (see clockSkewMs). */
  withClockSkew(clockSkewMs: number | null): KalshiApiError {
    return clockSkewMs === null ? this : this.copy(this.outcomeUnknown, clockSkewMs);
  }

  private copy(outcomeUnknown: boolean, clockSkewMs: number | null): KalshiApiError {
    const { status, code, kalshiMessage, details, retryable, method, path } = this;
    return new KalshiApiError(
      status,
      code,
      kalshiMessage,
      details,
      retryable,
      method,
      path,
      outcomeUnknown,
      clockSkewMs,
    );
  }
}

/**
 * "this machine's clock is 42 s behind; Kalshi rejects signatures" (or "ahead"), from how far
 * Kalshi's clock is ahead of ours.
 */
export function clockSkewSentence(kalshiAheadMs: number): string {
  const s = Math.round(Math.abs(kalshiAheadMs) / 1000);
  const gap = s < 120 ? `${s} s` : s < 7_200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3_600)} h`;
  return `this machine's clock is ${gap} ${kalshiAheadMs > 0 ? "behind" : "ahead"}; Kalshi rejects signatures`;
}

function defaultCode(status: number): string {
  if (status === 400) return "bad_request";
  if (status === 401) return "authentication_error";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "too_many_requests";
  if (status >= 500) return "server_error";
  return `http_${status}`;
}

/** No HTTP answer: connection refused/reset, DNS failure, timeout, client closed. */
export class KalshiNetworkError extends Error {
  /**
   * @param kind "timeout" when no answer came in time; "network" otherwise; "closed" when the client was closed.
   * @param outcomeUnknown for writes: the request may have reached Kalshi.
   */
  constructor(
    readonly kind: "timeout" | "network" | "closed",
    readonly method: string,
    readonly path: string,
    readonly errorCode: string | null,
    readonly outcomeUnknown: boolean = false,
  ) {
    super(
      `${method} ${path}: ${
        kind === "timeout"
          ? "no answer from Kalshi in time"
          : kind === "closed"
            ? "the Kalshi client was closed"
            : "could not reach Kalshi"
      }${errorCode ? ` (${errorCode})` : ""}`,
    );
    this.name = "KalshiNetworkError";
  }
}

/** A response did not have the shape we compute with. */
export class KalshiSchemaError extends Error {
  /**
   * @param endpoint e.g. "GET /portfolio/balance" or "WS fill"
   * @param field dotted path of the offending field, e.g. "market_positions.0.position_fp"
   */
  constructor(
    readonly endpoint: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${endpoint}: ${field || "(body)"}: ${problem}`);
    this.name = "KalshiSchemaError";
  }
}

/** A client-side refusal before anything was sent (bad arguments). */
export class KalshiRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KalshiRequestError";
  }
}

/** True when a write may have taken effect although it reported failure. */
export function isOutcomeUnknown(e: unknown): boolean {
  return (e instanceof KalshiApiError || e instanceof KalshiNetworkError) && e.outcomeUnknown;
}

/**
 * True when a failed write proves the exchange did not act on it: a refusal before anything was
 * sent, a Kalshi refusal that is not ambiguous (not a 2xx without an order id, not after an
 * attempt that may have gone through), or a connection that never opened. Everything else
 * (timeouts, dropped connections, 5xx after retries, unknown errors) leaves the outcome open.
 */
export function provesNotPlaced(e: unknown): boolean {
  if (e instanceof KalshiRequestError) return true;
  if (e instanceof KalshiApiError) {
    // A 409 for a duplicate client_order_id says an order with this id EXISTS: the opposite of proof.
    if (e.status === 409 && /duplicate|client_order/i.test(e.code)) return false;
    return !e.outcomeUnknown && (e.status < 200 || e.status >= 300);
  }
  if (e instanceof KalshiNetworkError) return !e.outcomeUnknown && e.kind !== "timeout";
  return false;
}

function envName(env?: ExchangeEnv): string {
  if (env === "demo") return "the demo environment you chose";
  if (env === "production") return "the production environment you chose";
  if (env === "sim") return "the simulator";
  return "the demo/production environment you chose";
}

function oneLine(s: string, max = 160): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}

/**
 * A statement of fact only: by the time a user reads it, the client has looked the order up by
 * client_order_id; the bot adds a sentence about what the executor's read of the resting orders
 * found and what to check.
 */
const UNKNOWN_OUTCOME = "it is not known whether Kalshi acted on it.";

/** One plain sentence for a phone user. Never includes secrets or stack traces. */
export function describeExchangeError(err: unknown, env?: ExchangeEnv): string {
  if (err instanceof KalshiNetworkError) {
    if (err.kind === "closed") {
      return err.outcomeUnknown
        ? `The bot was shutting down while the request was being sent; ${UNKNOWN_OUTCOME}`
        : "The connection to Kalshi was shut down; please try again.";
    }
    if (err.outcomeUnknown) {
      return err.kind === "timeout"
        ? `Kalshi did not answer in time; ${UNKNOWN_OUTCOME}`
        : `The connection to Kalshi broke during the request; ${UNKNOWN_OUTCOME}`;
    }
    return err.kind === "timeout"
      ? "Kalshi did not answer in time, and nothing was changed; try again in a moment."
      : "Could not reach Kalshi (network problem), so nothing was changed; try again in a moment.";
  }
  if (err instanceof KalshiSchemaError) {
    return `Kalshi sent an answer this bot does not understand (${err.endpoint}); the bot may need an update.`;
  }
  if (err instanceof KalshiApiError) {
    const code = err.code.toLowerCase();
    if (err.status >= 200 && err.status < 300) {
      return `Kalshi answered without an order id; ${UNKNOWN_OUTCOME}`;
    }
    if ((err.status === 401 || code === "authentication_error") && err.clockSkewMs !== null) {
      const s = clockSkewSentence(err.clockSkewMs);
      return `Kalshi rejected the request: ${s}. Set the clock right (turn on automatic time sync, NTP) and try again.`;
    }
    if (err.status === 401 || code === "authentication_error") {
      return `Kalshi rejected the API key signature. Check KALSHI_API_KEY, the private key file, that the key belongs to ${envName(env)}, and that this computer's clock is right.`;
    }
    if (err.status === 403) {
      return "Kalshi refused this request: the API key lacks the permission for it (it needs read and trade access).";
    }
    if (err.status === 429) {
      return err.outcomeUnknown
        ? `Kalshi is rate-limiting requests and an earlier attempt got no answer; ${UNKNOWN_OUTCOME}`
        : "Kalshi is rate-limiting requests; try again in a few seconds.";
    }
    if (code.includes("insufficient_balance") || code.includes("insufficient_funds")) {
      return "Your Kalshi balance is too low for this order, so nothing was placed.";
    }
    if (code === "market_closed" || code.includes("market_not_open") || code.includes("trading_paused")) {
      return "That market is not open for trading right now, so Kalshi did not accept the order.";
    }
    if (code === "invalid_price") {
      return "Kalshi rejected the price: it is not a valid price step for this market (multi-leg combo markets cannot be traded here).";
    }
    if (code === "deprecated_v1_order_endpoint") {
      return "Kalshi refused an outdated order request; the bot needs an update.";
    }
    if (err.status === 404) return "Kalshi has no market or order with that id.";
    if (err.status === 409) {
      return `Kalshi refused the request because it conflicts with the market or order state (${oneLine(err.kalshiMessage)}).`;
    }
    if (err.status >= 500) {
      return err.outcomeUnknown
        ? `Kalshi had an internal problem (HTTP ${err.status}); ${UNKNOWN_OUTCOME}`
        : `Kalshi had an internal problem (HTTP ${err.status}); nothing was changed, try again in a minute.`;
    }
    if (err.status === 400) {
      return `Kalshi rejected the request (${oneLine(err.kalshiMessage)}); nothing was changed.`;
    }
    return `Kalshi refused the request (HTTP ${err.status}, ${oneLine(err.code)}); nothing was changed.`;
  }
  if (err instanceof Error && err.name === "PrivateKeyError") {
    return `The Kalshi private key file cannot be used: ${oneLine(err.message)}.`;
  }
  if (err instanceof KalshiRequestError) {
    return `${oneLine(err.message)}.`;
  }
  // The trading core's UserError (duck-typed to keep exchange/ free of trading imports): its
  // message is already a plain sentence meant for the user.
  if (err instanceof Error && err.name === "UserError" && err.message.trim() !== "") {
    return err.message;
  }
  return "Something went wrong while talking to Kalshi; please try again.";
}
