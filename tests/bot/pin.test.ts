/**
 * TRADE_PIN: orders above PIN_ABOVE_DOLLARS and "Cancel all" ask for the PIN once per TTL; three
 * wrong PINs lock trading for 15 minutes; the PIN message is deleted and the PIN is never logged.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseDollars } from "../../src/domain/money.js";
import { type Harness, makeHarness, TICKER, USER } from "./harness.js";

const PIN = "731946";
const ASKS = "Send your trading PIN";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(aboveDollars = "5", ttlMinutes = 15): Promise<Harness> {
  h = await makeHarness({
    deps: {
      config: {
        allowedUserIds: [USER],
        envTag: "SIM",
        confirmTimeoutMs: 60_000,
        timeZone: "America/New_York",
        pin: { pin: PIN, above: parseDollars(aboveDollars), ttlMs: ttlMinutes * 60_000 },
      },
    },
  });
  return h;
}

const placed = (x: Harness) => x.world.createdOrders.length;
/** The user's messages that are still in the chat. */
const userTexts = (x: Harness) =>
  x.api
    .messages(USER)
    .filter((m) => m.from === "user" && !m.deleted)
    .map((m) => m.text);

describe("TRADE_PIN on orders", () => {
  it("a small order goes without a PIN; a big one asks, and the right PIN places it and is deleted", async () => {
    const x = await start("5");
    await x.say(`/buy ${TICKER} yes 5 @0.40`); // $2.00: under $5
    await x.tap("Confirm");
    expect(placed(x)).toBe(1);
    expect(x.botTexts().join("\n")).not.toContain(ASKS);

    await x.say(`/buy ${TICKER} yes 20 @0.40`); // $8.00: above $5
    await x.tap("Confirm");
    expect(x.last().text).toContain(ASKS);
    expect(placed(x)).toBe(1);
    const prompt = x.last();
    await x.say(PIN);
    expect(placed(x)).toBe(2);
    // The question loses its Cancel button once answered.
    const answered = x.api.messages(USER).find((m) => m.messageId === prompt.messageId)!;
    expect(answered.text).toContain("🔒 PIN accepted.");
    expect(answered.replyMarkup).toBeUndefined();
    expect(x.botTexts().join("\n")).toContain("Order placed");
    expect(userTexts(x)).not.toContain(PIN);
    expect(JSON.stringify(x.logs)).not.toContain(PIN);

    // Within the TTL no second question; after it, the PIN is asked again.
    await x.say(`/buy ${TICKER} yes 20 @0.41`);
    await x.tap("Confirm");
    expect(placed(x)).toBe(3);
    x.clock.t += 16 * 60_000;
    await x.say(`/buy ${TICKER} yes 20 @0.42`);
    await x.tap("Confirm");
    expect(x.last().text).toContain(ASKS);
    expect(placed(x)).toBe(3);
  });

  it("three wrong PINs lock trading for 15 minutes and say so; nothing is placed meanwhile", async () => {
    const x = await start("0");
    await x.say(`/buy ${TICKER} yes 2 @0.40`);
    await x.tap("Confirm");
    await x.say("1111");
    expect(x.last().text).toContain("Wrong PIN. 2 tries left");
    await x.say("2222");
    expect(x.last().text).toContain("Wrong PIN. 1 try left");
    await x.say("3333");
    expect(x.last().text).toContain("Trading is locked until Nov 24, 10:15");
    // The quote card says so too (it is settled to the same sentence).
    const locked = x.botTexts().filter((t) => t.includes("Trading is locked until Nov 24, 10:15"));
    expect(locked).toHaveLength(2);
    expect(userTexts(x)).toEqual([`/buy ${TICKER} yes 2 @0.40`]);

    // Locked: even the right PIN is not asked for; the order is refused at once.
    await x.say(`/buy ${TICKER} yes 2 @0.40`);
    await x.tap("Confirm");
    expect(x.last().text).toContain("Trading is locked until");
    expect(placed(x)).toBe(0);

    x.clock.t += 15 * 60_000;
    await x.say(`/buy ${TICKER} yes 2 @0.40`);
    await x.tap("Confirm");
    expect(x.last().text).toContain(ASKS);
    await x.say(PIN);
    expect(placed(x)).toBe(1);
    expect(JSON.stringify(x.logs)).not.toContain(PIN);
  });

  it("Cancel on the PIN question places nothing", async () => {
    const x = await start("0");
    await x.say(`/buy ${TICKER} yes 2 @0.40`);
    await x.tap("Confirm");
    await x.tap("Cancel");
    expect(placed(x)).toBe(0);
    expect(x.botTexts().join("\n")).toContain("Not placed: the trading PIN was not given.");
  });
});

describe("TRADE_PIN on Cancel all", () => {
  it("asks every time the TTL has run out, even for small orders; the right PIN cancels them", async () => {
    const x = await start("1000");
    for (const p of ["0.40", "0.41"]) {
      await x.say(`/buy ${TICKER} yes 2 @${p}`);
      await x.tap("Confirm");
    }
    expect(placed(x)).toBe(2); // small orders: no PIN
    await x.say("/orders");
    await x.tap("Cancel all");
    await x.tap("Yes, cancel all");
    expect(x.last().text).toContain(`${ASKS} to cancel all resting orders`);
    expect(await x.world.services.executor.openOrders()).toHaveLength(2);
    await x.say("9999");
    expect(x.last().text).toContain("Wrong PIN. 2 tries left");
    expect(await x.world.services.executor.openOrders()).toHaveLength(2);
    await x.say(PIN);
    expect(await x.world.services.executor.openOrders()).toHaveLength(0);
    expect(x.botTexts().join("\n")).toContain("Canceled 2 orders.");
    expect(userTexts(x).filter((t) => /^\d+$/.test(t))).toEqual([]);
    expect(JSON.stringify(x.logs)).not.toContain(PIN);
  });

  it("/cancel instead of the PIN stops and cancels nothing", async () => {
    const x = await start("1000");
    await x.say(`/buy ${TICKER} yes 2 @0.40`);
    await x.tap("Confirm");
    await x.say("/orders");
    await x.tap("Cancel all");
    await x.tap("Yes, cancel all");
    await x.say("/cancel");
    expect(x.last().text).toContain("Stopped. Nothing was done.");
    await x.say(PIN);
    expect(await x.world.services.executor.openOrders()).toHaveLength(1);
  });
});

describe("without TRADE_PIN", () => {
  it("nothing asks for a PIN", async () => {
    h = await makeHarness();
    await h.say(`/buy ${TICKER} yes 50 @0.40`);
    await h.tap("Confirm");
    expect(h.world.createdOrders).toHaveLength(1);
    expect(h.botTexts().join("\n")).not.toContain(ASKS);
  });
});
