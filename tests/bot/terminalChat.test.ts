import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type Choice, interpretLine, runTerminalChat, START_HINT } from "../../src/devtools/terminalChat.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";
import { until as waitUntil } from "../support/until.js";

const choice = (label: string, i: number): Choice => ({ messageId: 7, label, data: `d${i}` });
const count = ["1", "5", "10", "25", "Cancel"].map(choice);
const confirm = ["✅ Confirm", "Cancel"].map(choice);

describe("interpretLine", () => {
  it("on a numeric keyboard that asks for a value, a number is that value", () => {
    expect(interpretLine("10", count, true)).toEqual({ kind: "tap", choice: count[2] });
    expect(interpretLine("5", count, true)).toEqual({ kind: "tap", choice: count[1] });
    // 3 is no label: 3 contracts, not the third button (10).
    expect(interpretLine("3", count, true)).toEqual({ kind: "text", text: "3" });
    expect(interpretLine("'10", count, true)).toEqual({ kind: "text", text: "10" });
  });

  it("numbers that are visible choices stay taps; others go as text only when a value is asked", () => {
    expect(interpretLine("2", confirm, true)).toEqual({ kind: "tap", choice: confirm[1] });
    expect(interpretLine("42", confirm, true)).toEqual({ kind: "text", text: "42" });
    expect(interpretLine("42", confirm, false)).toMatchObject({ kind: "hint" });
    expect(interpretLine("'2", confirm, false)).toEqual({ kind: "text", text: "2" });
    expect(interpretLine("7", [], false)).toEqual({ kind: "text", text: "7" });
    expect(interpretLine(" /quit ", confirm, false)).toEqual({ kind: "quit" });
    expect(interpretLine("  ", confirm, false)).toEqual({ kind: "skip" });
    // A PIN such as 0001 at "Send your trading PIN" ([1] Cancel) is text, not button 1.
    expect(interpretLine("0001", [choice("Cancel", 0)], true)).toEqual({ kind: "text", text: "0001" });
  });

  it("a button's label taps it, also on a keyboard of numbers (Limit… and $ amount beside the counts)", () => {
    const [usdAmount, limit, ok] = [choice("$ amount", 5), choice("Limit…", 6), choice("✅ Confirm", 7)];
    const withWords = [...count, usdAmount, limit, ok];
    expect(interpretLine("limit", withWords, true)).toEqual({ kind: "tap", choice: limit });
    expect(interpretLine("$ amount", withWords, true)).toEqual({ kind: "tap", choice: usdAmount });
    expect(interpretLine("Confirm", withWords, false)).toEqual({ kind: "tap", choice: ok });
    expect(interpretLine("$25", withWords, true)).toEqual({ kind: "text", text: "$25" });
  });
});

describe("runTerminalChat", () => {
  let h: Harness | undefined;
  let input: PassThrough | undefined;
  afterEach(async () => {
    input?.end();
    await h?.close();
  });

  it("answers typed prompts with numbers and still taps numbered buttons", async () => {
    h = await makeHarness();
    input = new PassThrough();
    const output = new PassThrough();
    let out = "";
    output.on("data", (d: Buffer) => (out += d.toString()));
    const done = runTerminalChat({ api: h.api, userId: USER, input, output, downloadsDir: `${h.dir}/dl` });
    let seen = 0;
    /** Waits until `s` appears in output printed after the previous step. */
    const until = async (s: string) => {
      await waitUntil(`"${s}" printed`, () => out.slice(seen).includes(s)).catch(() => undefined);
      expect(out.slice(seen)).toContain(s);
      seen = out.indexOf(s, seen) + s.length;
    };
    const type = async (line: string, expectText: string) => {
      input!.write(line + "\n");
      await until(expectText);
    };

    await until(START_HINT);
    await type(`/buy ${TICKER} yes`, "How many YES contracts?");
    await type("3", "Market order or limit order?"); // no button "3": three contracts
    await type("9", "(no button 9; choose 1–4, or type '9 to send it as text)");
    await type("2", "you tapped> Limit");
    await until("Send the limit price");
    await type("42", "Please confirm");
    expect(out.slice(seen)).toContain("[1] ✅ Confirm (green)\n     [2] ◀ Back  [3] Cancel");
    await type("1", "you tapped> ✅ Confirm");
    await until("Order placed");

    await type(`/buy ${TICKER} yes`, "How many YES contracts?");
    // A tapped count buys at market: the quote comes next (issue 13).
    await type("10", "you tapped> 10");
    await until("Please confirm");
    await type("3", "you tapped> Cancel");
    await until("Canceled. Nothing was placed.");
    input.write("/quit\n");
    await done;

    const orders = h.world.createdOrders;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ initialCount: 300, yesPrice: 420_000 });
  });
});

describe("runTerminalChat toasts", () => {
  let h: Harness | undefined;
  let input: PassThrough | undefined;
  afterEach(async () => {
    input?.end();
    await h?.close();
  });

  it("prints Telegram's toast answers to taps as lines (an expired button says so)", async () => {
    h = await makeHarness();
    input = new PassThrough();
    const output = new PassThrough();
    let out = "";
    output.on("data", (d: Buffer) => (out += d.toString()));
    const done = runTerminalChat({ api: h.api, userId: USER, input, output, downloadsDir: `${h.dir}/dl` });
    const printed = (s: string) =>
      waitUntil(`"${s}" printed`, () => out.includes(s))
        .catch(() => undefined)
        .then(() => expect(out).toContain(s));
    await printed(START_HINT);
    input.write(`/buy ${TICKER} yes 2 @0.40\n`);
    await printed("Please confirm");
    const old = h.api.findButton(USER, "Confirm")!;
    input.write("/cancel\n");
    await printed("Stopped. Nothing was placed.");
    // The card's old Confirm is tapped (as a phone that still shows it would; /cancel took its buttons away).
    await h.api.tap(USER, USER, old.messageId, old.data);
    await printed("toast> This button has expired.");
    input.write("/quit\n");
    await done;
  });
});
