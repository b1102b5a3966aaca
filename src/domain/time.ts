/** Time helpers that depend only on Intl: ISO 8601 with the offset of a display time zone. */

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

/** "Nov 24, 08:15" in the zone, for chat messages. */
export function formatShort(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(ms));
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
