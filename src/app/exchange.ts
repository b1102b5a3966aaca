/**
 * Which exchange the bot talks to: the embedded sim (environment "sim" without an address: started
 * here, in DATA_DIR/sim), or Kalshi (demo / production) with the configured key, or a sim started
 * with `npm run sim` on the same DATA_DIR (its key is kept there).
 */
import { join } from "node:path";
import type { KeyObject } from "node:crypto";
import type winston from "winston";
import type { AppConfig } from "../config.js";
import { startSim, type SimOptions, type SimServer } from "../sim/server.js";
import { loadOrCreateKeys } from "../sim/support.js";
import { loadPrivateKey } from "../exchange/kalshi/signer.js";

export interface ExchangeEndpoint {
  baseUrl: string;
  wsUrl: string;
  keyId: string;
  privateKey: KeyObject;
}

export async function resolveExchange(
  config: AppConfig,
  logger: winston.Logger,
  simOverrides: Partial<SimOptions> | undefined,
): Promise<{ endpoint: ExchangeEndpoint; sim: SimServer | null }> {
  const { kalshi } = config;
  if (config.environment === "sim" && !kalshi.baseUrl) {
    const simDir = join(config.dataDir, "sim");
    const sim = await startSim({
      port: config.sim.port,
      dataDir: simDir,
      keyDir: simDir,
      startingBalance: config.sim.startingBalance,
      catalog: config.sim.catalog,
      logger,
      ...simOverrides,
    });
    logger.info("started the simulated exchange", { baseUrl: sim.baseUrl });
    return {
      endpoint: {
        baseUrl: sim.baseUrl,
        wsUrl: sim.wsUrl,
        keyId: sim.keyId,
        privateKey: loadPrivateKey(sim.privateKeyPem),
      },
      sim,
    };
  }
  if (!kalshi.baseUrl) throw new Error("KALSHI_API_BASE_URL is missing");
  const wsUrl =
    kalshi.wsUrl ?? kalshi.baseUrl.replace(/^http/, "ws").replace(/\/trade-api\/v2$/, "/trade-api/ws/v2");
  if (kalshi.keyId && kalshi.privateKey) {
    return {
      endpoint: { baseUrl: kalshi.baseUrl, wsUrl, keyId: kalshi.keyId, privateKey: kalshi.privateKey },
      sim: null,
    };
  }
  // A sim started with `npm run sim` on the same DATA_DIR: use the key it keeps there.
  const keys = loadOrCreateKeys({ keyDir: join(config.dataDir, "sim") });
  return {
    endpoint: {
      baseUrl: kalshi.baseUrl,
      wsUrl,
      keyId: keys.keyId,
      privateKey: loadPrivateKey(keys.privateKeyPem),
    },
    sim: null,
  };
}
