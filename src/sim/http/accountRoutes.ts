/**
 * The account's own settings over REST: rate-limit tier, endpoint costs and API keys (with the
 * location attestation's expiry the bot warns about).
 */
import type { SimContext } from "../context.js";
import { endpointCostsToWire } from "../endpointCosts.js";
import { ok } from "./message.js";
import type { Router } from "./router.js";

export function registerAccountRoutes(r: Router, { keys, limits, account }: SimContext): void {
  r.add("GET", "/account/limits", true, () =>
    ok({
      usage_tier: "basic",
      read: { refill_rate: limits.read, bucket_capacity: limits.read },
      write: { refill_rate: limits.write, bucket_capacity: limits.write },
      grants: [],
    }),
  );
  r.add("GET", "/account/endpoint_costs", false, () => ok(endpointCostsToWire()));
  r.add("GET", "/api_keys", true, () =>
    ok({
      api_keys: [{ api_key_id: keys.keyId, name: "sim", scopes: ["read", "write"] }],
      ...(account.regionExpirationTs === null
        ? {}
        : { api_key_region_expiration_ts: account.regionExpirationTs }),
    }),
  );
}
