/**
 * What the sim's route and control modules share, built once by `startSim`: the engine, the key it
 * accepts, the settings that shape answers, and the few account settings tests change at run
 * time. Passing one object keeps each route file's signature short and its dependencies visible.
 */
import type winston from "winston";
import type { SimEngine } from "./engine.js";
import type { LiveCatalog } from "./catalog/live.js";
import type { SimKeys } from "./support.js";

export interface SimContext {
  engine: SimEngine;
  logger: winston.Logger;
  keys: SimKeys;
  /** The live-sized catalog, or null for the fixtures. */
  live: LiveCatalog | null;
  /** Most items per list page (Infinity: only the spec maxima). */
  pageCap: number;
  /** The Basic tier's tokens per second, reported by GET /account/limits. */
  limits: { read: number; write: number };
  /** Lenient client_order_id mode: how a repeated id is answered. */
  duplicateClientOrderId: "existing" | "conflict" | undefined;
  /** Settings the control endpoints change while the sim runs. */
  account: {
    /** GET /api_keys' `api_key_region_expiration_ts` (Unix seconds; null = never attested). */
    regionExpirationTs: number | null;
  };
}
