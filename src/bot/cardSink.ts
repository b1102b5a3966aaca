/**
 * How the order outbox (src/alerts/outbox.ts) reaches the chat: a quote card edited to its final text
 * with its buttons removed, or the text as a new message. Same look as every other bot message
 * (environment header, HTML); Telegram's errors become AlertDeliveryErrors (429 with its retry_after).
 */
import type { Api } from "grammy";
import type { CardSink } from "../alerts/outbox.js";
import { telegramDeliveryError } from "./alertSink.js";
import type { EnvTag } from "../domain/environment.js";
import { tagged, TELEGRAM_TEXT_LIMIT } from "./format.js";
import { isNotModified, NO_KEYBOARD } from "./ui.js";

export function cardSink(api: Api, env: EnvTag): CardSink {
  const text = (html: string) => tagged(env, html).slice(0, TELEGRAM_TEXT_LIMIT);
  return {
    async edit(chatId, messageId, html) {
      try {
        await api.editMessageText(chatId, messageId, text(html), {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          reply_markup: NO_KEYBOARD,
        });
      } catch (e) {
        if (isNotModified(e)) return;
        throw telegramDeliveryError(e);
      }
    },
    async send(chatId, html) {
      try {
        const m = await api.sendMessage(chatId, text(html), {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
        });
        return { messageId: m.message_id };
      } catch (e) {
        throw telegramDeliveryError(e);
      }
    },
  };
}
