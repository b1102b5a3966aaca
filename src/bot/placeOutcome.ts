/**
 * The text a quote card ends with after Confirm: one rendering of each PlaceOutcome the trading use
 * case returns. The bot decides nothing about whether an order was placed; it says what the outcome
 * says, in sentences a phone user can act on (what to check before placing again).
 */
import { displayCount } from "../domain/money.js";
import type { PlaceOutcome, Quote } from "../trading/types.js";
import { escapeHtml } from "./format.js";
import { placedCard } from "./views.js";

/** Said when placing failed in a way that leaves open whether the exchange took the order. */
export const UNKNOWN_OUTCOME = "I couldn't confirm whether the order was placed.";
/** After an unknown outcome the market's resting orders were read once; these follow the cause sentence. */
const NOT_RESTING_HINT =
  "I checked: it is not among your resting orders right now, but it may have filled or may still show up. Check /portfolio and /orders in a minute before placing it again.";
const CHECK_FAILED_HINT =
  "I couldn't check your orders just now. Check /portfolio and /orders in a minute before placing it again.";
const TAKEN = "Kalshi did take the order:";

/** How failures are put into words: a refusal (a UserError's own sentence or the exchange's), an open outcome. */
export interface Describers {
  refusal: (cause: unknown) => string;
  unknown: (cause: unknown) => string;
}

/** The card's final HTML, the order id when one is known, and whether the outcome is still open. */
export interface OutcomeCard {
  html: string;
  orderId?: string;
  outcomeUnknown: boolean;
  /** A placed order that filled (some or all): its card offers Again. */
  filled?: boolean;
}

/** Why a quote was replaced by a fresh one (nothing was placed). */
export function requoteSentence(reason: "expired" | "price_moved"): string {
  return reason === "expired"
    ? "This quote expired; nothing was placed. Here is a fresh one."
    : "The price moved; nothing was placed. Here is a fresh quote.";
}

/** A sentence that says the exchange did not act. */
const SAYS_NOTHING_PLACED = /nothing was (placed|changed)|did not accept|not placed/i;

/** Appends "Nothing was placed." unless the sentence already says so. */
export function withNothingPlaced(s: string): string {
  return SAYS_NOTHING_PLACED.test(s) ? s : `${s} Nothing was placed.`;
}

/** The cause of an open outcome; never a sentence claiming nothing was placed (e.g. of a failed read). */
function openCause(s: string): string {
  return SAYS_NOTHING_PLACED.test(s) ? UNKNOWN_OUTCOME : s;
}

/** The card for a placed, rejected or unknown outcome (a requote shows a fresh card instead). */
export function outcomeCard(
  q: Quote,
  out: Exclude<PlaceOutcome, { kind: "requote" }>,
  say: Describers,
): OutcomeCard {
  switch (out.kind) {
    case "placed":
      return {
        html: placedCard(q, out.result),
        orderId: out.result.orderId,
        outcomeUnknown: false,
        ...(out.result.filledCount > 0 ? { filled: true } : {}),
      };
    case "rejected":
      return { html: escapeHtml(withNothingPlaced(say.refusal(out.cause))), outcomeUnknown: false };
    case "unknown": {
      const o = out.resting;
      // Found resting: the outcome is known after all; otherwise it stays open and is followed up.
      if (o) {
        const left = `${displayCount(o.remainingCount)} of ${displayCount(o.initialCount)}`;
        const text = `${TAKEN} ${o.orderId} is resting with ${left} contracts left. /orders shows it.`;
        return { html: escapeHtml(text), outcomeUnknown: false };
      }
      const hint = out.checked ? NOT_RESTING_HINT : CHECK_FAILED_HINT;
      return { html: escapeHtml(`${openCause(say.unknown(out.cause))} ${hint}`), outcomeUnknown: true };
    }
  }
}
