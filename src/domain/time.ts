/**
 * Time helpers that depend only on Intl: ISO 8601 with the offset of a display time zone, and the
 * short forms chat messages use (always with the zone's name, or relative).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock parts of an instant in a zone. */
export function zonedParts(ms: number, timeZone: string) {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Offset of the zone from UTC at that instant, in minutes (e.g. -300 for New York in winter). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  return Math.round((asUtc - wholeSecond) / 60_000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** "2026-11-24T08:15:00.000-05:00" */
export function formatInZone(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  const off = zoneOffsetMinutes(ms, timeZone);
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  const msPart = pad(((ms % 1000) + 1000) % 1000, 3);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${msPart}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const shortFormatters = new Map<string, Intl.DateTimeFormat>();

function shortFormatter(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${withDate ? "d" : "t"}|${timeZone}`;
  let f = shortFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      ...(withDate ? { month: "short", day: "numeric" } : {}),
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    shortFormatters.set(key, f);
  }
  return f;
}

/**
 * "Nov 24, 08:15 EST" in the zone, for chat messages. The zone's name is always there: a trader
 * reads Kalshi's US close times, and "17:00" alone could be anyone's 17:00.
 */
export function formatShort(ms: number, timeZone: string): string {
  return shortFormatter(timeZone, true).format(new Date(ms));
}

/** "17:00 EST": the clock time and zone only. */
export function formatClock(ms: number, timeZone: string): string {
  return shortFormatter(timeZone, false).format(new Date(ms));
}

const HOUR_MS = 3_600_000;

/**
 * A market's close for chat: relative when it is within a day ("closes in 3 h, 17:00 EST",
 * "closes in 25 min, 17:00 EST"), else the date ("closes Dec 4, 17:00 EST"); "closed …" once past.
 */
export function closeTimeText(closeMs: number, now: number, timeZone: string): string {
  const left = closeMs - now;
  if (left <= 0) return `closed ${formatShort(closeMs, timeZone)}`;
  if (left >= 24 * HOUR_MS) return `closes ${formatShort(closeMs, timeZone)}`;
  const rel =
    left < HOUR_MS ? `${Math.max(1, Math.round(left / 60_000))} min` : `${Math.round(left / HOUR_MS)} h`;
  const sameDay = zonedParts(closeMs, timeZone).day === zonedParts(now, timeZone).day;
  return `closes in ${rel}, ${sameDay ? formatClock(closeMs, timeZone) : formatShort(closeMs, timeZone)}`;
}

/** Epoch ms of local midnight starting the day that contains `ms` in the zone. */
export function startOfDayInZone(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const guess = Date.UTC(p.year, p.month - 1, p.day);
  // Correct by the zone's offset at that moment (twice, for DST edges).
  let t = guess - zoneOffsetMinutes(guess, timeZone) * 60_000;
  t = guess - zoneOffsetMinutes(t, timeZone) * 60_000;
  return t;
}
