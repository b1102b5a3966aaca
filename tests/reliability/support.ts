/** Helpers shared by the reliability tests. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { ChatMessage, LocalBotApi } from "../../src/devtools/localBotApi.js";

/**
 * Fill alert messages (sent messages, not edits) per filled order, keyed by the order's size. The tests
 * give every order a distinct size, and each order fills at once, so one order = one alert message.
 */
export function alertCounts(messages: ChatMessage[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of messages) {
    const hit = /Filled: BUY (\d+) YES/.exec(m.text);
    if (!hit) continue;
    const n = Number(hit[1]);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

/** The base64 body of a PEM (no header lines), and its 64-character lines for partial leaks. */
function pemNeedles(pem: string): string[] {
  const lines = pem
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("-----"));
  return [lines.join(""), ...lines.filter((l) => l.length >= 40)];
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    const s = await stat(p);
    if (s.isDirectory()) await walk(p, out);
    else out.push(p);
  }
}

export interface SecretScan {
  files: number;
  gz: number;
  messages: number;
  hits: string[];
}

/** Scans every file under `dirs` (gunzipping .gz) and every Bot API call the LocalBotApi recorded. */
export async function scanForSecrets(opts: {
  dirs: string[];
  api: LocalBotApi;
  secrets: Record<string, string>;
  skip?: (file: string) => boolean;
}): Promise<SecretScan> {
  const needles: [string, string][] = [];
  for (const [name, value] of Object.entries(opts.secrets)) {
    if (!value) throw new Error(`secret ${name} is empty: the scan would prove nothing`);
    if (value.includes("PRIVATE KEY")) for (const n of pemNeedles(value)) needles.push([name, n]);
    else needles.push([name, value]);
  }
  const hits: string[] = [];
  const files: string[] = [];
  for (const d of opts.dirs) await walk(d, files);
  let scanned = 0;
  let gz = 0;
  for (const f of files) {
    if (opts.skip?.(f)) continue;
    let buf = await readFile(f);
    if (f.endsWith(".gz")) {
      buf = gunzipSync(buf);
      gz++;
    }
    scanned++;
    const text = buf.toString("utf8");
    for (const [name, n] of needles) if (text.includes(n)) hits.push(`${name} in ${f}`);
  }
  for (const c of opts.api.calls) {
    const text = JSON.stringify(c.params);
    for (const [name, n] of needles) if (text.includes(n)) hits.push(`${name} in Telegram ${c.method}`);
  }
  for (const chatId of chatIdsOf(opts.api)) {
    for (const m of opts.api.messages(chatId)) {
      const text = m.raw + (m.document ? m.document.bytes.toString("utf8") : "");
      for (const [name, n] of needles)
        if (text.includes(n)) hits.push(`${name} in chat message ${m.messageId}`);
    }
  }
  return { files: scanned, gz, messages: opts.api.calls.length, hits: [...new Set(hits)] };
}

function chatIdsOf(api: LocalBotApi): number[] {
  const ids = new Set<number>();
  for (const c of api.calls) {
    const id = Number(c.params.chat_id);
    if (Number.isFinite(id)) ids.add(id);
  }
  return [...ids];
}
