import { describe, expect, it } from "vitest";
import {
  KalshiApiError,
  KalshiNetworkError,
  KalshiRequestError,
  KalshiSchemaError,
  describeExchangeError,
  provesNotPlaced,
} from "../../src/exchange/errors.js";
import { PrivateKeyError } from "../../src/exchange/kalshi/signer.js";
import { UserError } from "../../src/trading/types.js";

const api = (status: number, body: unknown, method = "GET", path = "/x", unknown = false) =>
  KalshiApiError.fromResponse(status, body, method, path, unknown);

describe("KalshiApiError.fromResponse", () => {
  it("parses Kalshi's error object", () => {
    const e = api(400, {
      error: { code: "invalid_order", message: "invalid order", details: "exactly one of yes_price..." },
    });
    expect(e).toMatchObject({
      status: 400,
      code: "invalid_order",
      kalshiMessage: "invalid order",
      details: "exactly one of yes_price...",
      retryable: false,
    });
    expect(e.message).toBe("GET /x: HTTP 400 invalid_order (invalid order)");
  });

  it("parses the 429 string form and marks it retryable", () => {
    const e = api(429, '{"error":"too many requests"}');
    expect(e).toMatchObject({
      code: "too_many_requests",
      kalshiMessage: "too many requests",
      retryable: true,
    });
  });

  it("copes with bodies that are not JSON", () => {
    const e = api(502, "<html>Bad Gateway</html>");
    expect(e).toMatchObject({ code: "server_error", retryable: true });
    expect(api(404, "")).toMatchObject({ code: "not_found" });
  });
});

