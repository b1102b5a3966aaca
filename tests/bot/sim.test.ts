/**
 * The bot end to end against the simulated exchange: real KalshiClient over signed HTTP on
 * 127.0.0.1, real trading services, the bot on LocalBotApi. Each test starts its own sim.
 */
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { USER as SIM_USER } from "../../src/sim/engine.js";
import { GROUP_CHAT, makeSimStack, type SimStack, STRANGER, USER } from "./simHarness.js";

let s: SimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const EXPIRED = "This button has expired.";
const QUOTE_EXPIRED = "This quote has expired or was already answered; this tap placed nothing.";
/** Anything that looks like a stack trace or a raw error in a phone message. */
const STACKY = /\n\s+at |Error:|KalshiApiError|KalshiNetworkError|undefined|\[object/;

async function start(opts?: Parameters<typeof makeSimStack>[0]): Promise<SimStack> {
  s = await makeSimStack(opts);
  return s;
}

/** Buys `n` YES of `ticker` with a crossing limit (fills at once); returns the position afterwards. */
async function buyYes(st: SimStack, ticker: string, n: number, limit = "0.60"): Promise<void> {
  await st.say(`/buy ${ticker} yes ${n} @${limit}`);
  await st.tap("Confirm");
  expect(st.last().text).toContain(`Bought ${n} contract`);
}

function callbackAnswer(st: SimStack, u: { callback_query?: { id: string } }): string | undefined {
  return st.api.callbackAnswers.get(u.callback_query!.id)?.text;
}

describe("the bot against the sim", () => {
  it("/buy TICKER yes 3 → Market → Confirm: the result shows the order id and fill, the sim holds it", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    const ask = st.sim.engine.top(t).ask!;
    await st.say(`/buy ${t} yes 3`);
    await st.tap("Market");
    const card = st.last();
    expect(card.text).toContain("Please confirm");
    expect(card.text).toContain(`Buy 3 contracts YES at market`);
    expect(st.userOrders()).toHaveLength(0);

    await st.tap("Confirm");
    const orders = st.userOrders();
    expect(orders).toHaveLength(1);
    const o = orders[0]!;
    const result = st.api.messages(USER).find((m) => m.messageId === card.messageId)!;
    // Confirm, Back and Cancel are gone; the filled result offers Again (issue 13).
    expect((result.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.text)).toEqual(["🔁 Again"]);
    expect(result.text).toContain(`Bought 3 contracts YES at avg $${(ask / 1e6).toFixed(2)}`);
    expect(result.text).toContain(`Order id: ${o.orderId}`);
    expect(result.text).toContain("Status: executed");
    expect(o.status).toBe("executed");
    expect(o.filled).toBe(300);
    expect(st.position(t)).toBe(300);
    expect(st.sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("step by step limit NO order rests, /orders lists it with a Cancel button, the tap cancels it on the sim", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say("/buy");
    expect(st.last().text).toContain("Which market?");
    await st.say("temperature nyc");
    expect(st.last().text).toContain(t);
    const listMsg = st.api.findButton(USER, "45° to 46°")!.messageId;
    await st.tap("45° to 46°");
    const picked = st.api.messages(USER).find((m) => m.messageId === listMsg)!;
    expect(picked.text).toContain(`Which market? → ${t} (`);
    expect(picked.replyMarkup).toBeUndefined();
    expect(st.last().text).toContain("Buy YES or NO?");
    const sideMsg = st.last().messageId;
    await st.tap(/^NO /);
    expect(st.api.messages(USER).find((m) => m.messageId === sideMsg)!.text).toContain("Buy YES or NO? → NO");
    expect(st.last().text).toContain("How many NO contracts?");
    await st.say("4");
    await st.tap("Limit");
    expect(st.last().text).toContain("Send the limit price for NO");
    await st.say("12c"); // NO ask is about $0.70: this rests
    expect(st.last().text).toContain("Buy 4 contracts NO limit $0.12");
    await st.tap("Confirm");
    expect(st.last().text).toContain("Order placed");
    expect(st.last().text).toContain("Resting: 4 contracts at $0.12");

    const [o] = st.userOrders();
    expect(o).toMatchObject({ ticker: t, side: "ask", price: 880_000, remaining: 400, status: "resting" });
    expect(st.last().text).toContain(o!.orderId);

    await st.say("/orders");
    const list = st.last();
    expect(list.text).toContain("Resting orders (1)");
    expect(list.text).toContain(o!.orderId);
    // The ask the sim holds (YES at $0.88) is shown as what the user asked for.
    expect(list.text).toContain("Buy 4 NO @ $0.12");
    expect(list.text).toContain("4 of 4 left");
    const cancelButton = st.api.findButton(USER, "Cancel 1:")!;
    await st.tap("Cancel 1:");
    expect(st.userOrders()[0]!.status).toBe("canceled");
    // A double tap (the same button data again) is expired and sends no second cancel to Kalshi.
    const cancels = () => st.exchangeCalls.filter((c) => /cancel/i.test(c)).length;
    expect(cancels()).toBe(1);
    const again = await st.api.tap(USER, USER, cancelButton.messageId, cancelButton.data);
    expect(callbackAnswer(st, again)).toBe(EXPIRED);
    expect(cancels()).toBe(1);
    const after = st.api.messages(USER).find((m) => m.messageId === list.messageId)!;
    expect(after.text).toContain(`Canceled order ${o!.orderId}`);
    expect(after.text).toContain("No resting orders.");
    expect(st.sim.engine.moneyDiscrepancy()).toBe(0);
  });

  it("/sell sells the whole position picked from the position buttons", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await buyYes(st, t, 5);
    expect(st.position(t)).toBe(500);

    await st.say("/sell");
    expect(st.last().text).toContain("Which position do you want to sell?");
    expect(st.buttons()).toEqual([expect.stringMatching(/^45° to 46° · YES ×5 · Highest/), "Cancel"]);
    await st.tap(/YES ×5/);
    await st.tap("All 5");
    await st.tap("Market");
    expect(st.last().text).toContain("Sell 5 contracts YES at market");
    await st.tap("Confirm");
    expect(st.last().text).toContain("Sold 5 contracts YES");
    expect(st.position(t)).toBe(0);
    const sells = st.userOrders().filter((o) => o.side === "ask");
    expect(sells).toHaveLength(1);
    expect(sells[0]!.reduceOnly).toBe(true);
  });

  it("/status of a filled sell shows what the sale brought in (YES price × count), not the NO side's cost", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await buyYes(st, t, 5);
    await st.say(`/sell ${t} yes 5`);
    await st.tap("Market");
    await st.tap("Confirm");
    expect(st.last().text).toContain("Sold 5 contracts YES");
    const sell = st.userOrders().find((o) => o.side === "ask")!;
    const fills = st.sim.engine.state.fills.filter((f) => f.orderId === sell.orderId);
    expect(fills.length).toBeGreaterThan(0);
    // By hand: each fill's YES price × its count (centi-contracts), in micro-dollars.
    const received = fills.reduce((a, f) => a + (f.price * f.count) / 100, 0);
    const noCost = fills.reduce((a, f) => a + ((1_000_000 - f.price) * f.count) / 100, 0);
    expect(received).not.toBe(noCost);
    await st.say(`/status ${sell.orderId}`);
    const text = st.last().text;
    expect(text).toContain("Sell 5 YES @");
    expect(text).toContain(`Filled 5 of 5 (received $${(received / 1e6).toFixed(2)}, fees`);
    expect(text).not.toContain(`$${(noCost / 1e6).toFixed(2)}`);
  });

  it("/history's realized P&L includes a settlement and equals /portfolio's 7-day realized P&L", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await buyYes(st, t, 5);
    st.sim.settle(t, "yes");
    // By hand: 5 YES pay $5.00 at settlement; they cost price × count plus the fees of their fills.
    const fills = st.sim.engine.state.fills.filter((f) => f.accountId === SIM_USER && f.ticker === t);
    const paid = fills.reduce((a, f) => a + (f.price * f.count) / 100 + f.fee, 0);
    const pnl = `+$${((5_000_000 - paid) / 1e6).toFixed(2)}`;

    await st.say("/portfolio");
    expect(st.last().text).toContain(`7d ${pnl}`);
    await st.say("/history");
    const text = st.last().text;
    expect(text).toContain(`Settled 5 YES ${t}: YES won, paid $5.00 P&L ${pnl}`);
    expect(text).toContain(`realized ${pnl} (trades $0.00, settlements ${pnl})`);
  });

  it("/portfolio shows the position valued at the sim's prices", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await buyYes(st, t, 5);
    const top = st.sim.engine.top(t);
    const bid = top.bid!; // valued at the YES bid it could sell at
    const balance = st.sim.engine.user.balance;

    await st.say("/portfolio");
    const text = st.last().text;
    expect(text).toContain(t);
    expect(text).toContain("5 contracts YES");
    expect(text).toContain(`now $${(bid / 1e6).toFixed(2)}`);
    expect(text).toContain(`value $${((bid * 5) / 1e6).toFixed(2)}`);
    expect(text).toContain(`Cash: $${(balance / 1e6).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`);
  });

  it("/history lists the fills and /export sends a CSV whose rows are the fills", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    const t2 = st.market("KXFED", "-T3.75");
    await st.say("/export");
    expect(st.last().text).toBe("🧪 SIM\nNo trades to export in the last 7 days.");
    expect(st.last().document).toBeUndefined();
    await buyYes(st, t, 2);
    await buyYes(st, t2, 1, "0.50");
    const fills = st.sim.engine.state.fills.filter((f) => f.accountId === SIM_USER);
    expect(fills.length).toBeGreaterThanOrEqual(2);

    await st.say("/history");
    const h = st.last().text;
    expect(h).toContain(`${fills.length} fill`);
    expect(h).toContain(t);
    expect(h).toContain(t2);

    await st.say("/export 7d");
    const doc = st.last().document!;
    expect(doc).toBeDefined();
    expect(doc.fileName).toMatch(/\.csv$/);
    expect(doc.caption).toContain(`${fills.length} row`);
    const rows = parse(doc.bytes, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toHaveLength(fills.length);
    expect(new Set(rows.map((r) => r.fill_id))).toEqual(new Set(fills.map((f) => f.tradeId)));
    expect(new Set(rows.map((r) => r.order_id))).toEqual(new Set(st.userOrders().map((o) => o.orderId)));
    expect(rows.every((r) => r.environment === "sim" && r.action === "buy" && r.source === "bot")).toBe(true);
  });

  it("a double tap on Confirm (sequential and concurrent) places exactly one order", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} yes 2 @0.60`);
    const btn = st.api.findButton(USER, "Confirm")!;
    const [a, b] = await Promise.all([
      st.api.tap(USER, USER, btn.messageId, btn.data),
      st.api.tap(USER, USER, btn.messageId, btn.data),
    ]);
    const third = await st.api.tap(USER, USER, btn.messageId, btn.data);
    expect(st.userOrders()).toHaveLength(1);
    expect(st.position(t)).toBe(200);
    expect([callbackAnswer(st, a), callbackAnswer(st, b), callbackAnswer(st, third)]).toEqual([
      undefined,
      QUOTE_EXPIRED, // the card still showed Confirm when it was tapped
      EXPIRED, // the card had lost its keyboard
    ]);
    expect(st.texts().filter((x) => x.includes("Bought 2 contracts"))).toHaveLength(1);
  });

  it("a Confirm tapped after the quote expired places nothing and shows a fresh card", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} yes 2 @0.60`);
    const card = st.last();
    st.clock.offsetMs += 61_000;
    await st.tap("Confirm");
    expect(st.userOrders()).toHaveLength(0);
    expect(st.api.messages(USER).find((m) => m.messageId === card.messageId)!.text).toContain(
      "This quote expired; nothing was placed.",
    );
    expect(st.last().text).toContain("Please confirm");
    expect(st.last().messageId).not.toBe(card.messageId);
  });

  it("a stranger and a group chat cause no request to the exchange", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    for (const text of [`/buy ${t} yes 3 @0.60`, "/portfolio", "/orders", "/export", `/market ${t}`]) {
      await st.api.sendText(STRANGER, STRANGER, text);
      await st.api.sendText(USER, GROUP_CHAT, text, { chatType: "group" });
      await st.api.sendText(STRANGER, GROUP_CHAT, text, { chatType: "supergroup" });
    }
    expect(st.exchangeCalls).toEqual([]);
    expect(st.userOrders()).toHaveLength(0);
    expect(st.api.botMessages(STRANGER).map((m) => m.text)).toEqual(["This bot is private."]);
    expect(st.api.botMessages(GROUP_CHAT)).toEqual([]);
  });

  it("bad counts, prices, tickers and forged buttons get a clear sentence and place nothing", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    const btc = st.market("KXBTCD", "-T94999.99");

    await st.say(`/buy ${t} yes abc`);
    expect(st.texts()).toContainEqual(expect.stringContaining("“abc” is not a number of contracts"));
    expect(st.last().text).toContain("How many YES contracts?");
    await st.say("-3");
    expect(st.last().text).toContain("“-3” is not a number of contracts");
    await st.say("0");
    expect(st.last().text).toContain("“0” is not a number of contracts");
    // The cap is checked at the count, which is asked again (issue 16).
    await st.say("500");
    expect(st.last().text).toContain("500 contracts is above your limit of 100 per order");
    expect(st.last().text).toContain("How many YES contracts?");
    await st.say("/cancel");

    await st.say(`/buy ${t} yes 3 @1.50`);
    expect(st.texts()).toContainEqual(expect.stringContaining("a price is between $0.01 and $0.99"));
    await st.say("/cancel");
    expect(st.last().text).toContain("Stopped. Nothing was placed.");

    // Off the market's price grid (1¢ steps between $0.10 and $0.90).
    await st.say(`/buy ${btc} yes 1 @0.4555`);
    expect(st.last().text).toContain("$0.4555 is not on this market's $0.01 steps: $0.45 or $0.46?");
    expect(st.last().text).not.toContain("Please confirm");
    await st.say("/cancel");

    await st.say("/buy NOPE-26NOV25-X yes 1 @0.40");
    expect(st.texts()).toContainEqual(
      expect.stringContaining("There is no market with ticker NOPE-26NOV25-X."),
    );
    expect(st.last().text).toContain("Which market?");
    await st.say("/cancel");

    await st.say(`/buy ${t} yes 1 @0.60`);
    const card = st.last();
    const real = st.api.findButton(USER, "Confirm")!.data;
    for (const data of [real.replace(/\.[^.]+$/, ".AAAAAAAA"), real.replace(/ok1/, "ok2"), "t:x:ok1"]) {
      const u = await st.api.tap(USER, USER, card.messageId, data);
      expect(callbackAnswer(st, u)).toBe(EXPIRED);
    }
    await st.say("/cancel");
    expect(st.userOrders()).toHaveLength(0);
    for (const m of st.api.botMessages(USER)) expect(m.text).not.toMatch(STACKY);
  });
});

