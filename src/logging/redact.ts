/**
 * Scrubs secrets out of anything that may be logged or shown: PEM private keys, Telegram bot tokens
 * (also inside `bot<token>/` URLs), Kalshi auth header values and any explicitly listed secret
 * string (API key id, bot token). Pure: returns a redacted copy and never mutates its input.
 */
import { KeyObject } from "node:crypto";

export const REDACTED = "[REDACTED]";

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g;
/** A PEM that was cut off before its END line: drop the header and everything base64-ish after it. */
const PEM_DANGLING =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?=(?:\s|\\[nr])*(?:Proc-Type|[A-Za-z0-9+/=]{16}))[A-Za-z0-9+/=\s\\:,-]*/g;
const BOT_URL = /bot\d+:[A-Za-z0-9_-]+/g;
const BOT_TOKEN_SHAPE = /(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{30,}/g;
const AUTH_HEADER_VALUE =
  /((?:KALSHI-ACCESS-(?:KEY|SIGNATURE)|Authorization)["']?\s*[:=]\s*["']?)(?:Bearer\s+)?[^"'\s,;}]+/gi;

/** Property names whose values are always secret, whatever they contain. */
const SECRET_KEYS =
  /^(kalshi-access-(key|signature)|authorization|x-api-key|private_?key(_?pem)?|pem|bot_?token|token|api_?secret|api_?key|key_?id|secret|passphrase|password)$/i;

const MIN_SECRET_LENGTH = 4;
const MAX_DEPTH = 12;

function secretVariants(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) continue;
    out.add(s);
    const enc = encodeURIComponent(s);
    if (enc !== s) out.add(enc);
    const json = JSON.stringify(s).slice(1, -1);
    if (json !== s) out.add(json);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

function scrub(s: string, variants: readonly string[]): string {
  let r = s;
  for (const v of variants) if (r.includes(v)) r = r.split(v).join(REDACTED);
  if (r.includes("PRIVATE KEY-----")) r = r.replace(PEM_BLOCK, REDACTED).replace(PEM_DANGLING, REDACTED);
  if (r.includes(":")) {
    r = r.replace(BOT_URL, `bot${REDACTED}`).replace(BOT_TOKEN_SHAPE, REDACTED);
  }
  if (/kalshi-access-|authorization/i.test(r)) r = r.replace(AUTH_HEADER_VALUE, `$1${REDACTED}`);
  return r;
}

/** Redacts one string. */
export function redactString(s: string, secrets: readonly string[] = []): string {
  return scrub(s, secretVariants(secrets));
}

/** True for property names whose values are always replaced (headers, tokens, keys). */
export function isSecretKey(name: string): boolean {
  return SECRET_KEYS.test(name);
}

/**
 * Returns a redacted deep copy of `value`. Strings are scrubbed; arrays and objects are copied with
 * every value redacted (values under secret-looking property names are replaced whole); Errors become
 * plain objects `{ name, message, stack, ...props }` so they serialize to JSON; KeyObjects become
 * "[REDACTED]"; cycles become "[Circular]".
 */
export function redact(value: string, secrets?: readonly string[]): string;
export function redact(value: unknown, secrets?: readonly string[]): unknown;
export function redact(value: unknown, secrets: readonly string[] = []): unknown {
  return new Redactor(secretVariants(secrets)).value(value, 0);
}

/** Redacts a value in place of a property named `key` (used for top-level log fields). */
export function redactProperty(key: string, value: unknown, secrets: readonly string[] = []): unknown {
  return new Redactor(secretVariants(secrets)).prop(key, value, 0);
}

export class Redactor {
  private readonly seen = new WeakSet<object>();
  constructor(private readonly variants: readonly string[]) {}

  static for(secrets: readonly string[]): Redactor {
    return new Redactor(secretVariants(secrets));
  }

  string(s: string): string {
    return scrub(s, this.variants);
  }

  prop(key: string, v: unknown, depth: number): unknown {
    if (v !== null && v !== undefined && v !== "" && SECRET_KEYS.test(key)) return REDACTED;
    return this.value(v, depth);
  }

  value(v: unknown, depth: number): unknown {
    if (typeof v === "string") return scrub(v, this.variants);
    if (v === null || typeof v !== "object") return v;
    if (v instanceof KeyObject) return REDACTED;
    if (depth >= MAX_DEPTH) return "[Truncated]";
    if (this.seen.has(v)) return "[Circular]";
    this.seen.add(v);
    try {
      return this.object(v, depth + 1);
    } finally {
      this.seen.delete(v);
    }
  }

  private entries(src: Iterable<[string, unknown]>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, val] of src) out[this.string(k)] = this.prop(k, val, depth);
    return out;
  }

  private object(v: object, depth: number): unknown {
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth));
    if (v instanceof Error) {
      const e = v as Error & { toJSON?: () => unknown; cause?: unknown };
      const base: Record<string, unknown> = { name: e.name, message: e.message };
      let extra: unknown = undefined;
      if (typeof e.toJSON === "function") {
        try {
          extra = e.toJSON();
        } catch {
          extra = undefined;
        }
      }
      const props =
        extra && typeof extra === "object" ? Object.entries(extra) : Object.entries(e as unknown as object);
      for (const [k, val] of props) if (!(k in base)) base[k] = val;
      if (e.stack) base.stack = e.stack;
      if (e.cause !== undefined) base.cause = e.cause;
      return this.entries(Object.entries(base), depth);
    }
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[binary ${v.byteLength} bytes]`;
    if (v instanceof Map)
      return this.entries(
        [...v.entries()].map(([k, x]) => [String(k), x]),
        depth,
      );
    if (v instanceof Set) return [...v].map((x) => this.value(x, depth));
    if (v instanceof URL) return this.string(v.toString());
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const j = (v as { toJSON?: () => unknown }).toJSON;
      if (typeof j === "function") {
        try {
          return this.value(j.call(v), depth);
        } catch {
          return "[Unserializable]";
        }
      }
    }
    return this.entries(Object.entries(v), depth);
  }
}