describe("describeExchangeError", () => {
  it("explains a rejected signature with the environment", () => {
    const e = api(401, {
      error: {
        code: "authentication_error",
        message: "authentication_error",
        details: "INCORRECT_API_KEY_SIGNATURE",
      },
    });
    expect(describeExchangeError(e, "demo")).toBe(
      "Kalshi rejected the API key signature. Check KALSHI_API_KEY, the private key file, that the key belongs to the demo environment you chose, and that this computer's clock is right.",
    );
    expect(describeExchangeError(e)).toContain("the demo/production environment you chose");
  });

  it("covers rate limits, balance, closed markets, prices, unknown ids and server trouble", () => {
    expect(describeExchangeError(api(429, { error: "too many requests" }))).toBe(
      "Kalshi is rate-limiting requests; try again in a few seconds.",
    );
    expect(describeExchangeError(api(400, { error: { code: "insufficient_balance", message: "x" } }))).toBe(
      "Your Kalshi balance is too low for this order, so nothing was placed.",
    );
    expect(
      describeExchangeError(api(409, { error: { code: "market_closed", message: "market closed" } })),
    ).toBe("That market is not open for trading right now, so Kalshi did not accept the order.");
    expect(
      describeExchangeError(api(400, { error: { code: "invalid_price", message: "invalid price" } })),
    ).toMatch(/^Kalshi rejected the price/);
    expect(describeExchangeError(api(404, { error: { code: "not_found", message: "nope" } }))).toBe(
      "Kalshi has no market or order with that id.",
    );
    expect(describeExchangeError(api(503, "down"))).toBe(
      "Kalshi had an internal problem (HTTP 503); nothing was changed, try again in a minute.",
    );
    expect(describeExchangeError(api(503, "down", "POST", "/portfolio/events/orders", true))).toBe(
      "Kalshi had an internal problem (HTTP 503); it is not known whether Kalshi acted on it.",
    );
    expect(
      describeExchangeError(api(400, { error: { code: "invalid_order", message: "count too large" } })),
    ).toBe("Kalshi rejected the request (count too large); nothing was changed.");
  });

  it("separates a read that could not reach Kalshi from an order whose outcome is unknown", () => {
    expect(describeExchangeError(new KalshiNetworkError("network", "GET", "/x", "ECONNREFUSED"))).toBe(
      "Could not reach Kalshi (network problem), so nothing was changed; try again in a moment.",
    );
    expect(describeExchangeError(new KalshiNetworkError("timeout", "GET", "/x", "ECONNABORTED"))).toMatch(
      /did not answer in time, and nothing was changed/,
    );
    const order = describeExchangeError(
      new KalshiNetworkError("timeout", "POST", "/portfolio/events/orders", "ECONNABORTED", true),
    );
    expect(order).toMatch(/did not answer in time; it is not known whether Kalshi acted on it/);
    expect(order).not.toMatch(/nothing was changed/);
  });

  it("states an unknown outcome as a fact and promises no follow-up action", () => {
    const texts = [
      describeExchangeError(new KalshiNetworkError("timeout", "POST", "/p", "ECONNABORTED", true)),
      describeExchangeError(new KalshiNetworkError("network", "POST", "/p", "ECONNRESET", true)),
      describeExchangeError(api(429, { error: "too many requests" }, "POST", "/p", true)),
      describeExchangeError(api(201, {}, "POST", "/p", true)),
      describeExchangeError(new KalshiNetworkError("closed", "POST", "/p", "ERR_CANCELED", true)),
    ];
    expect(texts).toEqual([
      "Kalshi did not answer in time; it is not known whether Kalshi acted on it.",
      "The connection to Kalshi broke during the request; it is not known whether Kalshi acted on it.",
      "Kalshi is rate-limiting requests and an earlier attempt got no answer; it is not known whether Kalshi acted on it.",
      "Kalshi answered without an order id; it is not known whether Kalshi acted on it.",
      "The bot was shutting down while the request was being sent; it is not known whether Kalshi acted on it.",
    ]);
    for (const t of texts) expect(t).not.toMatch(/will check|before doing anything/);
  });

  it("passes the trading core's UserError message through unchanged", () => {
    const msg = "Count must be a whole number of contracts, like 10.";
    expect(describeExchangeError(new UserError(msg, "invalid_count"))).toBe(msg);
    // Any other Error, even with a friendly message, still gets the generic sentence.
    expect(describeExchangeError(new Error(msg))).toBe(
      "Something went wrong while talking to Kalshi; please try again.",
    );
  });

  it("is one plain line with no stack trace or key material", () => {
    const errors: unknown[] = [
      new KalshiSchemaError("GET /portfolio/balance", "balance_dollars", "expected string"),
      new PrivateKeyError("not a PEM private key"),
      new Error("boom\n    at secret (/home/me/.kalshi/key.pem:1:1)"),
      api(418, { error: { code: "teapot", message: "line1\nline2" } }),
      "weird",
    ];
    for (const e of errors) {
      const s = describeExchangeError(e, "production");
      expect(s).not.toMatch(/\n|\bat \S+ \(|\.pem|BEGIN/);
      expect(s).toMatch(/^[A-Z].*[.]$/);
    }
    expect(describeExchangeError(errors[0])).toContain("GET /portfolio/balance");
  });
});

describe("provesNotPlaced: a failed create Kalshi certainly did not take", () => {
  it("a local refusal, a plain 4xx and a connection that never opened prove it", () => {
    expect(provesNotPlaced(new KalshiRequestError("An order needs a market ticker"))).toBe(true);
    expect(provesNotPlaced(api(400, { error: { code: "invalid_order" } }, "POST"))).toBe(true);
    expect(provesNotPlaced(new KalshiNetworkError("network", "POST", "/x", "ECONNREFUSED", false))).toBe(
      true,
    );
  });

  it("anything that may have reached Kalshi leaves the outcome open", () => {
    expect(provesNotPlaced(api(400, { error: { code: "invalid_order" } }, "POST", "/x", true))).toBe(false);
    expect(provesNotPlaced(api(500, {}, "POST", "/x", true))).toBe(false);
    expect(provesNotPlaced(api(201, {}, "POST", "/x", false))).toBe(false); // a 2xx without an order id
    expect(provesNotPlaced(new KalshiNetworkError("timeout", "POST", "/x", null, false))).toBe(false);
    expect(provesNotPlaced(new KalshiNetworkError("network", "POST", "/x", "ECONNRESET", true))).toBe(false);
    expect(provesNotPlaced(new Error("socket hang up"))).toBe(false);
  });

  it("a 409 for a duplicate client_order_id says the order exists, so it never proves 'not placed'", () => {
    expect(provesNotPlaced(api(409, { error: { code: "duplicate_client_order_id" } }, "POST"))).toBe(false);
    // Other conflicts (the market settled) are refusals like any 4xx.
    expect(provesNotPlaced(api(409, { error: { code: "market_settled" } }, "POST"))).toBe(true);
  });
});
