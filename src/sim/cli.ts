/**
 * `npm run sim`: runs the simulated Kalshi exchange until SIGINT/SIGTERM.
 * `npm run sim -- --reset` (or `npm run sim:reset`): deletes the persisted paper account and exits.
 *
 * Env: SIM_PORT (default 8787), DATA_DIR (default ./data/sim), SIM_STARTING_BALANCE_DOLLARS (default 1000),
 * SIM_SEED, SIM_LIVING_INTERVAL_MS (default 2000; 0 turns the living market off), SIM_RATE_LIMIT (default on; "off"),
 * SIM_CLIENT_ORDER_ID (default "strict"; "lenient" dedupes a create against every earlier order, for comparison).
 */
import "dotenv/config";
import { resolve } from "node:path";
import { parseDollars } from "../domain/money.js";
import { resetPersisted, startSim } from "./server.js";

async function main(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ? `${process.env.DATA_DIR}/sim` : "data/sim");
  if (process.argv.includes("--reset")) {
    const existed = resetPersisted(dataDir);
    console.log(
      existed ? `The sim account in ${dataDir} was deleted.` : `There was no sim account in ${dataDir}.`,
    );
    return;
  }
  const port = Number(process.env.SIM_PORT?.trim() || 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("SIM_PORT must be a port number");
  const startingBalance = parseDollars(process.env.SIM_STARTING_BALANCE_DOLLARS ?? "1000");
  const interval = Number(process.env.SIM_LIVING_INTERVAL_MS ?? 2000);
  const clientOrderIds = process.env.SIM_CLIENT_ORDER_ID?.trim() || "strict";
  if (clientOrderIds !== "strict" && clientOrderIds !== "lenient") {
    throw new Error(`SIM_CLIENT_ORDER_ID must be strict or lenient, not "${clientOrderIds}"`);
  }
  const sim = await startSim({
    port,
    dataDir,
    keyDir: dataDir,
    startingBalance,
    seed: process.env.SIM_SEED ? Number(process.env.SIM_SEED) : undefined,
    livingMarket: interval > 0 ? { intervalMs: interval } : false,
    rateLimit: process.env.SIM_RATE_LIMIT !== "off",
    clientOrderIds,
  });
  console.log(
    [
      "Kalshi sim is running. Point the bot at it with:",
      `  KALSHI_API_BASE_URL=${sim.baseUrl}`,
      `  KALSHI_WS_URL=${sim.wsUrl}`,
      `  KALSHI_API_KEY=${sim.keyId}`,
      `  KALSHI_PRIVATE_KEY_PATH=${sim.privateKeyPath ?? ""}`,
      `client_order_id: ${clientOrderIds} (SIM_CLIENT_ORDER_ID=strict|lenient)`,
      `Control endpoints: ${sim.controlUrl}/state, /trade, /settle, /close, /faults, /ws/drop, /latency, /reset`,
      `Account data: ${dataDir}. Stop with Ctrl+C.`,
    ].join("\n"),
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, stopping the sim...`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  console.error(`The sim could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
