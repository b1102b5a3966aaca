/**
 * How a market is named to people. The strikes of one event share the event's question ("Bitcoin on
 * Dec 4 at 17:00 EST?") and only Kalshi's `yes_sub_title` ("$95,000 or above") tells them apart, so
 * every place that names a market (portfolio, /sell buttons, alerts, quotes, the CSV's market_title)
 * uses this one function. The strike order and the symbol forms for buttons live here too.
 */

export interface Nameable {
  title: string;
  yesSubTitle: string;
  ticker?: string;
}

/** "Bitcoin on Dec 4 at 17:00 EST — $95,000 or above" (the question's "?" dropped before the dash). */
export function marketName(m: Nameable): string {
  const title = m.title.trim();
  const sub = m.yesSubTitle.trim();
  if (!title) return sub || m.ticker || "";
  if (!sub || title.toLowerCase().includes(sub.toLowerCase())) return title;
  return `${title.replace(/\?+$/, "")} — ${sub}`;
}

const SYMBOLS: [RegExp, string][] = [
  [/^(.+?)\s+or\s+(?:above|more|higher|over)$/i, "≥ $1"],
  [/^(.+?)\s+or\s+(?:below|less|lower|under)$/i, "≤ $1"],
  [/^(?:above|over|more than|greater than)\s+(.+)$/i, "> $1"],
  [/^(?:below|under|less than)\s+(.+)$/i, "< $1"],
];

/** The sub-title as a button shows it: "$95,000 or above" → "≥ $95,000"; other wording unchanged. */
export function shortStrike(sub: string): string {
  const s = sub.trim();
  for (const [re, out] of SYMBOLS) if (re.test(s)) return s.replace(re, out);
  return s;
}

export interface Strikeable {
  yesSubTitle: string;
  floorStrike?: number | null;
  capStrike?: number | null;
}

/** The strike's number: Kalshi's floor (else cap) strike, else the first number of the sub-title. */
function strikeValue(m: Strikeable): number | null {
  if (typeof m.floorStrike === "number") return m.floorStrike;
  if (typeof m.capStrike === "number") return m.capStrike - 1e-9; // "below X" sorts before "X or above"
  const n = /-?\d[\d,]*(?:\.\d+)?/.exec(m.yesSubTitle);
  if (!n) return null;
  const v = Number(n[0].replace(/,/g, ""));
  return Number.isFinite(v) ? v : null;
}

/**
 * Comparator for the strikes of one event: lowest strike first; markets without a number keep their
 * place among themselves and come after numbered ones. Array.prototype.sort is stable, so equal
 * strikes keep the exchange's order.
 */
export function strikeOrder(a: Strikeable, b: Strikeable): number {
  const x = strikeValue(a);
  const y = strikeValue(b);
  if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
  return x - y;
}
