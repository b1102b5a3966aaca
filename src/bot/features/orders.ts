import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import type { Order } from "../../exchange/port.js";
import { type OrderLookup, SHORT_ID_MIN } from "../../trading/findOrder.js";
import type { CancelOutcome, RestingOrders } from "../../trading/types.js";
import type { Kit, MyContext } from "../context.js";
import { code, contractsText, escapeHtml, when } from "../format.js";
import { orderChangePayload } from "../orderButtons.js";
import { type CardButtonData, cardButtons, orderCard, pageCards } from "../orderCards.js";
import { answer, btn, removeTappedKeyboard, rows, withTyping } from "../ui.js";
import { cancelAllFeature } from "./cancelAll.js";
import { EXPIRED } from "./fallback.js";
import { orderStatusCard } from "../views.js";

const ORDER_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * /orders (order cards with their buttons, paged; "Cancel all" behind a confirmation, see
 * cancelAll.ts), /cancel <id>, /status <id>. The four change buttons of each card carry the payloads
 * of ../orderButtons.ts; the change flows answer them.
 */
export function ordersFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { executor } = kit.deps.services;
  const tz = kit.deps.config.timeZone;
  const data = (p: string) => kit.buttons.data(p);
  /** The market of each order shown in a recent list (a Cancel button routes by it). */
  const tickerOf = new Map<string, string>();
  function rememberTickers(orders: Order[]): void {
    for (const o of orders) {
      tickerOf.delete(o.orderId);
      tickerOf.set(o.orderId, o.ticker);
    }
    while (tickerOf.size > 500) tickerOf.delete(tickerOf.keys().next().value!);
  }
  /**
   * Each rendered page of /orders (every version of the message) has an id in its Cancel buttons'
   * data, kept with the page it shows. The first Cancel tap uses it up: the message is replaced by a
   * fresh page with a new id, so a double tap, a resent update or a tap that raced the edit cancels
   * nothing a second time.
   */
  const liveLists = new Map<string, number>();
  const usedLists = new Set<string>();
  function newList(page: number): string {
    const id = randomBytes(4).toString("hex");
    liveLists.set(id, page);
    if (liveLists.size > 100) liveLists.delete(liveLists.keys().next().value!);
    return id;
  }
  function useList(id: string): { kind: "ok"; page: number } | { kind: "used" | "unknown" } {
    const page = liveLists.get(id);
    if (page !== undefined && liveLists.delete(id)) {
      usedLists.add(id);
      if (usedLists.size > 200) usedLists.delete(usedLists.values().next().value!);
      return { kind: "ok", page };
    }
    return { kind: usedLists.has(id) ? "used" : "unknown" };
  }

  /** One page of the order cards (clamped to the last page), with its buttons. */
  async function ordersView(r: RestingOrders, page = 0, note?: string) {
    const lines: string[] = note ? [note, ""] : [];
    const { orders } = r;
    if (orders.length === 0) {
      lines.push("No resting orders.");
      return { html: lines.join("\n"), kb: undefined };
    }
    const intents = await kit.intents.ofAll(orders);
    rememberTickers(orders);
    const ctxCard = { timeZone: tz, now: kit.now(), queue: r.queue };
    const cards = orders.map((o, i) => orderCard(o, i + 1, intents[i] ?? null, ctxCard));
    const pages = pageCards(cards);
    const p = Math.min(Math.max(0, page), pages.length - 1);
    const shown = pages[p]!;
    const paged = pages.length > 1 ? ` · page ${p + 1} of ${pages.length}` : "";
    lines.push(`<b>Resting orders</b> (${orders.length})${paged}`);
    for (const i of shown) lines.push(cards[i]!);
    if (r.queue === null) lines.push("<i>Queue positions could not be read just now.</i>");
    const list = newList(p);
    const buttonData: CardButtonData = {
      change: (change, id) => data(orderChangePayload(change, kit.buttons.ref(id))),
      cancel: (id) => data(`oc:${list}:${kit.buttons.ref(id)}`),
    };
    const kb = shown.flatMap((i) => cardButtons(orders[i]!, i + 1, buttonData));
    const nav = [];
    if (p > 0) nav.push(btn(`‹ Page ${p}`, data(`og:${p - 1}`)));
    if (p < pages.length - 1) nav.push(btn(`Page ${p + 2} ›`, data(`og:${p + 1}`)));
    kb.push(nav, [btn("Cancel all", data("oca"))]);
    return { html: lines.join("\n"), kb: rows(...kb) };
  }

  /**
   * Shows the outcome of a cancel on the tapped message. Once something was canceled the user must
   * learn it: when Telegram refuses the edit, the text is sent as a new message instead.
   */
  async function showResult(ctx: Context, html: string, kb?: ReturnType<typeof rows>): Promise<void> {
    try {
      await kit.ui.editTapped(ctx, html, kb);
    } catch (e) {
      kit.log.warn("edit after a cancel failed; sending the text as a new message", { error: String(e) });
      await kit.ui.send(ctx, html, kb);
    }
  }

  c.command(
    "orders",
    kit.guard("orders", async (ctx) => {
      const r = await withTyping(ctx, () => executor.restingOrders());
      if (r.queue === null) kit.log.warn("queue positions could not be read");
      const v = await ordersView(r);
      await kit.ui.send(ctx, v.html, v.kb);
    }),
  );

  /** The sentence for a cancel's outcome; an unknown outcome is thrown for the guard to describe. */
  async function cancelOne(ctx: Context, orderId: string): Promise<string> {
    const ticker = tickerOf.get(orderId);
    const r = await (ticker === undefined ? executor.cancel(orderId) : executor.cancel(orderId, ticker));
    kit.log.info("order cancel", { orderId: r.orderId, outcome: r.kind });
    return cancelText(r, tz);
  }

  c.command(
    "cancel",
    kit.guard("cancel", async (ctx) => {
      const id = ctx.match.trim();
      if (!id) {
        await kit.ui.say(
          ctx,
          "Nothing to stop. To cancel an order send /cancel <order id>, or use the buttons in /orders.",
        );
        return;
      }
      if (!ORDER_ID.test(id)) {
        await kit.ui.say(ctx, `“${id}” is not an order id. /orders lists your orders with their ids.`);
        return;
      }
      await kit.ui.send(ctx, await withTyping(ctx, () => cancelOne(ctx, id)));
    }),
  );

  c.command(
    "status",
    kit.guard("status", async (ctx) => {
      const id = ctx.match.trim();
      if (!id || !ORDER_ID.test(id)) {
        await kit.ui.say(ctx, "Send /status <order id>; /orders lists your resting orders with their ids.");
        return;
      }
      const r = await withTyping(ctx, () => executor.findOrder(id));
      if (r.kind !== "found") return kit.ui.send(ctx, lookupText(r, id));
      await kit.ui.send(ctx, orderStatusCard(r.order, tz, await kit.intents.of(r.order)));
    }),
  );

  /** A Cancel tap on a card: cancels that order once, then shows the same page of the fresh list. */
  async function onCancelTap(ctx: Context, listId: string, id: string): Promise<void> {
    const list = useList(listId);
    if (list.kind !== "ok") {
      await answer(ctx, EXPIRED);
      // A used list's message already shows (or is about to show) its successor's buttons: keep them.
      if (list.kind === "unknown") await removeTappedKeyboard(ctx);
      return;
    }
    await answer(ctx, "Canceling…");
    let note: string;
    try {
      note = await cancelOne(ctx, id);
    } catch (e) {
      // The old buttons are used up: show the list as it is now (or none), then the guard says why.
      const failed = `I could not confirm that order ${code(id)} was canceled.`;
      await executor
        .restingOrders()
        .then(async (r) => {
          const v = await ordersView(r, list.page, failed);
          return kit.ui.editTapped(ctx, v.html, v.kb);
        })
        .catch(() => kit.ui.editTapped(ctx, `${failed} Send /orders to see what is still resting.`))
        .catch(() => undefined);
      throw e;
    }
    let rest: RestingOrders;
    try {
      rest = await executor.restingOrders();
    } catch (e) {
      kit.log.warn("orders list after a cancel failed", { error: String(e) });
      return showResult(ctx, `${note}\nSend /orders to see what is still resting.`);
    }
    const v = await ordersView(rest, list.page, note);
    await showResult(ctx, v.html, v.kb);
  }

  c.on(
    "callback_query:data",
    kit.guard("orders-buttons", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      if (p === null) return next();
      const one = /^oc:([0-9a-f]+):(.+)$/.exec(p);
      if (one) {
        const id = kit.buttons.deref(one[2]!);
        if (id === null) return next();
        return onCancelTap(ctx, one[1]!, id);
      }
      const go = /^og:(\d{1,4})$/.exec(p);
      if (go) {
        await answer(ctx);
        const v = await ordersView(await executor.restingOrders(), Number(go[1]));
        await kit.ui.editTapped(ctx, v.html, v.kb);
        return;
      }
      return next();
    }),
  );
  c.use(
    cancelAllFeature(kit, async (note) => {
      const v = await ordersView(await executor.restingOrders(), 0, note);
      return v;
    }),
  );
  return c;
}

