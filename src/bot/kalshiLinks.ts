/**
 * Links in and out, as pure functions so every shape is unit-tested: a kalshi.com page a trader
 * pastes read into the tickers it names, and the bot's own deep link for a market
 * (`t.me/<bot>?start=m_<ticker>`). Looking the tickers up is the link feature's job.
 *
 * kalshi.com page shapes (the site's own links and those others build):
 *   /markets/<series>/<slug>/<event or market ticker>  the site's market pages (the slug is for
 *                                                      search engines only; the site ignores it)
 *   /markets/<series>/<slug>, /markets/<series>        a series page
 *   /markets/<ticker>, /events/<ticker>, /events/<series>/<ticker>   older and third-party links
 * Tickers appear lower case there; the query string (?utm_source=…) and a trailing slash are noise.
 */
import { parseTicker } from "./parse.js";

/** What a pasted kalshi.com link names: a market or event ticker, and the series it is under. */
export type KalshiLink =
  { kind: "page"; ticker: string | null; series: string | null } | { kind: "other"; message: string };

const HOSTS = /^(?:www\.)?(?:kalshi\.com|demo\.kalshi\.co)$/i;
/** A kalshi.com address in a message, with or without scheme and "www.". */
const LINK =
  /(?<![\w.-])(?:https?:\/\/)?(?:www\.)?(?:kalshi\.com|demo\.kalshi\.co)(?:[/?#][^\s<>"]*)?(?![\w.-])/i;

const NOT_A_MARKET =
  "That kalshi.com link is not a market's page. Paste the link of a market or event page, or send /search <words>.";

const ticker = (segment: string | undefined): string | null => {
  if (segment === undefined) return null;
  const t = parseTicker(segment);
  return t.ok ? t.value : null;
};

/** The path's segments, decoded, without empty ones (a trailing or doubled slash). */
function segments(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/** The first kalshi.com link in `text`, read; null when the text holds none (then it is no link). */
export function findKalshiLink(text: string): KalshiLink | null {
  const m = LINK.exec(text);
  if (!m) return null;
  // A sentence's closing punctuation is not part of the link ("…/kxhighny-26nov25).").
  const raw = m[0].replace(/[).,!?;:'’]+$/, "");
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return { kind: "other", message: NOT_A_MARKET };
  }
  if (!HOSTS.test(url.hostname)) return null;
  const [kind, ...rest] = segments(url.pathname);
  const section = kind?.toLowerCase();
  if (section === "markets" || section === "market") {
    if (rest.length === 0)
      return {
        kind: "other",
        message: "That is Kalshi's list of all markets; paste the link of one market.",
      };
    if (rest.length === 1) {
      // One segment: a market or event ticker, or a series (tickers of a series have no dash).
      const t = ticker(rest[0]);
      if (!t) return { kind: "other", message: NOT_A_MARKET };
      return { kind: "page", ticker: t, series: t.includes("-") ? null : t };
    }
    // <series>/<slug>/<ticker>; some links leave the slug out: <series>/<ticker of that series>.
    const series = ticker(rest[0]);
    const second = ticker(rest[1]);
    const named = rest.length === 2 && series && second?.startsWith(`${series}-`) ? second : ticker(rest[2]);
    const page = { kind: "page" as const, ticker: named, series };
    return page.ticker || page.series ? page : { kind: "other", message: NOT_A_MARKET };
  }
  if (section === "events" || section === "event") {
    const t = ticker(rest[rest.length - 1]);
    if (!t) return { kind: "other", message: NOT_A_MARKET };
    return { kind: "page", ticker: t, series: rest.length > 1 ? ticker(rest[0]) : null };
  }
  return { kind: "other", message: NOT_A_MARKET };
}

/** The deep-link payload prefix of a market (`/start m_<ticker>`). */
export const MARKET_START = "m_";
/** Telegram's limit on a start parameter (A-Z a-z 0-9 _ - only). */
export const START_PARAM_MAX = 64;

/**
 * A ticker as a start parameter: A-Z 0-9 and "-" as they are; any other character ("." and "_"
 * occur in tickers) as "_" and its two hex digits. Null when it would not fit in 64 characters.
 */
export function startParam(tickerText: string): string | null {
  let out = MARKET_START;
  for (const ch of tickerText.toUpperCase()) {
    if (/[A-Z0-9-]/.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0)!;
      if (code > 0xff) return null;
      out += "_" + code.toString(16).padStart(2, "0");
    }
  }
  return out.length <= START_PARAM_MAX ? out : null;
}

/** The ticker a start parameter names, or null when it is no market link (another payload, bad escapes). */
export function tickerOfStartParam(param: string): string | null {
  if (!param.startsWith(MARKET_START)) return null;
  const body = param.slice(MARKET_START.length);
  if (!/^(?:[A-Za-z0-9-]|_[0-9a-fA-F]{2})+$/.test(body)) return null;
  const decoded = body.replace(/_([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return ticker(decoded);
}

/** The t.me link that opens this market's card in the bot; null when the ticker cannot be encoded. */
export function marketDeepLink(botUsername: string, tickerText: string): string | null {
  const p = startParam(tickerText);
  return p ? `https://t.me/${botUsername}?start=${p}` : null;
}
