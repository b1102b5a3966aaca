/**
 * Kalshi request signing (API.md §2): RSA-PSS with SHA-256, MGF1 SHA-256, salt = digest length,
 * over `timestamp + METHOD + path`, where path is the URL pathname with the `/trade-api/v2`
 * (or `/trade-api/ws/v2`) prefix and without the query string. The body is not signed.
 */
import { constants, createPrivateKey, sign, verify, type KeyObject } from "node:crypto";

export const REST_PREFIX = "/trade-api/v2";
export const WS_PATH = "/trade-api/ws/v2";

export const HEADER_KEY = "KALSHI-ACCESS-KEY";
export const HEADER_TIMESTAMP = "KALSHI-ACCESS-TIMESTAMP";
export const HEADER_SIGNATURE = "KALSHI-ACCESS-SIGNATURE";

export type KalshiAuthHeaders = {
  [HEADER_KEY]: string;
  [HEADER_TIMESTAMP]: string;
  [HEADER_SIGNATURE]: string;
};

export class PrivateKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PrivateKeyError";
  }
}

/** Parses a PEM private key (PKCS#1 or PKCS#8). The error never echoes the key. */
export function loadPrivateKey(pem: string | Buffer): KeyObject {
  const text = pem.toString();
  if (/ENCRYPTED/.test(text)) {
    throw new PrivateKeyError("the private key is encrypted with a passphrase; export it without one");
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text)) {
    throw new PrivateKeyError(
      "not a PEM private key (expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)",
    );
  }
  try {
    const key = createPrivateKey({ key: text, format: "pem" });
    if (key.asymmetricKeyType !== "rsa") throw new PrivateKeyError("the private key is not an RSA key");
    return key;
  } catch (e) {
    if (e instanceof PrivateKeyError) throw e;
    throw new PrivateKeyError("the PEM private key could not be parsed (is the file complete?)");
  }
}

/** The pathname of a URL or path, without query string or fragment. */
export function signedPath(urlOrPath: string): string {
  return new URL(urlOrPath, "http://x.invalid").pathname;
}

export function signatureMessage(timestampMs: string, method: string, urlOrPath: string): string {
  return timestampMs + method.toUpperCase() + signedPath(urlOrPath);
}

export function signRequest(
  key: KeyObject,
  keyId: string,
  method: string,
  urlOrPath: string,
  nowMs: number = Date.now(),
): KalshiAuthHeaders {
  const ts = String(nowMs);
  const sig = sign("sha256", Buffer.from(signatureMessage(ts, method, urlOrPath)), {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });
  return { [HEADER_KEY]: keyId, [HEADER_TIMESTAMP]: ts, [HEADER_SIGNATURE]: sig.toString("base64") };
}

/**
 * Checks a signature the way Kalshi does (used by the sim). The second argument is either the
 * timestamp string or the request headers (any case), in which case the signature is read from
 * the headers unless given.
 */
export function verifyKalshiSignature(
  publicKey: KeyObject,
  timestampOrHeaders: string | Record<string, string | string[] | undefined>,
  method: string,
  urlOrPath: string,
  signatureB64?: string,
): boolean {
  let ts: string | undefined;
  let sig = signatureB64;
  if (typeof timestampOrHeaders === "string") {
    ts = timestampOrHeaders;
  } else {
    const h = (name: string): string | undefined => {
      for (const [k, v] of Object.entries(timestampOrHeaders)) {
        if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? v[0] : v;
      }
      return undefined;
    };
    ts = h(HEADER_TIMESTAMP);
    sig ??= h(HEADER_SIGNATURE);
  }
  if (!ts || !sig || !/^\d+$/.test(ts)) return false;
  try {
    return verify(
      "sha256",
      Buffer.from(signatureMessage(ts, method, urlOrPath)),
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      Buffer.from(sig, "base64"),
    );
  } catch {
    return false;
  }
}