/** Why /status shows no card: the id is too short, unknown, or shared by several orders. */
export function lookupText(r: Exclude<OrderLookup, { kind: "found" }>, id: string): string {
  switch (r.kind) {
    case "tooShort":
      return `Give at least the first ${SHORT_ID_MIN} characters of the order id; /orders lists your orders with their ids.`;
    case "none":
      return `No order of yours starts with ${code(id)} (resting or placed in the last 30 days). /orders lists your resting orders.`;
    case "ambiguous":
      return [
        `${r.orders.length} orders start with ${code(id)}; send more of the id:`,
        ...r.orders.slice(0, 10).map((o) => `• ${code(o.orderId)} ${code(o.ticker)}`),
      ].join("\n");
  }
}

/**
 * What a cancel of one order did, as the user reads it (times in the display zone). An order that
 * was already gone is said plainly; only an unknown outcome is thrown, for the guard to describe.
 */
export function cancelText(r: CancelOutcome, tz: string): string {
  switch (r.kind) {
    case "canceled": {
      const verb = r.canceledCount === 100 ? "was" : "were";
      return `Canceled order ${code(r.orderId)} (${escapeHtml(contractsText(r.canceledCount))} ${verb} resting).`;
    }
    case "alreadyGone": {
      const at = r.at === null ? "" : ` at ${when(r.at, tz)}`;
      return r.status === "executed"
        ? `That order already filled${at}; there was nothing left to cancel.`
        : `That order was already canceled${at}.`;
    }
    case "notFound":
      return `There is no order ${code(r.orderId)}.`;
    case "unknown":
      throw r.cause;
  }
}
