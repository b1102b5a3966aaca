import { Composer } from "grammy";
import { ALERT_MODES, isAlertMode, type AlertMode } from "../../domain/alertMode.js";
import type { Kit, MyContext } from "../context.js";
import { answer, btn, rows } from "../ui.js";
import type { PriceAlert } from "../../alerts/price/service.js";
import { describeRule } from "../../alerts/price/rules.js";
import { escapeHtml } from "../format.js";
import { priceAlertsText } from "../watchViews.js";

const EXPLAIN: Record<AlertMode, string> = {
  on: "on: a message with sound for every fill",
  silent: "silent: a message without sound",
  off: "off: no fill messages",
};

/** /alerts on|silent|off; without an argument shows the current mode with buttons. */
export function alertsFeature(kit: Kit): Composer<MyContext> {
  const c = new Composer<MyContext>();
  const store = kit.deps.alertSettings;
  const pw = kit.deps.priceWatch;
  // The chat's price alerts are listed under the fill-alert mode, one delete button each.
  const kb = (current: AlertMode, chatId: number) =>
    rows(
      ALERT_MODES.map((m) => btn(m === current ? `• ${m}` : m, kit.buttons.data(`al:${m}`))),
      ...priceAlertButtons(kit, pw?.alerts(chatId) ?? []),
    );
  const text = (m: AlertMode, chatId: number) =>
    `Fill alerts are <b>${m}</b>.\n${ALERT_MODES.map((x) => EXPLAIN[x]).join("\n")}` +
    (pw ? `\n\n${priceAlertsText(pw.alerts(chatId))}` : "");

  c.command(
    "alerts",
    kit.guard("alerts", async (ctx) => {
      const arg = ctx.match.trim().toLowerCase();
      if (arg === "") {
        const m = await store.get(ctx.chat.id);
        return kit.ui.send(ctx, text(m, ctx.chat.id), kb(m, ctx.chat.id));
      }
      if (!isAlertMode(arg)) {
        return kit.ui.say(
          ctx,
          `“${ctx.match.trim()}” is not a mode. Use /alerts on, /alerts silent or /alerts off.`,
        );
      }
      await store.set(ctx.chat.id, arg);
      await kit.ui.send(ctx, `Fill alerts are now <b>${arg}</b>.`);
    }),
  );

  c.on(
    "callback_query:data",
    kit.guard("alerts-buttons", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const m = p?.startsWith("al:") ? p.slice(3) : null;
      if (!isAlertMode(m) || !ctx.chat) return next();
      const mode = m;
      const before = await store.get(ctx.chat.id);
      await store.set(ctx.chat.id, mode);
      await answer(ctx, `Alerts ${mode}`);
      // The message records what the tap did, so a tap on the current mode also shows a result.
      const result =
        before === mode ? `You chose ${mode}; it already was.` : `You chose ${mode} (was ${before}).`;
      await kit.ui.editTapped(
        ctx,
        `${text(mode, ctx.chat.id)}

<i>${result}</i>`,
        kb(mode, ctx.chat.id),
      );
    }),
  );
  c.on(
    "callback_query:data",
    kit.guard("alerts-delete", async (ctx, next) => {
      const p = kit.buttons.verify(ctx.callbackQuery.data);
      const id = p?.startsWith("pd:") ? p.slice(3) : null;
      if (!id || !ctx.chat || !pw) return next();
      const chatId = ctx.chat.id;
      const gone = pw.removeAlert(chatId, id);
      await answer(ctx, gone ? "Price alert deleted" : "That alert was already gone");
      const mode = await store.get(chatId);
      const done = gone
        ? `Deleted: ${gone.ticker} ${describeRule(gone.rule)}.`
        : "That alert was already gone.";
      await kit.ui.editTapped(ctx, `${text(mode, chatId)}\n\n<i>${escapeHtml(done)}</i>`, kb(mode, chatId));
    }),
  );
  return c;
}

function priceAlertButtons(kit: Kit, alerts: PriceAlert[]) {
  return alerts.map((a, i) => [
    btn(`🗑 ${i + 1}. ${a.ticker} ${describeRule(a.rule)}`.slice(0, 60), kit.buttons.data(`pd:${a.id}`)),
  ]);
}
