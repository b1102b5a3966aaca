/**
 * 1 000 generated malformed inputs from the owner, through the real wiring in process: commands with junk
 * arguments, impossible counts and prices, HTML and emoji in tickers, 5 000-character texts and random
 * button data → no crash, every input answered, no order on the exchange.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppHarness, OWNER, startAppHarness } from "../support/appHarness.js";
import { figure, printFiguresAfterAll } from "./figures.js";

printFiguresAfterAll("malformed input");

let h: AppHarness;
let unhandled = 0;
const onUnhandled = () => {
  unhandled++;
};
beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtException", onUnhandled);
  h = await startAppHarness({
    transport: "inprocess",
    exchange: { rateLimit: false, timeoutMs: 2_000 },
  });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  process.off("uncaughtException", onUnhandled);
  await h?.stop();
});

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

const COUNTS = ["-1", "0", "1e9", "ten", "1.5", "99999999999", "-0", "0x10", "", "½", "1,000", "NaN", "∞"];
const PRICES = ["1.5", "-0.2", "0.0001", "100", "abc", "$", "1e-3", "0.", "-", "@", "¢", "0,5", "2c", "101¢"];
const TICKERS = [
  "<b>KXFED</b>",
  "KX<script>",
  "🚀🚀🚀",
  "KXFED-26DEC-T4.00&amp;",
  "NOPE-1",
  "a".repeat(300),
  "'; DROP TABLE orders;--",
  "../../etc/passwd",
  "KXHIGHNY-26NOV25-B45\u0000",
  "％ＫＸ",
];
const SIDES = ["yes", "no", "maybe", "YES!", "🟢", "", "<i>no</i>"];
const COMMANDS = [
  "buy",
  "sell",
  "market",
  "status",
  "cancel",
  "history",
  "export",
  "alerts",
  "search",
  "orders",
];

function generate(n: number): { kind: "text" | "tap"; value: string }[] {
  const r = rng(20_261_124);
  const out: { kind: "text" | "tap"; value: string }[] = [];
  const junk = () =>
    r.pick([
      "🔥".repeat(1 + Math.floor(r.next() * 50)),
      "<b>bold</b>",
      "&lt;&gt;&amp;",
      "x".repeat(5000),
      "\u202etxet",
      "   ",
      "\n\n\n",
      "/",
      "//buy",
      "1e308",
      r.pick(TICKERS),
    ]);
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    if (k <= 3) {
      const cmd = r.pick(COMMANDS);
      const parts = [`/${cmd}`];
      if (cmd === "buy" || cmd === "sell") {
        parts.push(r.pick(TICKERS), r.pick(SIDES), r.pick(COUNTS), r.pick(PRICES));
      } else if (cmd === "history" || cmd === "export") {
        parts.push(
          r.pick(["-7d", "0d", "99999d", "2026-13-45", "yesterday", "2026-11-24 2020-01-01", junk()]),
        );
      } else {
        parts.push(junk());
      }
      out.push({ kind: "text", value: parts.join(" ").slice(0, 6000) });
    } else if (k === 4) {
      // A well-formed market with bad numbers.
      out.push({
        kind: "text",
        value: `/buy KXFED-26DEC-T4.00 ${r.pick(["yes", "no"])} ${r.pick(COUNTS)} ${r.pick(PRICES)}`,
      });
    } else if (k <= 6) {
      out.push({ kind: "text", value: junk() });
    } else if (k === 7) {
      out.push({ kind: "text", value: r.pick(COUNTS.concat(PRICES)) || "?" });
    } else {
      let data = "";
      const len = 1 + Math.floor(r.next() * 64);
      for (let j = 0; j < len; j++) data += String.fromCharCode(33 + Math.floor(r.next() * 94));
      out.push({ kind: "tap", value: r.next() < 0.3 ? `buy:confirm.${data.slice(0, 8)}` : data });
    }
  }
  return out;
}

describe("malformed input", () => {
  it("1 000 malformed inputs → 0 crashes, every one answered, 0 orders", async () => {
    const { api } = h;
    const inputs = generate(1000);
    let thrown = 0;
    let silent = 0;
    // Every Telegram refusal counts, including "message is not modified" on a tap at a message without
    // a keyboard (the bot no longer tries to clear a keyboard that is not there).
    const refused: string[] = [];
    const silentExamples: string[] = [];
    for (const input of inputs) {
      const since = h.mark();
      let stale = false;
      try {
        if (input.kind === "text") await h.say(input.value);
        else {
          const msgs = h.botMessages();
          const target = msgs.findLast((m) => m.replyMarkup) ?? msgs.at(-1);
          stale = !target?.replyMarkup;
          await api.tap(OWNER, OWNER, target?.messageId ?? 1, input.value);
        }
      } catch {
        thrown++;
      }
      const answered = api.calls
        .slice(since)
        .some(
          (c) =>
            c.ok &&
            ["sendMessage", "editMessageText", "sendDocument", "answerCallbackQuery"].includes(c.method) &&
            (c.method !== "answerCallbackQuery" || typeof c.params.text === "string"),
        );
      for (const c of api.calls.slice(since).filter((c) => !c.ok)) {
        refused.push(
          `${c.method}: ${c.description} (input ${input.kind}${stale ? ", stale message" : ""}: ${input.value.slice(0, 40)})`,
        );
      }
      if (!answered) {
        silent++;
        if (silentExamples.length < 5) silentExamples.push(`${input.kind}: ${input.value.slice(0, 60)}`);
      }
    }
    const orders = h.sim.state().orders as number;

    await h.app.stop();
    const logDir = h.config.logDir;
    let caught = 0;
    for (const f of await readdir(logDir)) {
      if (!f.startsWith("app-")) continue;
      caught += (await readFile(join(logDir, f), "utf8"))
        .split("\n")
        .filter((l) => l.includes('"update failed"')).length;
    }

    expect(thrown).toBe(0);
    expect(unhandled).toBe(0);
    expect(silentExamples).toEqual([]);
    expect(silent).toBe(0);
    expect(refused).toEqual([]);
    expect(orders).toBe(0);
    figure(
      `malformed input: ${inputs.length} inputs → ${thrown + unhandled} crashes, ${silent} unanswered, ${refused.length} Bot API refusals, ${orders} orders (${caught} reached the error boundary and were logged)`,
    );
  }, 120_000); // heavy: hundreds of round trips; slow on a loaded machine (docs/reliability.md)
});
