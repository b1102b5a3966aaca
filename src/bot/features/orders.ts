import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import type { Order, OrderRef } from "../../exchange/port.js";
import { type OrderLookup, SHORT_ID_MIN } from "../../trading/findOrder.js";
import type { CancelAllResult, CancelOutcome } from "../../trading/types.js";
import type { Kit, MyContext } from "../context.js";
import { code, contractsText, escapeHtml, when } from "../format.js";
import { answer, btn, removeTappedKeyboard, rows, withTyping } from "../ui.js";
import { EXPIRED } from "./fallback.js";
import { orderLine, orderStatusCard } from "../views.js";

const ORDER_ID = /^[A-Za-z0-9_-]{1,100}$/;
const CHOSE_YES = "Cancel all resting orders? <b>Yes</b>";

/** /orders (cancel buttons, "Cancel all" behind a confirmation), /cancel <id>, /status <id>. */
export function ordersFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const { executor } = kit.deps.services;
  const tz = kit.deps.config.timeZone;
  const data = (p: string) => kit.buttons.data(p);
  /**
   * Open "Cancel all?" questions, each with the orders it listed; each can be answered once. "Yes"
   * cancels exactly those orders (by id, routed by market), never ones placed after the question.
   */
  const pendingCancelAll = new Map<string, OrderRef[]>();
  function askCancelAll(listed: OrderRef[]): string {
    const q = randomBytes(6).toString("hex");
    pendingCancelAll.set(q, listed);
    if (pendingCancelAll.size > 20) pendingCancelAll.delete(pendingCancelAll.keys().next().value!);
    return q;
  }
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
   * Each /orders list (every version of the message) has an id in its Cancel buttons' data. The
   * first Cancel tap uses the list up: the message is replaced by a fresh list with a new id, so a
   * double tap, a resent update or a tap that raced the edit cancels nothing a second time.
   */
  const liveLists = new Set<string>();
  const usedLists = new Set<string>();
  function newList(): string {
    const id = randomBytes(4).toString("hex");
    liveLists.add(id);
    if (liveLists.size > 20) liveLists.delete(liveLists.values().next().value!);
    return id;
  }
  function useList(id: string): "ok" | "used" | "unknown" {
    if (liveLists.delete(id)) {
      usedLists.add(id);
      if (usedLists.size > 50) usedLists.delete(usedLists.values().next().value!);
      return "ok";
    }
    return usedLists.has(id) ? "used" : "unknown";
  }

  async function ordersView(orders: Order[], note?: string) {
    const lines: string[] = note ? [note, ""] : [];
    if (orders.length === 0) {
      lines.push("No resting orders.");
      return { html: lines.join("\n"), kb: undefined };
    }
    const intents = await kit.intents.ofAll(orders);
    rememberTickers(orders);
    lines.push(`<b>Resting orders</b> (${orders.length})`);
    orders.forEach((o, i) => lines.push(`${i + 1}. ${orderLine(o, tz, intents[i] ?? null)}`));
    const list = newList();
    const kb = orders
      .slice(0, 30)
      .map((o, i) => [
        btn(`Cancel ${i + 1}: ${o.ticker}`.slice(0, 60), data(`oc:${list}:${kit.buttons.ref(o.orderId)}`)),
      ]);
    kb.push([btn("Cancel all", data("oca"))]);
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

  const say = (ctx: Context, text: string) => kit.ui.say(ctx, text);

  /**
   * "Yes, cancel all" (after the PIN when one is asked): cancels exactly `listed`; the question
   * message shows progress and the result (a new message when it cannot be edited).
   */
  async function cancelAllListed(
    ctx: Context,
    listed: OrderRef[],
    at: { chatId: number; messageId: number } | undefined,
  ): Promise<void> {
    const show = (html: string) =>
      at ? kit.ui.edit(ctx, at.chatId, at.messageId, html) : kit.ui.send(ctx, html).then(() => undefined);
    await show(`${CHOSE_YES}\nCanceling…`).catch(() => undefined);
    let r: CancelAllResult;
    try {
      r = await executor.cancelAll(listed);
    } catch (e) {
      const html = `${CHOSE_YES}\nI could not confirm that they were canceled. Send /orders to see what is still resting.`;
      await show(html).catch(() => undefined);
      throw e; // the guard logs it and sends the reason
    }
    kit.log.info("all orders canceled", {
      canceled: r.canceled,
      gone: r.gone,
      failed: r.failed.length,
      appeared: r.appeared.length,
    });
    const html = `${CHOSE_YES}\n${await cancelAllText(r)}`;
    await show(html).catch(async (e: unknown) => {
      kit.log.warn("edit after a cancel failed; sending the text as a new message", { error: String(e) });
      await kit.ui.send(ctx, html);
    });
  }

  /** What "Cancel all" did, including orders that appeared after the list and were left alone. */
  async function cancelAllText(r: CancelAllResult): Promise<string> {
    const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
    const lines = [`Canceled ${r.canceled} order${plural(r.canceled, "", "s")}.`];
    if (r.gone > 0) {
      lines.push(
        `${r.gone} ${plural(r.gone, "order was", "orders were")} no longer resting (filled or canceled meanwhile).`,
      );
    }
    for (const f of r.failed) {
      lines.push(`Could not cancel ${code(f.orderId)} in ${code(f.ticker)}: ${escapeHtml(f.reason)}.`);
    }
    if (r.appeared.length > 0) {
      const n = r.appeared.length;
      const intents = await kit.intents.ofAll(r.appeared);
      lines.push(
        `⚠️ ${n} new order${plural(n, "", "s")} appeared after the list was shown and ${plural(n, "was", "were")} <b>not</b> canceled:`,
      );
      r.appeared.forEach((o, i) => lines.push(`• ${orderLine(o, tz, intents[i] ?? null)}`));
      lines.push("Send /orders to cancel it if you want.".replace(" it ", n === 1 ? " it " : " them "));
    }
    return lines.join("\n");
  }

  c.command(
    "orders",
    kit.guard("orders", async (ctx) => {
      const orders = await withTyping(ctx, () => executor.openOrders());
      const v = await ordersView(orders);
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

  c.on(
    "callback_query:data",
    kit.guard("orders-buttons", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      if (p === null) return next();
      const one = /^oc:([0-9a-f]+):(.+)$/.exec(p);
      if (one) {
        const id = kit.buttons.deref(one[2]!);
        if (id === null) return next();
        const list = useList(one[1]!);
        if (list !== "ok") {
          await answer(ctx, EXPIRED);
          // A used list's message already shows (or is about to show) its successor's buttons: keep them.
          if (list === "unknown") await removeTappedKeyboard(ctx);
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
            .openOrders()
            .then(async (os) => {
              const v = await ordersView(os, failed);
              return kit.ui.editTapped(ctx, v.html, v.kb);
            })
            .catch(() => kit.ui.editTapped(ctx, `${failed} Send /orders to see what is still resting.`))
            .catch(() => undefined);
          throw e;
        }
        let rest: Order[];
        try {
          rest = await executor.openOrders();
        } catch (e) {
          kit.log.warn("orders list after a cancel failed", { error: String(e) });
          return showResult(ctx, `${note}\nSend /orders to see what is still resting.`);
        }
        const v = await ordersView(rest, note);
        await showResult(ctx, v.html, v.kb);
        return;
      }
      if (p === "oca") {
        await answer(ctx);
        const open = await executor.openOrders();
        const n = open.length;
        if (n === 0) return kit.ui.editTapped(ctx, "No resting orders.");
        const q = askCancelAll(open.map((o) => ({ orderId: o.orderId, ticker: o.ticker })));
        await kit.ui.editTapped(
          ctx,
          `Cancel all ${n} resting order${n === 1 ? "" : "s"}?`,
          rows([btn("Yes, cancel all", data(`ocy:${q}`)), btn("No", data(`ocn:${q}`))]),
        );
        return;
      }
      const choice = /^oc([yn]):(\w+)$/.exec(p);
      const listed = choice ? pendingCancelAll.get(choice[2]!) : undefined;
      if (choice && !pendingCancelAll.delete(choice[2]!)) {
        // The question was already answered (a double tap, or a resent update): do nothing twice.
        await answer(ctx, EXPIRED);
        await removeTappedKeyboard(ctx);
        return;
      }
      if (choice?.[1] === "y") {
        await answer(ctx, kit.pin.enabled ? undefined : "Canceling all…");
        // The question loses its buttons at once and shows the choice, so it cannot be tapped twice.
        if (kit.pin.enabled) await kit.ui.editTapped(ctx, CHOSE_YES);
        const m = ctx.callbackQuery.message;
        const at = m ? { chatId: m.chat.id, messageId: m.message_id } : undefined;
        const run = kit.guard("orders-buttons", (c: Context) => cancelAllListed(c, listed ?? [], at));
        await kit.pin.require(
          ctx,
          "bulk",
          "to cancel all resting orders",
          (c) => run(c, async () => {}),
          say,
        );
        return;
      }
      if (choice?.[1] === "n") {
        await answer(ctx);
        const v = await ordersView(
          await executor.openOrders(),
          "Cancel all: <b>No</b>. Nothing was canceled.",
        );
        await kit.ui.editTapped(ctx, v.html, v.kb);
        return;
      }
      return next();
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
