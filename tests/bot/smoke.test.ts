import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "./harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("smoke", () => {
  it("help and buy", async () => {
    h = await makeHarness();
    await h.say("/help");
    console.log(h.last().text);
    await h.say("/buy KXHIGHNY-26NOV25-B45 yes 10");
    console.log(h.botTexts().slice(1), h.buttons());
    await h.tap("Market");
    console.log(h.last().text, h.buttons());
    await h.tap("Confirm");
    console.log(h.botTexts().slice(-2));
    console.log(h.api.calls.map((c) => c.method + (c.ok ? "" : " FAIL " + c.description)));
    console.log(h.logs);
  });
});
