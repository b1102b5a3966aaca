/**
 * Signed callback data. Every button the bot makes carries `payload.mac`, where mac is a short
 * HMAC of the payload under a per-process secret. Data that does not verify (forged, corrupted, or
 * from before a restart) is treated as an expired button and does nothing.
 *
 * Telegram caps callback_data at 64 bytes; long values (some tickers) go through `ref()`, an
 * in-memory table of short keys.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const MAC_LEN = 8; // base64url chars (48 bits)
const MAX_PAYLOAD = 64 - 1 - MAC_LEN;

export class Buttons {
  private readonly key: Buffer;
  private readonly refs = new Map<string, string>();

  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, "utf8") : randomBytes(32);
  }

  private mac(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url").slice(0, MAC_LEN);
  }

  /** Callback data for a payload ("kind:arg:arg"). Throws if it would not fit in 64 bytes. */
  data(payload: string): string {
    if (Buffer.byteLength(payload) > MAX_PAYLOAD || payload.includes(".")) {
      throw new Error(`button payload too long or malformed: ${payload.length} bytes`);
    }
    return `${payload}.${this.mac(payload)}`;
  }

  /** The payload of genuine data, or null. */
  verify(data: string | undefined): string | null {
    if (!data) return null;
    const dot = data.lastIndexOf(".");
    if (dot <= 0) return null;
    const payload = data.slice(0, dot);
    const given = Buffer.from(data.slice(dot + 1));
    const want = Buffer.from(this.mac(payload));
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    return payload;
  }

  /** A short stand-in for a long value (kept in memory). Values without ":" and "." up to 40 bytes pass as is. */
  ref(value: string): string {
    if (Buffer.byteLength(value) <= 40 && !/[:.~]/.test(value)) return value;
    const k = "~" + createHash("sha256").update(value).digest("base64url").slice(0, 12).replace(/[.:]/g, "_");
    this.refs.set(k, value);
    return k;
  }

  deref(ref: string): string | null {
    if (!ref.startsWith("~")) return ref;
    return this.refs.get(ref) ?? null;
  }
}
