/**
 * A sell Kalshi canceled for reduce-only reasons, in the user's words. The bot sends its sells at
 * market as immediate-or-cancel with reduce_only, which Kalshi caps at what is held when the order
 * arrives ("ReduceOnlyCancel means reduce_only capped the order at placement", AsyncAPI): when the
 * holding was sold elsewhere or settled meanwhile, part or all of the sell is canceled. Kalshi may
 * report the capped count as the order's own, so the count the user placed comes from the journal.
 */
import { type Centis, displayCount, displayPrice } from "../domain/money.js";
import type { Order, OutcomeSide } from "../exchange/port.js";
import type { OrderIntent } from "./intent.js";

/** Bold headline and the reason, e.g. "Sold 3 of 8 YES: Kalshi canceled the other 5 because …". */
export function reduceOnlyCancelText(order: Order, intent: OrderIntent | null): string {
  // Reduce-only can only close: an ask sells YES, a bid sells NO (the journal agrees when it knows).
  const outcome: OutcomeSide = order.bookSide === "ask" ? "yes" : "no";
  const side = outcome.toUpperCase();
  const placed = Math.max(
    intent?.action === "sell" && intent.count ? intent.count : order.initialCount,
    order.fillCount,
  ) as Centis;
  const sold = order.fillCount;
  const price = displayPrice(outcome === "yes" ? order.yesPrice : order.noPrice);
  const why = "A sell at market only closes what you hold; it never opens the other side.";
  if (sold <= 0) {
    return `<b>Nothing sold</b>: Kalshi canceled your sell of ${displayCount(placed)} ${side} at ${price} or better because you held no ${side} when it arrived. ${why}`;
  }
  const rest = (placed - sold) as Centis;
  return `<b>Sold ${displayCount(sold)} of ${displayCount(placed)} ${side}</b>: Kalshi canceled the other ${displayCount(rest)} because you held only ${displayCount(sold)} ${side} when it arrived. ${why}`;
}
