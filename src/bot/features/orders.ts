import { randomBytes } from "node:crypto";
import { Composer, type Context } from "grammy";
import type { Order } from "../../exchange/port.js";
import type { Kit, MyContext } from "../context.js";
import { code, contractsText, escapeHtml } from "../format.js";
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
  /** Open "Cancel all?" questions; each can be answered once. */
  const pendingCancelAll = new Set<string>();
  function askCancelAll(): string {
    const q = randomBytes(6).toString("hex");
    pendingCancelAll.add(q);
    if (pendingCancelAll.size > 20) pendingCancelAll.delete(pendingCancelAll.values().next().value!);
    return q;
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

  c.command(
    "orders",
    kit.guard("orders", async (ctx) => {
      const orders = await withTyping(ctx, () => executor.openOrders());
      const v = await ordersView(orders);
      await kit.ui.send(ctx, v.html, v.kb);
    }),
  );

  async function cancelOne(ctx: Context, orderId: string): Promise<string> {
    const r = await executor.cancel(orderId);
    kit.log.info("order canceled", { orderId: r.orderId });
    return `Canceled order ${code(r.orderId)} (${escapeHtml(contractsText(r.canceledCount))} were resting).`;
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
      const o = await withTyping(ctx, () => executor.orderStatus(id));
      await kit.ui.send(ctx, orderStatusCard(o, tz, await kit.intents.of(o)));
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
        const n = (await executor.openOrders()).length;
        if (n === 0) return kit.ui.editTapped(ctx, "No resting orders.");
        const q = askCancelAll();
        await kit.ui.editTapped(
          ctx,
          `Cancel all ${n} resting order${n === 1 ? "" : "s"}?`,
          rows([btn("Yes, cancel all", data(`ocy:${q}`)), btn("No", data(`ocn:${q}`))]),
        );
        return;
      }
      const choice = /^oc([yn]):(\w+)$/.exec(p);
      if (choice && !pendingCancelAll.delete(choice[2]!)) {
        // The question was already answered (a double tap, or a resent update): do nothing twice.
        await answer(ctx, EXPIRED);
        await removeTappedKeyboard(ctx);
        return;
      }
      if (choice?.[1] === "y") {
        await answer(ctx, "Canceling all…");
        // The question loses its buttons at once and shows the choice, so it cannot be tapped twice.
        await kit.ui.editTapped(ctx, `${CHOSE_YES}\nCanceling…`);
        let r: { canceled: number };
        try {
          r = await executor.cancelAll();
        } catch (e) {
          await kit.ui
            .editTapped(
              ctx,
              `${CHOSE_YES}\nI could not confirm that they were canceled. Send /orders to see what is still resting.`,
            )
            .catch(() => undefined);
          throw e; // the guard logs it and sends the reason
        }
        kit.log.info("all orders canceled", { canceled: r.canceled });
        await showResult(ctx, `${CHOSE_YES}\nCanceled ${r.canceled} order${r.canceled === 1 ? "" : "s"}.`);
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