describe("buying against a position in the other outcome", () => {
  it("holding 10 NO with $2.00, /buy 10 YES at market: the card and the result say it sells the NO", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} no 10`);
    await st.tap("Market");
    await st.tap("Confirm");
    expect(st.last().text).toContain("Bought 10 contracts NO");
    expect(st.position(t)).toBe(-1000);
    st.sim.engine.user.balance = 2_000_000 as typeof st.sim.engine.user.balance; // $2.00

    const yesAsk = st.sim.engine.top(t).ask!;
    await st.say(`/buy ${t} yes 10`);
    await st.tap("Market");
    const card = st.last().text;
    expect(card).toContain("Buy 10 contracts YES at market");
    expect(card).toContain("This sells your 10 NO (closing them) and buys 0 YES.");
    expect(card).not.toContain("Est. cost");
    expect(card).not.toContain("Max payout: $10.00");
    await st.tap("Confirm");
    const done = st.last().text;
    // Filled at the best YES ask: the NO went at its complement.
    const noPrice = ((1_000_000 - yesAsk) / 1e6).toFixed(2);
    expect(done).toContain(`Sold your 10 NO (closing them) at avg $${noPrice}`);
    expect(done).not.toContain("Bought");
    expect(st.position(t)).toBe(0);
    expect(st.sim.engine.user.balance).toBeGreaterThan(2_000_000);
  });
});

describe("exchange failures while confirming", () => {
  it("a 500 that outlasts the retries: one plain sentence, no contradiction, no order", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} yes 2 @0.60`);
    const card = st.last();
    st.sim.addFault({ path: "/portfolio/events/orders", method: "POST", kind: "500", count: 10 });
    await st.tap("Confirm");
    const text = st.api.messages(USER).find((m) => m.messageId === card.messageId)!.text;
    expect(text).toContain("Kalshi had an internal problem (HTTP 500)");
    expect(text).toContain("/orders");
    expect(text).not.toMatch(STACKY);
    expect(text).not.toMatch(/nothing was (changed|placed)/i); // the outcome is unknown
    expect(st.userOrders()).toHaveLength(0);
  });

  it("a read that keeps failing (/orders, /portfolio) is answered with one sentence; no secret is logged", async () => {
    const st = await start();
    st.sim.addFault({ path: "/portfolio", method: "GET", kind: "500", count: 100 });
    await st.say("/orders");
    expect(st.last().text).toBe(
      "🧪 SIM\nKalshi had an internal problem (HTTP 500); nothing was changed, try again in a minute.",
    );
    await st.say("/portfolio");
    expect(st.last().text).toContain("Kalshi had an internal problem (HTTP 500)");
    st.sim.clearFaults();
    await st.say("/orders");
    expect(st.last().text).toContain("No resting orders.");
    const logged = JSON.stringify(st.logs);
    expect(logged).toContain("HTTP 500"); // the failures were logged…
    const pemBody = st.sim.privateKeyPem.split("\n")[1]!;
    expect(logged).not.toContain(pemBody); // …without the key
    expect(logged).not.toContain(st.sim.keyId);
  });

  it("a dropped connection after the sim took the order: exactly one order and the user sees it", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} yes 2 @0.60`);
    const card = st.last();
    st.sim.addFault({
      path: "/portfolio/events/orders",
      method: "POST",
      kind: "drop_after_accept",
      count: 10,
    });
    await st.tap("Confirm");
    expect(st.userOrders()).toHaveLength(1);
    expect(st.position(t)).toBe(200);
    const text = st.api.messages(USER).find((m) => m.messageId === card.messageId)!.text;
    expect(text).not.toMatch(STACKY);
    expect(text).toContain(st.userOrders()[0]!.orderId);
  });

  it("the order got in but neither the answer nor any lookup came back: the user is told to check, /orders shows the one order", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} yes 2 @0.12`); // rests
    const card = st.last();
    st.sim.addFault({
      path: "/portfolio/events/orders",
      method: "POST",
      kind: "drop_after_accept",
      count: 10,
    });
    st.sim.addFault({ path: "/portfolio/orders", method: "GET", kind: "500", count: 1000 });
    await st.tap("Confirm");
    const text = st.api.messages(USER).find((m) => m.messageId === card.messageId)!.text;
    expect(text).toContain("it is not known whether Kalshi acted on it");
    expect(text).toContain("I couldn't check your orders just now. Check /portfolio and /orders");
    expect(text).not.toMatch(/nothing was (changed|placed)/i);
    expect(text).not.toMatch(STACKY);
    expect(st.userOrders()).toHaveLength(1);

    st.sim.clearFaults();
    await st.say("/orders");
    expect(st.last().text).toContain("Resting orders (1)");
    expect(st.last().text).toContain(st.userOrders()[0]!.orderId);
  });

  it("a market closed between quote and Confirm: the refusal says nothing was placed and nothing else", async () => {
    const st = await start();
    const t = st.market("KXHIGHNY", "-B45");
    await st.say(`/buy ${t} yes 2 @0.60`);
    const card = st.last();
    st.sim.closeMarket(t);
    await st.tap("Confirm");
    const text = st.api.messages(USER).find((m) => m.messageId === card.messageId)!.text;
    expect(text).toContain("not open for trading");
    expect(text).not.toMatch(/couldn't confirm|not known|checking/i);
    expect(text).not.toMatch(STACKY);
    expect(st.userOrders()).toHaveLength(0);
  });
});
