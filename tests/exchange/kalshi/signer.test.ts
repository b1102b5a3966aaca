import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  loadPrivateKey,
  signRequest,
  verifyKalshiSignature,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  PrivateKeyError,
  WS_PATH,
  signatureMessage,
} from "../../../src/exchange/kalshi/signer.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

describe("Kalshi request signing", () => {
  for (const type of ["pkcs1", "pkcs8"] as const) {
    it(`signs with a ${type} key so that Kalshi's verification passes`, () => {
      const key = loadPrivateKey(privateKey.export({ type, format: "pem" }));
      const url = "https://external-api.kalshi.com/trade-api/v2/portfolio/orders?limit=5";
      const h = signRequest(key, "key-id", "get", url, 1703123456789);
      expect(h[HEADER_TIMESTAMP]).toBe("1703123456789");
      // Signed over the path with prefix and without the query string.
      expect(
        verifyKalshiSignature(
          publicKey,
          "1703123456789",
          "GET",
          "/trade-api/v2/portfolio/orders",
          h[HEADER_SIGNATURE],
        ),
      ).toBe(true);
      expect(
        verifyKalshiSignature(publicKey, "1703123456789", "GET", "/portfolio/orders", h[HEADER_SIGNATURE]),
      ).toBe(false);
      expect(
        verifyKalshiSignature(
          publicKey,
          "1703123456789",
          "GET",
          "/trade-api/v2/portfolio/orders?limit=5",
          h[HEADER_SIGNATURE],
        ),
      ).toBe(true);
      expect(verifyKalshiSignature(publicKey, "1703123456790", "GET", url, h[HEADER_SIGNATURE])).toBe(false);
    });
  }

  it("rejects files that are not private keys without echoing them", () => {
    const pub = publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(() => loadPrivateKey(pub)).toThrow(PrivateKeyError);
    let thrown: unknown;
    try {
      loadPrivateKey("-----BEGIN PRIVATE KEY-----\nSECRETSTUFF\n-----END PRIVATE KEY-----");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PrivateKeyError);
    const err = thrown as PrivateKeyError;
    expect(err.message).toMatch(/could not be parsed/);
    // Nothing the error carries (message, stack, cause) may repeat the key material.
    expect(`${String(err)}\n${err.stack ?? ""}\n${String(err.cause ?? "")}`).not.toContain("SECRETSTUFF");
  });

  it("verifies straight from request headers, in any letter case", () => {
    const key = loadPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));
    const h = signRequest(key, "key-id", "DELETE", "/trade-api/v2/portfolio/events/orders/abc?subaccount=0");
    const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyKalshiSignature(publicKey, h, "DELETE", "/trade-api/v2/portfolio/events/orders/abc")).toBe(
      true,
    );
    expect(
      verifyKalshiSignature(publicKey, lower, "DELETE", "/trade-api/v2/portfolio/events/orders/abc"),
    ).toBe(true);
    expect(verifyKalshiSignature(publicKey, lower, "GET", "/trade-api/v2/portfolio/events/orders/abc")).toBe(
      false,
    );
    expect(verifyKalshiSignature(publicKey, {}, "DELETE", "/trade-api/v2/portfolio/events/orders/abc")).toBe(
      false,
    );
  });

  it("signs the WebSocket upgrade over GET /trade-api/ws/v2", () => {
    expect(WS_PATH).toBe("/trade-api/ws/v2");
    expect(signatureMessage("1703123456789", "get", "wss://external-api-ws.kalshi.com/trade-api/ws/v2")).toBe(
      "1703123456789GET/trade-api/ws/v2",
    );
    const key = loadPrivateKey(privateKey.export({ type: "pkcs1", format: "pem" }));
    const h = signRequest(key, "key-id", "GET", `wss://external-api-ws.kalshi.com${WS_PATH}`, 1703123456789);
    expect(verifyKalshiSignature(publicKey, "1703123456789", "GET", WS_PATH, h[HEADER_SIGNATURE])).toBe(true);
  });
});
