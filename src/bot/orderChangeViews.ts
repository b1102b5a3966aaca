/**
 * The sentences of the order change flows (features/orderChange.ts): the questions, the one-line
 * confirmations and what a change did. Kept apart from the handlers so every outcome of
 * src/trading/amendOrder.ts reads the same wherever it comes from. Prices are the order's own
 * outcome's (what the card shows); a price change always says the order loses its queue place.
 */
import type { Centis } from "../domain/money.js";
import type { Market, Order, OutcomeSide } from "../exchange/port.js";
import type { ApplyOutcome, ChangePlan, NoPlan } from "../trading/amendOrder.js";
import { totalOf } from "../trading/amendOrder.js";
import { describeGrid } from "../trading/prices.js";
import { code, count, escapeHtml, price, when } from "./format.js";
import type { OrderIntentInfo } from "./intents.js";
import { offGrid } from "./features/tradeGrid.js";
import { orderHeadline, orderStatusCard } from "./views.js";

const SIDE = (s: OutcomeSide) => s.toUpperCase();

/** "<b>Buy 10 YES @ $0.45</b> <code>TICKER</code>": the order as the trader reads it. */
export function orderName(o: Order, intent: OrderIntentInfo | null): string {
  return `<b>${orderHeadline(o, intent)}</b> ${code(o.ticker)}`;
}

/** The one line a Confirm stands under. */
export function confirmText(plan: ChangePlan, name: string): string {
  if (plan.kind === "price") {
    const now =
      plan.tradesAt === null
        ? ""
        : `, and at that price it trades at once (the book offers ${SIDE(plan.outcome)} @ ${price(plan.tradesAt)})`;
    return `Change ${name} to ${SIDE(plan.outcome)} @ ${price(plan.toPrice)}? It loses its place in the queue${now}.`;
  }
  const resting = (plan.toTotal - plan.filled) as typeof plan.toTotal;
  return (
    `Reduce ${name} from ${count(plan.fromTotal)} to ${count(plan.toTotal)} contracts in total ` +
    `(${count(plan.filled)} filled, ${count(resting)} resting)? It keeps its place in the queue.`
  );
}

/** Why a tap or a typed answer makes no change (nothing is sent). */
export function noPlanText(np: NoPlan, market: Market, outcome: OutcomeSide): string {
  switch (np.kind) {
    case "closed":
      return `${code(market.ticker)} is not open for trading now (${escapeHtml(np.status)}), so the order's price cannot change. Nothing was changed.`;
    case "edge":
      return `${SIDE(outcome)} @ ${price(np.price)} is already the ${np.dir === "up" ? "highest" : "lowest"} price this market takes; it cannot go ${np.dir} further. Nothing was changed.`;
    case "offGrid": {
      const off = offGrid(market, outcome, np.price);
      const sentence = off?.sentence ?? `${price(np.price)} is not a price this market takes.`;
      return `${escapeHtml(sentence)} Tap one, or send another price. Nothing was changed yet.`;
    }
    case "samePrice":
      return `The order is already at ${price(np.price)}. Send another price, or tap Cancel.`;
    case "belowFilled":
      return `${count(np.filled)} of this order already filled, so its total cannot be ${count(np.asked)}: send a number more than ${count(np.filled)}. Nothing was changed.`;
    case "nothingLeft":
      return `A total of ${count(np.filled)} leaves nothing resting: to stop the order, use its Cancel button in /orders. Nothing was changed.`;
    case "notSmaller":
      return `Reduce only makes an order smaller: it is ${count(np.total)} in total now, so send a number less than ${count(np.total)}. Nothing was changed.`;
  }
}

/** The question for a typed price. */
export function askPriceText(o: Order, name: string, outcome: OutcomeSide, market: Market): string {
  const now = outcome === "yes" ? o.yesPrice : o.noPrice;
  return (
    `New price for ${name} (now ${SIDE(outcome)} @ ${price(now)}): send the ${SIDE(outcome)} price, for example 0.42 or 42c. ` +
    `${escapeHtml(capital(describeGrid(market)))}. A new price loses the order's place in the queue.`
  );
}

/** The question for a typed size: the new total, said plainly. */
export function askReduceText(o: Order, name: string): string {
  return (
    `Reduce ${name}: ${count(o.fillCount)} filled and ${count(o.remainingCount)} resting, ${count(totalOf(o))} in total. ` +
    (o.fillCount > 0
      ? `Send the new TOTAL (filled + resting): more than ${count(o.fillCount)} and less than ${count(totalOf(o))}.`
      : `Send the new total: less than ${count(totalOf(o))}.`)
  );
}

/** A change button met an order that is no longer resting: said, and the order as it is now. */
export function goneText(
  o: Order,
  tz: string,
  intent: OrderIntentInfo | null,
  what = "there is nothing to change",
): string {
  const at = o.lastUpdateTime === null ? "" : ` at ${when(o.lastUpdateTime, tz)}`;
  const was =
    o.status === "executed" ? `That order already filled${at}` : `That order was already canceled${at}`;
  return `${was}; ${what}. Here it is now:\n\n${orderStatusCard(o, tz, intent)}`;
}

/** What Confirm did, with the order as it is now where it could be read. */
export function applyText(r: ApplyOutcome, tz: string, intent: OrderIntentInfo | null): string {
  const card = (o: Order | null) =>
    o ? `\n\n${orderStatusCard(o, tz, intent)}` : "\nSend /orders to see it.";
  switch (r.kind) {
    case "changed":
      return `${changedHead(r.plan, r.filledNow, r.order)}${card(r.order)}`;
    case "stale": {
      const o = r.order;
      if (o.status !== "resting") return goneText(o, tz, intent, "nothing was changed");
      return `That order changed since this was asked (price or size); nothing was changed. Here it is now:${card(o)}`;
    }
    case "notFound":
      return `There is no order ${code(r.orderId)}; nothing was changed.`;
    case "refused":
      return `${refusal(r.reason, r.details)} Nothing was changed.${card(r.order)}`;
    case "unknown":
      return `I could not confirm the change: it may or may not have been made. Here is the order now:${card(r.order)}`;
  }
}

/** "✅ Changed to YES @ $0.46; it is at the back of the queue.", or what traded at once instead. */
function changedHead(p: ChangePlan, filledNow: Centis, o: Order | null): string {
  if (p.kind === "size") return `✅ Reduced to ${count(p.toTotal)} contracts in total.`;
  const head = `✅ Changed to ${SIDE(p.outcome)} @ ${price(p.toPrice)}`;
  if (filledNow <= 0) return `${head}; it is at the back of the queue.`;
  if (o !== null && o.status !== "resting")
    return `${head}: ${count(filledNow)} traded at once, nothing rests.`;
  return `${head}: ${count(filledNow)} traded at once; the rest is at the back of the queue.`;
}

function refusal(reason: "price" | "cash" | "closed" | "other", details: string | null): string {
  switch (reason) {
    case "price":
      return "Kalshi does not take that price in this market.";
    case "cash":
      return "There is not enough cash for the order at the new price.";
    case "closed":
      return "The market is not open for trading right now.";
    case "other":
      return `Kalshi refused the change${details ? ` (${escapeHtml(details)})` : ""}.`;
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
