/**
 * The living market: the engine takes a step (quotes move, other traders trade, markets close on
 * schedule) on a timer, so a paper account sees prices change as on the live exchange. Tests turn
 * it off or step it with `POST /sim/tick`.
 */
import type winston from "winston";
import type { SimEngine } from "./engine.js";

const DEFAULT_INTERVAL_MS = 2_000;

/** Starts the timer (unless `setting` is false) and returns the function that stops it. */
export function startLivingMarket(
  engine: SimEngine,
  setting: boolean | { intervalMs: number },
  logger: winston.Logger,
): () => void {
  if (!setting) return () => {};
  const interval = typeof setting === "object" ? setting.intervalMs : DEFAULT_INTERVAL_MS;
  const timer = setInterval(() => {
    try {
      engine.tick();
    } catch (e) {
      logger.warn("sim: living market step failed", { error: e instanceof Error ? e.message : String(e) });
    }
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
