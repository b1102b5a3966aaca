/**
 * Everything a chat message looks like: HTML escaping, the environment tag every message starts
 * with, money/time display and paging of long texts. Messages use Telegram's HTML parse mode;
 * tags never span lines, so pages can be cut on line boundaries.
 */
import {
  type Centis,
  type Micros,
  displayAvgPrice,
  displayCount,
  displayFee,
  displayPrice,
  displayUsd,
} from "../domain/money.js";
import { formatShort } from "../domain/time.js";
import type { EnvTag } from "../domain/environment.js";

export const TELEGRAM_TEXT_LIMIT = 4096;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The first line of every message: which money this is about. */
export function envBadge(env: EnvTag): string {
  switch (env) {
    case "LIVE":
      return "🔴 LIVE";
    case "DEMO":
      return "🧪 DEMO";
    case "SIM":
      return "🧪 SIM";
  }
}

export function envHeader(env: EnvTag, page?: { n: number; of: number }): string {
  const p = page && page.of > 1 ? ` · page ${page.n}/${page.of}` : "";
  return `<b>${envBadge(env)}</b>${p}`;
}

/** Prefixes the environment tag line. */
export function tagged(env: EnvTag, html: string): string {
  return `${envHeader(env)}\n${html}`;
}

export const b = (s: string) => `<b>${escapeHtml(s)}</b>`;
export const code = (s: string) => `<code>${escapeHtml(s)}</code>`;
export const usd = (m: Micros, opts?: { sign?: boolean }) => escapeHtml(displayUsd(m, opts));
/** An amount as reported: exact when it has sub-cent digits ("$0.1234"), else cents ("$6.20"). */
export const exact = (m: Micros) => escapeHtml(displayUsd(m, { exact: true }));
/** A fee, the same precision everywhere (domain/money.ts displayFee): "$0.17", "$0.036". */
export const fee = (m: Micros) => escapeHtml(displayFee(m));
/** An average price, the same precision everywhere (displayAvgPrice): "$0.12", "$0.634", "$0.1176". */
export const avgPrice = (m: Micros | null) => (m === null ? "–" : escapeHtml(displayAvgPrice(m)));
export const price = (m: Micros | null) => (m === null ? "–" : escapeHtml(displayPrice(m)));
export const count = (c: Centis) => escapeHtml(displayCount(c));
export const when = (ms: number | null, timeZone: string) => (ms === null ? "–" : formatShort(ms, timeZone));

/** Plural helper: "1 contract", "10 contracts". */
export function contractsText(c: Centis): string {
  return `${displayCount(c)} ${c === 100 ? "contract" : "contracts"}`;
}

/** Strips tags and decodes the entities we produce; for logs and the terminal chat. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, "&");
}

/** Cuts a too-long line at a point that is not inside a tag or an entity. */
function cutLine(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let at = max;
    const lastLt = rest.lastIndexOf("<", at);
    const lastGt = rest.lastIndexOf(">", at);
    if (lastLt > lastGt) at = lastLt;
    const lastAmp = rest.lastIndexOf("&", at);
    const lastSemi = rest.lastIndexOf(";", at);
    if (lastAmp > lastSemi && at - lastAmp < 10) at = lastAmp;
    const space = rest.lastIndexOf(" ", at);
    if (space > max / 2) at = space + 1;
    if (at <= 0) at = max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  out.push(rest);
  return out;
}

/**
 * Splits an HTML body into pages of at most `limit` characters each (header included), on line
 * boundaries, and puts the environment header on each page.
 */
export function pages(env: EnvTag, body: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  // Reserve room for the longest header (" · page 99/99").
  const room = limit - envHeader(env, { n: 99, of: 99 }).length - 1;
  const chunks: string[] = [];
  let cur = "";
  for (const raw of body.split("\n")) {
    for (const line of raw.length > room ? cutLine(raw, room) : [raw]) {
      if (cur.length === 0) cur = line;
      else if (cur.length + 1 + line.length <= room) cur += "\n" + line;
      else {
        chunks.push(cur);
        cur = line;
      }
    }
  }
  chunks.push(cur);
  const nonEmpty = chunks.filter((c, i) => c.trim().length > 0 || i === 0);
  return nonEmpty.map((c, i) => `${envHeader(env, { n: i + 1, of: nonEmpty.length })}\n${c}`);
}

/** The subset of Telegram's MessageEntity that formatting needs. */
export interface TextEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

function openTag(e: TextEntity): string | null {
  switch (e.type) {
    case "bold":
      return "<b>";
    case "italic":
      return "<i>";
    case "underline":
      return "<u>";
    case "strikethrough":
      return "<s>";
    case "spoiler":
      return "<tg-spoiler>";
    case "code":
      return "<code>";
    case "pre":
      return "<pre>";
    case "blockquote":
      return "<blockquote>";
    case "text_link":
      return e.url ? `<a href="${escapeHtml(e.url).replace(/"/g, "&quot;")}">` : null;
    default:
      return null; // mentions, URLs, commands…: Telegram finds these again in plain text
  }
}

const closeTag = (open: string) => `</${/^<([a-z-]+)/.exec(open)![1]}>`;

/**
 * Telegram HTML for a message's text and entities (offsets in UTF-16 units, as JS strings count).
 * Partly overlapping entities are closed and reopened so the tags nest.
 */
export function entitiesToHtml(text: string, entities: readonly TextEntity[] = []): string {
  const list = entities
    .map((e) => ({ e, tag: openTag(e), end: e.offset + e.length }))
    .filter((x): x is { e: TextEntity; tag: string; end: number } => x.tag !== null && x.e.length > 0)
    .sort((a, b) => a.e.offset - b.e.offset || b.end - a.end);
  const stack: { tag: string; end: number }[] = [];
  let out = "";
  let next = 0;
  const closeUntil = (pos: number) => {
    // Close everything ending at or before pos; reopen inner ones that go on.
    for (;;) {
      const i = stack.findIndex((s) => s.end <= pos);
      if (i < 0) return;
      const reopen = stack.splice(i + 1);
      for (let k = reopen.length - 1; k >= 0; k--) out += closeTag(reopen[k]!.tag);
      out += closeTag(stack.pop()!.tag);
      for (const r of reopen) {
        if (r.end > pos) {
          out += r.tag;
          stack.push(r);
        }
      }
    }
  };
  for (let pos = 0; pos <= text.length; pos++) {
    closeUntil(pos);
    while (next < list.length && list[next]!.e.offset === pos) {
      const x = list[next++]!;
      out += x.tag;
      stack.push({ tag: x.tag, end: x.end });
    }
    if (pos < text.length) out += escapeHtml(text[pos]!);
  }
  closeUntil(Number.MAX_SAFE_INTEGER);
  return out;
}
