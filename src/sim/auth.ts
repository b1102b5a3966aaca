/**
 * How the sim checks Kalshi's request signatures (API.md §2): RSA-PSS, SHA-256, MGF1 SHA-256,
 * salt length = digest length (32 bytes), over `timestamp + METHOD + path`. Written here with
 * node:crypto on purpose, not borrowed from the client's signer: the sim is the independent party
 * the client's signing is checked against (tests/sim/auth.test.ts pins both to a fixed vector).
 */
import { constants, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SimError } from "./engine.js";
import type { SimKeys } from "./support.js";

export const HEADER_KEY = "KALSHI-ACCESS-KEY";
export const HEADER_TIMESTAMP = "KALSHI-ACCESS-TIMESTAMP";
export const HEADER_SIGNATURE = "KALSHI-ACCESS-SIGNATURE";

/** SHA-256's digest length: Kalshi's PSS salt length. */
const PSS_SALT_LENGTH = 32;

/**
 * True when `signatureB64` is a valid signature of `timestamp + method + path` under `publicKey`.
 * `path` is the request's pathname with the API prefix and without the query string.
 */
export function verifyKalshiPss(
  publicKey: KeyObject,
  timestamp: string,
  method: string,
  path: string,
  signatureB64: string,
): boolean {
  try {
    return verify(
      "sha256",
      Buffer.from(timestamp + method + path),
      { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH },
      Buffer.from(signatureB64, "base64"),
    );
  } catch {
    return false;
  }
}

/** Throws Kalshi's 401 unless the request carries a fresh signature of the sim's key. */
export type Authenticate = (req: IncomingMessage, method: string, path: string) => void;

const authError = (details: string): SimError =>
  new SimError(401, "authentication_error", "authentication_error", details);

const header = (req: IncomingMessage, name: string): string | string[] | undefined =>
  req.headers[name.toLowerCase()];

/**
 * The sim's wall clock: this machine's, moved by `offsetMs`, so a test can make the client's clock
 * look wrong. It judges KALSHI-ACCESS-TIMESTAMP and is what every answer's `Date` header says.
 */
export interface WallClock {
  offsetMs: number;
}

export const wallNow = (c: WallClock): number => Date.now() + c.offsetMs;

/** Kalshi's checks in Kalshi's order: headers present, key known, timestamp fresh, signature valid. */
export function createAuthenticator(
  keys: SimKeys,
  maxSkewMs: number,
  clock: WallClock = { offsetMs: 0 },
): Authenticate {
  return (req, method, path) => {
    const key = header(req, HEADER_KEY);
    const ts = header(req, HEADER_TIMESTAMP);
    const sig = header(req, HEADER_SIGNATURE);
    if (typeof key !== "string" || typeof ts !== "string" || typeof sig !== "string" || !key || !ts || !sig) {
      throw authError("missing KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP or KALSHI-ACCESS-SIGNATURE header");
    }
    if (key !== keys.keyId) throw authError("rpc error: code = Unauthenticated desc = API_KEY_NOT_FOUND");
    if (!/^\d{10,16}$/.test(ts) || Math.abs(wallNow(clock) - Number(ts)) > maxSkewMs) {
      throw authError("rpc error: code = Unauthenticated desc = TIMESTAMP_OUT_OF_RANGE");
    }
    if (!verifyKalshiPss(keys.publicKey, ts, method.toUpperCase(), path, sig)) {
      throw authError("rpc error: code = Unauthenticated desc = INCORRECT_API_KEY_SIGNATURE");
    }
  };
}
