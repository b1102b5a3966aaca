/**
 * Read-only calls against Kalshi's demo environment. Runs only when KALSHI_DEMO_API_KEY and
 * KALSHI_DEMO_PRIVATE_KEY_PATH are set (KALSHI_DEMO_BASE_URL optionally overrides the host).
 * Never places or cancels orders.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { KalshiClient } from "../../../src/exchange/kalshi/client.js";
import { loadPrivateKey } from "../../../src/exchange/kalshi/signer.js";

const keyId = process.env.KALSHI_DEMO_API_KEY;
const keyPath = process.env.KALSHI_DEMO_PRIVATE_KEY_PATH;
const enabled = !!keyId && !!keyPath;
const baseUrl = process.env.KALSHI_DEMO_BASE_URL ?? "https://external-api.demo.kalshi.co/trade-api/v2";

if (!enabled) {
  console.info("[demo.integration] KALSHI_DEMO_API_KEY / KALSHI_DEMO_PRIVATE_KEY_PATH not set; skipping.");
}

describe.skipIf(!enabled)("Kalshi demo (read-only)", () => {
  let client: KalshiClient | null = null;
  const get = async (): Promise<KalshiClient> => {
    client ??= await KalshiClient.create({
      baseUrl,
      keyId: keyId!,
      privateKey: loadPrivateKey(readFileSync(keyPath!)),
      timeoutMs: 15_000,
    });
    return client;
  };
  afterAll(async () => {
    await client?.close();
  });

  it("reads the exchange status", async () => {
    const s = await (await get()).getExchangeStatus();
    expect(typeof s.exchangeActive).toBe("boolean");
  });

  it("reads the balance", async () => {
    const b = await (await get()).getBalance();
    expect(Number.isSafeInteger(b.balance)).toBe(true);
  });

  it("reads open markets", async () => {
    const ms = await (await get()).getMarkets({ status: "open", max: 5 });
    expect(ms.length).toBeLessThanOrEqual(5);
    for (const m of ms) expect(m.ticker).toBeTruthy();
  });
});
