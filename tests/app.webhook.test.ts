/**
 * Webhook mode on the real wiring: the bot listens on WEBHOOK_PORT with grammY's node:http adapter,
 * registers the URL and a secret with setWebhook at start, refuses requests without that secret (401,
 * nothing handled), handles a re-delivered update_id once, and health says which mode runs. Long
 * polling (the default) removes a webhook left from before, or Telegram would refuse getUpdates.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it } from "vitest";
import { type AppHarness, OWNER, startAppHarness, until } from "./support/appHarness.js";
import { loadConfig } from "../src/config.js";
import { RecentIds } from "../src/bot/webhook.js";
import type { HealthResponse } from "../src/health.js";

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const HOOK_URL = "https://bot.example.com/telegram/hook";

async function post(port: number, update: unknown, secret?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/telegram/hook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret !== undefined ? { "x-telegram-bot-api-secret-token": secret } : {}),
    },
    body: JSON.stringify(update),
  });
}

async function startWebhookApp(env: Record<string, string> = {}) {
  h = await startAppHarness({
    health: true,
    env: { TELEGRAM_WEBHOOK_URL: HOOK_URL, WEBHOOK_PORT: "0", ...env },
  });
  const port = h.app.webhook!.port;
  const secret = h.api.webhook?.secretToken ?? "";
  return { h, port, secret };
}

/** Bot messages in the owner's chat answering /help (its first line names the commands). */
const helpAnswers = (hh: AppHarness) => hh.botMessages(OWNER).filter((m) => /\/buy/.test(m.text));

