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

/** The PEM header lines a Kalshi private key file starts with (PKCS#1, PKCS#8). */
const PRIVATE_KEY_HEADERS = ["RSA PRIVATE KEY", "PRIVATE KEY"].map((label) => `-----BEGIN ${label}-----`);

export class PrivateKeyError extends Error {
  /** What is wrong, as the end of a sentence about the key file: "is encrypted with a passphrase; …". */
  readonly problem: string;
  constructor(problem: string) {
    super(`the key file ${problem}`);
    this.name = "PrivateKeyError";
    this.problem = problem;
  }
}

/**
 * Parses a PEM private key (PKCS#1 or PKCS#8, RSA). The one parser for keys: the configuration
 * reports its PrivateKeyError `problem` under the key file's name. The error never echoes the key.
 */
export function loadPrivateKey(pem: string | Buffer): KeyObject {
  const text = pem.toString();
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw new PrivateKeyError(
      "is encrypted with a passphrase; export the key without one (for example: openssl rsa -in encrypted.pem -out kalshi.pem)",
    );
  }
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    if (/-----BEGIN [A-Z0-9 ]*PUBLIC KEY-----/.test(text)) {
      throw new PrivateKeyError(
        "holds a public key; point it at the private key file Kalshi let you download when you created the key",
      );
    }
    throw new PrivateKeyError(`is not a PEM private key (expected ${PRIVATE_KEY_HEADERS.join(" or ")})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_MISSING_PASSPHRASE") {
      throw new PrivateKeyError("is encrypted with a passphrase; export the key without one");
    }
    throw new PrivateKeyError(
      "could not be parsed as a private key (is the file complete? download it again if unsure)",
    );
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new PrivateKeyError(
      `holds a ${key.asymmetricKeyType ?? "non-RSA"} key; Kalshi API keys are RSA keys`,
    );
  }
  return key;
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
