/**
 * A market's life driven through the sim's controls (pause, resume, close time, determine, settle)
 * as a trader sees it: REST statuses, refused orders while paused, the payout only at settlement, and
 * market_lifecycle_v2 frames that validate against Kalshi's asyncapi schema, numbered by `seq`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

import { marketAround, useSims } from "./support.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SPEC = [
  join(repoRoot, "../shared/kalshi/asyncapi-2.0.0.yaml"),
  join(repoRoot, "../../shared/kalshi/asyncapi-2.0.0.yaml"),
].find((p) => existsSync(p));

function lifecycleValidator() {
  const doc = parse(readFileSync(SPEC!, "utf8")) as { components: { schemas: Record<string, object> } };
  const schemas = doc.components.schemas;
  // As in asyncapi.test.ts: real tickers carry dots, which the spec's own pattern forgets.
  schemas.marketTicker = { ...schemas.marketTicker, pattern: "^[A-Z0-9.-]+$" };
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  for (const f of ["double", "float", "int32", "int64"]) ajv.addFormat(f, true);
  ajv.addSchema({ $id: "asyncapi", components: { schemas } });
  return ajv.compile({ $ref: "asyncapi#/components/schemas/marketLifecycleV2Payload" });
}

const start = useSims();

describe("market lifecycle in the sim", () => {
  it.skipIf(!SPEC)(
    "tells pause, resume, close date, determination and settlement as valid frames",
    async () => {
      const { sim, c } = await start();
      const t = marketAround(sim, "KXBTCD", 50);
      const ws = await c.ws();
      try {
        ws.send({ id: 1, cmd: "subscribe", params: { channels: ["market_lifecycle_v2"] } });
        await ws.next((m) => m.id === 1 && m.type === "subscribed");
        expect((await c.order({ ticker: t, side: "bid", price: "0.51", count: "3" })).status).toBe(201);

        expect((await c.control("POST", "/pause", { ticker: t })).body.market.status).toBe("inactive");
        const refused = await c.order({ ticker: t, side: "bid", price: "0.51", count: "1" });
        expect(refused.status).toBe(409);
        expect((await c.control("POST", "/pause", { ticker: t })).status).toBe(409);
        expect((await c.control("POST", "/resume", { ticker: t })).body.market.status).toBe("active");
        const moved = await c.control("POST", "/close_time", { ticker: t, close_in_ms: 30 * 60_000 });
        expect(Date.parse(moved.body.market.close_time) - sim.engine.now()).toBeLessThanOrEqual(30 * 60_000);
        expect((await c.control("POST", "/close_time", { ticker: t, close_in_ms: -1 })).status).toBe(400);

        const cashBefore = (await c.get("/portfolio/balance")).body.balance;
        const det = await c.control("POST", "/determine", { ticker: t, result: "yes" });
        expect(det.body.market.status).toBe("determined");
        expect((await c.get("/portfolio/balance")).body.balance).toBe(cashBefore); // no payout yet
        expect((await c.control("POST", "/settle", { ticker: t, result: "no" })).status).toBe(409);
        expect((await c.control("POST", "/settle", { ticker: t, result: "yes" })).body.market.status).toBe(
          "finalized",
        );
        expect((await c.get("/portfolio/balance")).body.balance).toBe(cashBefore + 300); // 3 × $1, in cents

        await ws.next((m) => m.type === "market_lifecycle_v2" && m.msg.event_type === "settled");
        const frames = ws.messages.filter((m) => m.type === "market_lifecycle_v2");
        expect(frames.map((f) => f.msg.event_type)).toEqual([
          "deactivated",
          "activated",
          "close_date_updated",
          "close_date_updated", // determining closes the market early
          "determined",
          "settled",
        ]);
        expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i + 1));
        expect(frames[0].msg.is_deactivated).toBe(true);
        const determined = frames.find((f) => f.msg.event_type === "determined");
        expect(determined.msg).toMatchObject({ result: "yes", settlement_value: "1.0000" });
        const validate = lifecycleValidator();
        const bad = frames.filter((f) => !validate(f));
        expect(bad).toEqual([]);
      } finally {
        ws.close();
      }
    },
  );
});
