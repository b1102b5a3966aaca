/**
 * The alerts' delivery port (src/alerts/sink.ts) over Telegram, and the one mapping of Telegram's errors
 * to AlertDeliveryErrors (also used by the order outbox's card sink): the alerts core never sees grammY.
 */
import { GrammyError, HttpError, InputFile, type Api } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { type AlertAction, AlertDeliveryError, type AlertSink } from "../alerts/sink.js";
import type { Buttons } from "./buttons.js";
import { btn, rows } from "./ui.js";

/**
 * Maps any error thrown by a Telegram call to an AlertDeliveryError. Unknown errors count as retryable and as
 * possibly delivered.
 */
export function telegramDeliveryError(e: unknown): AlertDeliveryError {
  if (e instanceof AlertDeliveryError) return e;
  if (e instanceof GrammyError) {
    const code = e.error_code;
    const desc = e.description;
    if (code === 429) {
      const after = e.parameters?.retry_after;
      return new AlertDeliveryError(
        `Telegram rate limit: ${desc}`,
        true,
        typeof after === "number" ? after * 1000 : null,
      );
    }
    if (code >= 500) return new AlertDeliveryError(`Telegram server error ${code}: ${desc}`, true);
    if (/message to edit not found|message can't be edited/i.test(desc)) {
      return new AlertDeliveryError(`Telegram: ${desc}`, false, null, true);
    }
    return new AlertDeliveryError(`Telegram refused the message (${code}): ${desc}`, false);
  }
  if (e instanceof HttpError) {
    return new AlertDeliveryError(`network error talking to Telegram`, true, null, false, true);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new AlertDeliveryError(msg, true, null, false, true);
}

/**
 * A price alert's buttons: Buy YES / Buy NO open the trade conversation as the market card's do
 * (`mb:`), Sell opens /sell for the held side (`ps:`); each ends in a quote with Confirm.
 */
export function alertActionsKeyboard(buttons: Buttons, actions: AlertAction[]): InlineKeyboardMarkup {
  const row = actions.map((a) => {
    const ref = buttons.ref(a.ticker);
    if (a.kind === "sell") return btn(`Sell ${a.side.toUpperCase()}`, buttons.data(`ps:${a.side[0]}:${ref}`));
    return btn(`Buy ${a.side.toUpperCase()}`, buttons.data(`mb:${a.side}:${ref}`));
  });
  return rows(row);
}

/**
 * Telegram through grammY's Api: HTML parse mode, no link previews, `disable_notification` for silent.
 * With `buttons`, alerts that carry actions get them as signed buttons.
 */
export function createTelegramAlertSink(api: Api, buttons?: Buttons): AlertSink {
  return {
    async send(chatId, html, opts) {
      try {
        const kb = buttons && opts.actions?.length ? alertActionsKeyboard(buttons, opts.actions) : undefined;
        const m = await api.sendMessage(chatId, html, {
          parse_mode: "HTML",
          disable_notification: opts.silent,
          link_preview_options: { is_disabled: true },
          ...(kb ? { reply_markup: kb } : {}),
        });
        return { messageId: m.message_id };
      } catch (e) {
        throw telegramDeliveryError(e);
      }
    },
    async sendPhoto(chatId, png, captionHtml, opts) {
      try {
        const m = await api.sendPhoto(chatId, new InputFile(png, "pnl.png"), {
          caption: captionHtml,
          parse_mode: "HTML",
          disable_notification: opts.silent,
        });
        return { messageId: m.message_id };
      } catch (e) {
        throw telegramDeliveryError(e);
      }
    },
    async edit(chatId, messageId, html) {
      try {
        await api.editMessageText(chatId, messageId, html, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
        });
      } catch (e) {
        // Editing to the same text is not a failure for us.
        if (e instanceof GrammyError && /message is not modified/i.test(e.description)) return;
        throw telegramDeliveryError(e);
      }
    },
  };
}
