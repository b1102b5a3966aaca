import { afterEach, describe, expect, it } from "vitest";
import { LocalBotApi } from "../support/fakeTelegram.js";
import { until } from "../support/until.js";

let api: LocalBotApi;
afterEach(async () => {
  await api?.close();
});

async function call(method: string, body: unknown, token = api.token) {
  const res = await fetch(`${api.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { ok: boolean; result?: unknown; error_code?: number; description?: string };
}

describe("LocalBotApi", () => {
  it("answers unknown methods and wrong tokens with errors", async () => {
    api = new LocalBotApi();
    await api.listen();
    expect(await call("sendVoice", { chat_id: 1 })).toMatchObject({ ok: false, error_code: 404 });
    expect(await call("getMe", {}, "1:wrong")).toMatchObject({ ok: false, error_code: 401 });
    expect(await call("sendMessage", { chat_id: 1, text: "<b>bad", parse_mode: "HTML" })).toMatchObject({
      ok: false,
      error_code: 400,
    });
  });

  it("long polls: getUpdates waits until an update arrives, and confirms by offset", async () => {
    api = new LocalBotApi();
    await api.listen();
    // A 30 s long poll (the server's longest): it only ends within the 20 s test timeout if the update
    // wakes it, so no elapsed-time check is needed.
    let settled = false;
    const pending = call("getUpdates", { offset: 0, timeout: 30 }).finally(() => (settled = true));
    // The server holds the poll (a poll answered at once with no updates never shows up as held).
    await until("the long poll held by the server", () => api.heldPolls === 1);
    expect(settled, "getUpdates answered before any update arrived").toBe(false);
    await api.sendText(7, 7, "hi");
    const r = (await pending) as { result: { update_id: number; message: { text: string } }[] };
    expect(r.result[0]!.message.text).toBe("hi");
    const next = (await call("getUpdates", { offset: r.result[0]!.update_id + 1, timeout: 0 })) as {
      result: unknown[];
    };
    expect(next.result).toEqual([]);
  });

  it("a client that goes away ends its long poll; close() ends pending polls", async () => {
    api = new LocalBotApi();
    await api.listen();
    const ac = new AbortController();
    const p = fetch(`${api.apiRoot}/bot${api.token}/getUpdates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ timeout: 30 }),
      signal: ac.signal,
    }).catch(() => "aborted");
    await until("the long poll held by the server", () => api.heldPolls === 1);
    ac.abort();
    expect(await p).toBe("aborted");
    // The server let the poll go when its client left (not 30 s later).
    await until("the server to let the abandoned poll go", () => api.heldPolls === 0);
    // The queued update is still there for the next poll.
    await api.sendText(7, 7, "later");
    const r = (await call("getUpdates", { timeout: 1 })) as { result: unknown[] };
    expect(r.result).toHaveLength(1);
  });

  it("keeps each chat's messages after edits and records answers to taps", async () => {
    api = new LocalBotApi();
    await api.listen();
    const sent = (await call("sendMessage", {
      chat_id: 5,
      text: "<b>Hi</b> &amp; bye",
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] },
    })) as { result: { message_id: number } };
    expect(api.lastBotMessage(5)).toMatchObject({ text: "Hi & bye", raw: "<b>Hi</b> &amp; bye" });
    const u = await api.tapButton(5, 5, "Go");
    await call("answerCallbackQuery", { callback_query_id: u.callback_query!.id, text: "ok" });
    expect(api.callbackAnswers.get(u.callback_query!.id)).toEqual({ text: "ok" });
    await call("editMessageText", { chat_id: 5, message_id: sent.result.message_id, text: "done" });
    expect(api.lastBotMessage(5)).toMatchObject({ text: "done", edits: 1 });
    expect(api.lastBotMessage(5)!.replyMarkup).toBeUndefined();
    expect(
      await call("editMessageText", { chat_id: 5, message_id: sent.result.message_id, text: "done" }),
    ).toMatchObject({
      ok: false,
      description: expect.stringContaining("message is not modified"),
    });
  });
});