describe("webhook mode", () => {
  it("calls setWebhook at start with the URL, a secret and the update kinds polling asks for; no deleteWebhook", async () => {
    const { h, secret } = await startWebhookApp();
    expect(h.api.callsOf("setWebhook")).toHaveLength(1);
    expect(h.api.callsOf("deleteWebhook")).toHaveLength(0);
    expect(h.api.webhook?.url).toBe(HOOK_URL);
    // No TELEGRAM_WEBHOOK_SECRET: a random one, long enough not to be guessed.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(h.api.webhook?.allowedUpdates).toEqual(["message", "callback_query"]);
    const health = (await (await fetch(h.app.health!.url)).json()) as HealthResponse;
    expect(health.checks.polling).toMatchObject({ ok: true, mode: "webhook" });
    expect(health.status).toBe("ok");
  });

  it("a request without the secret or with a wrong one gets 401 and nothing is handled", async () => {
    const { h, port, secret } = await startWebhookApp();
    // The fake builds the update; the test posts it the way Telegram would (or would not).
    const updates: Update[] = [];
    h.api.setHandler(async (u) => void updates.push(u));
    await h.api.sendText(OWNER, OWNER, "/help");
    const update = updates[0]!;
    const noSecret = await post(port, update);
    const wrong = await post(port, update, `${secret.slice(0, -1)}x`);
    expect(noSecret.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain(secret);
    // A later update of the same chat, with the secret, is answered: had a refused one been taken, its
    // answer would have come first (one queue per chat, in order).
    h.api.setHandler(async (u) => void (await post(port, u, secret)));
    await h.api.sendText(OWNER, OWNER, "/balance");
    await h.waitForText(/Cash/);
    expect(helpAnswers(h)).toHaveLength(0);
    // The refused update, now with the secret, is handled: a refusal does not mark it as seen.
    const since = h.mark();
    expect((await post(port, update, secret)).status).toBe(200);
    await h.waitForText(/\/buy/, since);
    expect(helpAnswers(h)).toHaveLength(1);
  });

  it("handles an update with the right secret once, and Telegram's re-delivery of the same update_id once", async () => {
    const { h, port, secret } = await startWebhookApp({ TELEGRAM_WEBHOOK_SECRET: "my-own_secret-123" });
    expect(secret).toBe("my-own_secret-123");
    h.api.setHandler(async (u) => {
      const res = await post(port, u, secret);
      expect(res.status).toBe(200);
    });
    const first = await h.api.sendText(OWNER, OWNER, "/help");
    await until("the /help answer", () => helpAnswers(h!).length === 1);
    // Telegram did not see our 200 (say, a proxy timeout) and sends the same update again.
    expect((await post(port, first, secret)).status).toBe(200);
    // A later update is answered, so the repeat (sent before it, same chat, same queue) had its turn.
    await h.api.sendText(OWNER, OWNER, "/balance");
    await h.waitForText(/Cash/);
    expect(helpAnswers(h)).toHaveLength(1);
  });

  it("keeps the secret out of logs and health", async () => {
    const { h, port, secret } = await startWebhookApp();
    await post(port, { update_id: 1 }, "wrong");
    const health = await (await fetch(h.app.health!.url)).text();
    await h.app.stop();
    const logDir = join(h.dir, "logs");
    let logs = "";
    for (const f of await readdir(logDir, { recursive: true })) {
      if (f.endsWith(".log")) logs += await readFile(join(logDir, f), "utf8");
    }
    expect(logs).toMatch(/webhook request refused/);
    expect(logs).not.toContain(secret);
    expect(health).not.toContain(secret);
  });

  it("stopping closes the webhook server", async () => {
    const { h, port, secret } = await startWebhookApp();
    await h.app.stop();
    await expect(post(port, { update_id: 5 }, secret)).rejects.toThrow();
  });
});

describe("long polling (the default)", () => {
  it("deletes a webhook left from a webhook run, then answers over getUpdates; health says polling", async () => {
    h = await startAppHarness({ health: true, start: false });
    h.api.webhook = { url: HOOK_URL, secretToken: "left-over" };
    await h.app.start();
    expect(h.api.callsOf("deleteWebhook")).toHaveLength(1);
    expect(h.api.callsOf("setWebhook")).toHaveLength(0);
    expect(h.api.webhook).toBeNull();
    await h.ask("/help", /\/buy/);
    const health = (await (await fetch(h.app.health!.url)).json()) as HealthResponse;
    expect(health.checks.polling).toMatchObject({ ok: true, mode: "polling" });
  });
});

describe("webhook settings", () => {
  const base = { TELEGRAM_ALLOWED_USER_IDS: "1" };
  it("refuses an http:// webhook URL, a bad secret and a port out of range, all at once", () => {
    expect(() =>
      loadConfig({
        ...base,
        TELEGRAM_WEBHOOK_URL: "http://bot.example.com/hook",
        TELEGRAM_WEBHOOK_SECRET: "has spaces!",
        WEBHOOK_PORT: "70000",
      }),
    ).toThrow(
      /TELEGRAM_WEBHOOK_URL: .*must start with https:\/\/[\s\S]*WEBHOOK_PORT: 70000 is out of range[\s\S]*TELEGRAM_WEBHOOK_SECRET: may hold only letters/,
    );
  });
  it("does not echo a wrong secret", () => {
    let message = "";
    try {
      loadConfig({ ...base, TELEGRAM_WEBHOOK_URL: HOOK_URL, TELEGRAM_WEBHOOK_SECRET: "secret with space" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/TELEGRAM_WEBHOOK_SECRET/);
    expect(message).not.toContain("secret with space");
  });
  it("a port or secret without the URL is a mistake, not silent polling", () => {
    expect(() => loadConfig({ ...base, WEBHOOK_PORT: "8443" })).toThrow(/TELEGRAM_WEBHOOK_URL: missing/);
  });
  it("long polling is the default; the webhook port defaults to 8787 on 127.0.0.1", () => {
    expect(loadConfig(base).telegram.webhook).toBeUndefined();
    expect(loadConfig({ ...base, TELEGRAM_WEBHOOK_URL: HOOK_URL }).telegram.webhook).toEqual({
      url: HOOK_URL,
      port: 8787,
      host: "127.0.0.1",
    });
  });
});

describe("RecentIds", () => {
  it("remembers the last ids only, so memory stays bounded", () => {
    const r = new RecentIds(3);
    expect([1, 2, 3].map((id) => r.seen(id))).toEqual([false, false, false]);
    expect(r.seen(2)).toBe(true);
    expect(r.seen(4)).toBe(false); // 1 falls out
    expect(r.seen(1)).toBe(false);
  });
});
