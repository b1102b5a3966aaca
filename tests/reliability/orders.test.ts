/**
 * 100 orders through the real bot, services and Kalshi client over HTTP to the sim. Each Confirm is
 * tapped twice at once, the tap update is replayed (same update_id handled again) and the create POST's
 * response is dropped after the sim accepted the order → exactly 100 orders on the exchange.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDollars, type Micros } from "../../src/domain/money.js";
import { type AppHarness, OWNER, startAppHarness } from "../support/appHarness.js";
import { figure, printFiguresAfterAll } from "./figures.js";

printFiguresAfterAll("orders");

let h: AppHarness;
beforeAll(async () => {
  h = await startAppHarness({
    transport: "inprocess",
    exchange: { timeoutMs: 2_000, retry: { baseDelayMs: 5, maxDelayMs: 20 }, rateLimit: false },
  });
});
afterAll(async () => {
  await h?.stop();
});

const ORDERS_PATH = "/trade-api/v2/portfolio/events/orders";

describe("never twice", () => {
  it("100 orders, each double-tapped, replayed and with its create response dropped → 100 orders", async () => {
    const { api, sim } = h;
    const spots = h.restingSpots();
    expect(spots.length).toBeGreaterThan(3);
    const cards: string[] = [];
    let doubleTaps = 0;
    let replays = 0;
    for (let i = 0; i < 100; i++) {
      const spot = spots[i % spots.length]!;
      // A resting bid one tick below the free tick: it never trades with the market maker.
      const price = formatDollars(sim.engine.top(spot.ticker).bid! as Micros, 2);
      await h.say(`/buy ${spot.ticker} yes 1 @${price}`);
      const confirm = api.findButton(OWNER, "Confirm");
      expect(confirm, `quote card for order ${i}`).toBeDefined();
      sim.addFault({ path: ORDERS_PATH, method: "POST", kind: "drop_after_accept", count: 1 });
      const since = h.mark();
      const [first] = await Promise.all([
        api.tap(OWNER, OWNER, confirm!.messageId, confirm!.data),
        api.tap(OWNER, OWNER, confirm!.messageId, confirm!.data),
      ]);
      doubleTaps++;
      await h.app.bot.handleUpdate(first);
      replays++;
      const card = api.messages(OWNER).find((m) => m.messageId === confirm!.messageId)!;
      cards.push(card.text);
      expect(sim.state().orders, `orders after ${i + 1}`).toBe(i + 1);
      // The fault was consumed: the create response really was dropped.
      const faults = (await (await fetch(`${sim.controlUrl}/faults`)).json()) as { faults: unknown[] };
      expect(faults.faults).toEqual([]);
      expect(h.outputsSince(since).length).toBeGreaterThan(0);
    }
    const orders = sim.state().orders as number;
    const placedCards = cards.filter((t) => /Order placed/.test(t)).length;
    expect(orders).toBe(100);
    expect(placedCards).toBe(100);
    figure(
      `orders: 100 confirmed orders with ${doubleTaps} double taps, ${replays} replayed updates and 100 dropped create responses → ${orders} orders on the exchange, ${placedCards} cards say "Order placed"`,
    );
  }, 120_000); // heavy: hundreds of round trips; slow on a loaded machine (docs/reliability.md)
});
