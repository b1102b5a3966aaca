/**
 * KalshiTickerStream against the real sim's WebSocket: it follows exactly the markets it is given
 * (subscribe, update_subscription add/delete, unsubscribe), reads `ticker` frames into prices, and
 * subscribes again after the connection drops.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KalshiTickerStream } from "../../../src/exchange/kalshi/tickerStream.js";
import { loadPrivateKey } from "../../../src/exchange/kalshi/signer.js";
import type { TickerEvent } from "../../../src/exchange/port.js";
import { movePrice } from "../../../src/sim/control.js";
import { startSim, type SimServer } from "../../../src/sim/server.js";
import { until } from "../../support/until.js";

let sim: SimServer | undefined;
let stream: KalshiTickerStream | undefined;
afterEach(async () => {
  await stream?.close();
  await sim?.close();
  sim = stream = undefined;
});

describe("KalshiTickerStream", () => {
  it("follows exactly the given markets, and again after a drop", async () => {
    sim = await startSim({ livingMarket: false, rateLimit: false });
    const s = sim;
    const [a, b] = s.engine
      .markets()
      .filter((m) => m.status === "active" && m.priceLevelStructure === "linear_cent")
      .map((m) => m.ticker);
    stream = new KalshiTickerStream({
      wsUrl: s.wsUrl,
      keyId: s.keyId,
      privateKey: loadPrivateKey(s.privateKeyPem),
      backoff: { baseMs: 10, maxMs: 20 },
    });
    const events: TickerEvent[] = [];
    stream.on((e) => events.push(e));
    await stream.start();
    expect(stream.connected).toBe(true); // nothing to follow: no subscription, still connected
    const prices = (t: string) =>
      events.flatMap((e) => (e.type === "ticker" && e.update.ticker === t ? [e.update] : []));

    stream.setMarkets([a!]);
    await until("a's snapshot", () => prices(a!).length === 1);
    movePrice(s.engine, { ticker: a, fair: "0.41" });
    await until("a's move", () => prices(a!).at(-1)?.yesAsk === 420_000);
    expect(prices(a!).at(-1)).toMatchObject({ yesBid: 400_000, yesAsk: 420_000 });

    stream.setMarkets([a!, b!]); // add_markets (moved until the sim has taken the command in)
    await until("b's move", () => {
      movePrice(s.engine, { ticker: b, fair: "0.61" });
      return prices(b!).some((p) => p.yesAsk === 620_000);
    });
    stream.setMarkets([b!]); // delete_markets
    movePrice(s.engine, { ticker: b, fair: "0.62" });
    await until("b's second move", () => prices(b!).some((p) => p.yesAsk === 630_000));
    const seenA = prices(a!).length;
    movePrice(s.engine, { ticker: a, fair: "0.45" });
    movePrice(s.engine, { ticker: b, fair: "0.63" }); // sentinel: frames arrive in order
    await until("b's third move", () => prices(b!).some((p) => p.yesAsk === 640_000));
    expect(prices(a!)).toHaveLength(seenA);

    expect(s.dropWebSockets()).toBeUndefined();
    await until("the reconnect", () => events.filter((e) => e.type === "connected").length === 2);
    movePrice(s.engine, { ticker: b, fair: "0.50" });
    await until("b after the reconnect", () => prices(b!).some((p) => p.yesAsk === 510_000));
    stream.setMarkets([]); // unsubscribe: still connected
    expect(stream.connected).toBe(true);
  });
});
