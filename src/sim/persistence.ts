/**
 * The paper account on disk: `sim-state.json` in `dataDir`, read once at start (a damaged or
 * older file starts over) and written atomically at most every 50 ms after a change and on close,
 * so a crash never leaves half an account behind.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type winston from "winston";
import type { EngineState, SimEngine } from "./engine.js";
import { writeFileAtomic } from "../shared/atomicFile.js";

const STATE_FILE = "sim-state.json";
const SAVE_DELAY_MS = 50;

/** The saved exchange state in `dataDir`, or undefined (none, unreadable or another version). */
export function loadSavedState(dataDir: string | undefined, logger: winston.Logger): EngineState | undefined {
  const path = dataDir ? join(dataDir, STATE_FILE) : null;
  if (!path || !existsSync(path)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(path, "utf8")) as EngineState;
    return saved.version === 1 ? saved : undefined;
  } catch (e) {
    logger.warn("sim: the saved state could not be read; starting over", { error: String(e) });
    return undefined;
  }
}

/**
 * Saves `engine.state` after every change (debounced) and returns `flush`, which writes now.
 * Without `dataDir` nothing is written.
 */
export function persistEngine(
  engine: SimEngine,
  dataDir: string | undefined,
  logger: winston.Logger,
): { flush: () => void } {
  const path = dataDir ? join(dataDir, STATE_FILE) : null;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!path) return;
    try {
      writeFileAtomic(path, JSON.stringify(engine.state));
    } catch (e) {
      logger.error("sim: could not save state", { error: String(e) });
    }
  };
  engine.on("changed", () => {
    if (!path || timer) return;
    timer = setTimeout(flush, SAVE_DELAY_MS);
  });
  flush();
  return { flush };
}

/** Deletes the persisted account in `dataDir` (the key pair stays). */
export function resetPersisted(dataDir: string): boolean {
  const p = join(dataDir, STATE_FILE);
  const existed = existsSync(p);
  rmSync(p, { force: true });
  return existed;
}
