import { PassThrough } from "node:stream";
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { setCommands } from "../../src/bot/createBot.js";
import { COMMANDS } from "../../src/bot/features/help.js";
import { runTerminalChat } from "../../src/devtools/terminalChat.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";
import { until as waitUntil } from "../support/until.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function startPolling(hh: Harness) {
  await setCommands(hh.bot);
  await new Promise<void>((resolve, reject) => {
    hh.bot.start({ drop_pending_updates: true, timeout: 2, onStart: () => resolve() }).catch(reject);
  });
}

describe("over HTTP with real long polling", () => {
  it("starts (getMe, deleteWebhook, setMyCommands), answers, and stops cleanly", async () => {
    h = await makeHarness({ http: true });
    await startPolling(h);
    expect(h.api.callsOf("getMe")).toHaveLength(1);
    expect(h.api.callsOf("deleteWebhook")).toHaveLength(1);
    expect(h.api.commands.map((c) => c.command)).toEqual(COMMANDS.map((c) => c.command));

    await h.say(`/buy ${TICKER} yes 2 @0.60`);
    await h.api.waitForCall("sendMessage", (c) => String(c.params.text).includes("Please confirm"));
    await h.tap("Confirm");
    await h.api.waitForCall("editMessageText", (c) =>
      String(c.params.text).includes("Bought 2 contracts YES"),
    );
    expect(h.world.createdOrders).toHaveLength(1);
    await h.bot.stop();
    expect(h.bot.isRunning()).toBe(false);
  });

  it("retries a 429 after retry_after", async () => {
    h = await makeHarness({ http: true });
    await startPolling(h);
    h.api.failNext("sendMessage", 1, { code: 429, retryAfter: 1 });
    const t0 = Date.now();
    await h.say("/balance");
    const ok = await h.api.waitForCall("sendMessage", (c) => c.ok);
    expect(String(ok.params.text)).toContain("Cash: $100.00");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(h.api.callsOf("sendMessage").filter((c) => c.errorCode === 429)).toHaveLength(1);
  });

  it("a Telegram 500 is logged and the bot keeps running", async () => {
    h = await makeHarness({ http: true, deps: { autoRetry: { rethrowInternalServerErrors: true } } });
    await startPolling(h);
    h.api.failNext("sendMessage", 2, { code: 500 });
    await h.say("/help");
    await h.api.waitForCall("sendMessage", (c) => c.errorCode === 500);
    await h.say("/balance");
    await h.api.waitForCall("sendMessage", (c) => c.ok && String(c.params.text).includes("Cash"));
    expect(h.logs.some((l) => l.level === "error" && l.code === 500)).toBe(true);
  });

  it("the terminal chat shows messages, taps numbered buttons and saves documents", async () => {
    h = await makeHarness({ http: true });
    await startPolling(h);
    h.world.addPastFill({ time: h.clock.t - 3_600_000, ticker: "KXT-1" });
    const input = new PassThrough();
    const output = new PassThrough();
    let out = "";
    output.on("data", (d: Buffer) => (out += d.toString()));
    const done = runTerminalChat({
      api: h.api,
      userId: USER,
      input,
      output,
      downloadsDir: `${h.dir}/downloads`,
    });
    const until = async (s: string) => {
      await waitUntil(`"${s}" printed`, () => out.includes(s)).catch(() => undefined);
      expect(out).toContain(s);
    };
    input.write(`/buy ${TICKER} yes 2 @0.60\n`);
    await until("[1] ✅ Confirm (green)\n     [2] ◀ Back  [3] Cancel");
    input.write("1\n");
    await until("Bought 2 contracts YES");
    input.write("/export\n");
    await until("saved to");
    const path = /saved to (\S+)/.exec(out)![1]!;
    expect(await readFile(path, "utf8")).toContain("KXT-1");
    input.write("/quit\n");
    await done;
    expect(h.world.createdOrders).toHaveLength(1);
  });
});
