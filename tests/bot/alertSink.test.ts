import { describe, expect, it } from "vitest";
import { GrammyError, HttpError, type Api } from "grammy";
import { AlertDeliveryError } from "../../src/alerts/sink.js";
import { createTelegramAlertSink } from "../../src/bot/alertSink.js";

function err(code: number, description: string, parameters: Record<string, number> = {}) {
  return new GrammyError("x", { ok: false, error_code: code, description, parameters }, "sendMessage", {});
}

function fakeApi(behave: { send?: unknown; edit?: unknown }) {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const api = {
    async sendMessage(...args: unknown[]) {
      calls.push({ method: "sendMessage", args });
      if (behave.send) throw behave.send;
      return { message_id: 77 };
    },
    async editMessageText(...args: unknown[]) {
      calls.push({ method: "editMessageText", args });
      if (behave.edit) throw behave.edit;
      return true;
    },
  };
  return { api: api as unknown as Api, calls };
}

describe("Telegram alert sink", () => {
  it("sends HTML, silently when asked, and returns the message id", async () => {
    const { api, calls } = fakeApi({});
    const sink = createTelegramAlertSink(api);
    expect(await sink.send(5, "<b>x</b>", { silent: true })).toEqual({ messageId: 77 });
    expect(calls[0]!.args[0]).toBe(5);
    expect(calls[0]!.args[2]).toMatchObject({ parse_mode: "HTML", disable_notification: true });
  });

  it("turns 429 retry_after into a retryable error with the wait in ms", async () => {
    const { api } = fakeApi({ send: err(429, "Too Many Requests: retry after 7", { retry_after: 7 }) });
    const e = await createTelegramAlertSink(api)
      .send(1, "x", { silent: false })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AlertDeliveryError);
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 7000 });
  });

  it("5xx and network errors are retryable; 400/403 are not", async () => {
    const cases: Array<[unknown, boolean]> = [
      [err(502, "Bad Gateway"), true],
      [new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET")), true],
      [err(400, "Bad Request: chat not found"), false],
      [err(403, "Forbidden: bot was blocked by the user"), false],
    ];
    for (const [thrown, retryable] of cases) {
      const { api } = fakeApi({ send: thrown });
      const e = await createTelegramAlertSink(api)
        .send(1, "x", { silent: false })
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ retryable });
    }
  });

  it("treats 'message is not modified' as success and flags a vanished message", async () => {
    const same = fakeApi({ edit: err(400, "Bad Request: message is not modified") });
    await expect(createTelegramAlertSink(same.api).edit(1, 2, "x")).resolves.toBeUndefined();
    const gone = fakeApi({ edit: err(400, "Bad Request: message to edit not found") });
    await expect(createTelegramAlertSink(gone.api).edit(1, 2, "x")).rejects.toMatchObject({
      gone: true,
      retryable: false,
    });
  });
});
