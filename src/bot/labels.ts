/**
 * Button labels. Telegram cuts a long label at the button's edge (on a phone about 36 characters
 * for a full-width button), often mid-word and before the part that tells two buttons apart. So a
 * label is built from parts, the distinguishing part first ("≥ $95,000 · 61¢"), and shortened here
 * at word boundaries: the longest part loses words first, and a part with no room is dropped.
 */
import { type Micros, MICROS_PER_CENT } from "../domain/money.js";

/** About what a phone shows on one full-width inline button. */
export const BUTTON_LABEL_MAX = 36;
/** About what a phone shows on each of two buttons in a row. */
export const HALF_BUTTON_LABEL_MAX = 16;

const SEP = " · ";
const ELLIPSIS = "…";

/** The words of `text` that fit in `room` characters with "…", or null when not even one fits. */
function wordsThatFit(text: string, room: number): string | null {
  const words = text.split(/\s+/).filter(Boolean);
  let out = "";
  for (const w of words) {
    const next = out ? `${out} ${w}` : w;
    if (next.length + ELLIPSIS.length > room) break;
    out = next;
  }
  return out ? out.replace(/[\s,;:·—–-]+$/, "") + ELLIPSIS : null;
}

/** Parts joined by `sep` in at most `max` characters, never cutting a word (see the file comment). */
export function buttonLabel(parts: string[], max = BUTTON_LABEL_MAX, sep = SEP): string {
  const list = parts.map((p) => p.trim().replace(/\s+/g, " ")).filter(Boolean);
  const length = () => list.join(sep).length;
  while (length() > max && list.length > 0) {
    let i = 0;
    for (let k = 1; k < list.length; k++) if (list[k]!.length >= list[i]!.length) i = k;
    const room = list[i]!.length - (length() - max);
    const short = wordsThatFit(list[i]!, room);
    if (short !== null && short.length < list[i]!.length) list[i] = short;
    else if (list.length > 1) list.splice(i, 1);
    // One word longer than the whole button: nothing to break it at, so Telegram's own cut shows it.
    else return list[0]!;
  }
  return list.join(sep);
}

/** A price as buttons show it: "61¢", "61.5¢", "–" when there is none. */
export function centsLabel(p: Micros | null): string {
  if (p === null) return "–";
  const cents = p / MICROS_PER_CENT;
  return `${Number.isInteger(cents) ? cents : Number(cents.toFixed(2))}¢`;
}
