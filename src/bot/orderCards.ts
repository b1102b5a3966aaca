/**
 * The order cards of /orders: each resting order with its side and price, filled/total, its place in
 * the queue and its age, and under it the buttons to act on it (−1 tick · +1 tick · New price ·
 * Reduce, then Cancel and a copy button for its id). Long lists are cut into pages that each fit
 * one Telegram message, so every order's buttons sit on the page that shows it.
 *
 * Pure rendering: the feature (features/orders.ts) reads the orders and makes the button data.
 */
import type { InlineKeyboardButton } from "grammy/types";
import type { Centis } from "../domain/money.js";
import type { Order } from "../exchange/port.js";
import { code, count, when } from "./format.js";
import type { OrderIntentInfo } from "./intents.js";
import type { OrderChange } from "./orderButtons.js";
import { btn } from "./ui.js";
import { orderHeadline } from "./views.js";

/** At most this many orders on one page (6 buttons each, so a page stays easy to scan). */
export const ORDERS_PER_PAGE = 5;
/** Characters of order cards on one page; the rest of 4096 is the header, a note and the env line. */
export const PAGE_CARD_CHARS = 3000;

/** "just now", "12 min", "3 h 5 min", "2 d 4 h": how long an order has rested. */
export function ageText(ms: number): string {
  const min = Math.floor(Math.max(0, ms) / 60_000);
  if (min < 1) return "just now";
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** The queue part of a card: contracts ahead at the order's price, or why it is not known. */
function queueText(ahead: Centis | undefined, read: boolean): string {
  if (!read) return "queue –";
  if (ahead === undefined) return "queue not listed";
  return ahead === 0 ? "first in queue" : `${count(ahead)} ahead in queue`;
}

export interface CardContext {
  timeZone: string;
  now: number;
  /** Order id → contracts ahead; null when the queue could not be read. */
  queue: Map<string, Centis> | null;
}

/** One order's card, numbered `n` as on its buttons. */
export function orderCard(o: Order, n: number, intent: OrderIntentInfo | null, c: CardContext): string {
  let placed = "placed –";
  if (o.createdTime !== null) {
    const age = ageText(c.now - o.createdTime);
    placed = `placed ${when(o.createdTime, c.timeZone)} (${age === "just now" ? age : `${age} ago`})`;
  }
  return [
    `${n}. <b>${orderHeadline(o, intent)}</b> ${code(o.ticker)}`,
    `  filled ${count(o.fillCount)}/${count(o.initialCount)} · ${count(o.remainingCount)} of ${count(o.initialCount)} left · ${queueText(c.queue?.get(o.orderId), c.queue !== null)}`,
    `  ${placed}`,
    `  id ${code(o.orderId)}`,
  ].join("\n");
}

/** Splits cards into pages of at most ORDERS_PER_PAGE cards and PAGE_CARD_CHARS characters. */
export function pageCards(cards: readonly string[]): number[][] {
  const out: number[][] = [];
  let page: number[] = [];
  let chars = 0;
  cards.forEach((card, i) => {
    const size = card.length + 1;
    if (page.length > 0 && (page.length >= ORDERS_PER_PAGE || chars + size > PAGE_CARD_CHARS)) {
      out.push(page);
      page = [];
      chars = 0;
    }
    page.push(i);
    chars += size;
  });
  if (page.length > 0) out.push(page);
  return out;
}

/** Button data makers: the feature signs them. */
export interface CardButtonData {
  change: (change: OrderChange, orderId: string) => string;
  cancel: (orderId: string) => string;
}

/** The two rows under card `n`: the four changes, then Cancel and a copy button for the order id. */
export function cardButtons(o: Order, n: number, data: CardButtonData): InlineKeyboardButton[][] {
  const copy: InlineKeyboardButton.CopyTextButtonButton = {
    text: `Copy id ${n}`,
    copy_text: { text: o.orderId },
  };
  return [
    [
      btn(`${n}: −1 tick`, data.change("down", o.orderId)),
      btn("+1 tick", data.change("up", o.orderId)),
      btn("New price", data.change("price", o.orderId)),
      btn("Reduce", data.change("reduce", o.orderId)),
    ],
    [btn(`Cancel ${n}: ${o.ticker}`.slice(0, 40), data.cancel(o.orderId)), copy],
  ];
}
