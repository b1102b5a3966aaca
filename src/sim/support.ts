/** Small pieces of the sim server: key pair, token buckets, atomic JSON files. */
import { generateKeyPairSync, randomUUID, createPublicKey, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../shared/atomicFile.js";

// ---------------------------------------------------------------- keys

export interface SimKeys {
  keyId: string;
  privateKeyPem: string;
  publicKey: KeyObject;
  privateKeyPath?: string;
}

export const PRIVATE_KEY_FILE = "sim-private-key.pem";
export const KEY_ID_FILE = "sim-key-id.txt";

let cachedPair: { privateKeyPem: string; publicKeyPem: string } | null = null;

function generatePair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * The key the sim accepts. A given public key wins; else a pair kept in `keyDir` (created once,
 * mode 0600); else an in-memory pair (shared within the process, so tests start fast).
 */
export function loadOrCreateKeys(opts: { publicKeyPem?: string; keyId?: string; keyDir?: string }): SimKeys {
  if (opts.publicKeyPem) {
    return {
      keyId: opts.keyId ?? randomUUID(),
      privateKeyPem: "",
      publicKey: createPublicKey(opts.publicKeyPem),
    };
  }
  if (opts.keyDir) {
    mkdirSync(opts.keyDir, { recursive: true, mode: 0o700 });
    const keyPath = join(opts.keyDir, PRIVATE_KEY_FILE);
    const idPath = join(opts.keyDir, KEY_ID_FILE);
    if (!existsSync(keyPath) || !existsSync(idPath)) {
      const pair = generatePair();
      writeFileAtomic(keyPath, pair.privateKeyPem, 0o600);
      writeFileAtomic(idPath, (opts.keyId ?? randomUUID()) + "\n", 0o600);
    }
    chmodSync(keyPath, 0o600);
    const privateKeyPem = readFileSync(keyPath, "utf8");
    return {
      keyId: readFileSync(idPath, "utf8").trim(),
      privateKeyPem,
      publicKey: createPublicKey(privateKeyPem),
      privateKeyPath: keyPath,
    };
  }
  cachedPair ??= generatePair();
  return {
    keyId: opts.keyId ?? randomUUID(),
    privateKeyPem: cachedPair.privateKeyPem,
    publicKey: createPublicKey(cachedPair.publicKeyPem),
  };
}

// ---------------------------------------------------------------- files

/** The sim's name for the one atomic write (tmp file + fsync + rename); server.ts imports it from here. */

// ---------------------------------------------------------------- rate limit

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly refillPerSecond: number,
    readonly capacity: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = clock();
  }

  take(cost: number): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}
