/**
 * The paper account on disk: `sim-state.json` in `dataDir`, read once at start and written atomically
 * at most every 50 ms after a change and on close, so a crash never leaves half an account behind.
 * Before each write the previous file becomes `sim-state.json.bak`, the last good copy, restored
 * when the main file is found damaged at start.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type winston from "winston";
import type { EngineState, SimEngine } from "./engine.js";
import { writeFileAtomic } from "../shared/atomicFile.js";
import { checkedBy, keepBackup, loadStateFile } from "../shared/stateFile.js";
import { engineStateSchema } from "./stateSchema.js";

const STATE_FILE = "sim-state.json";
const SAVE_DELAY_MS = 50;

/**
 * The saved exchange state in `dataDir`, or undefined (none, or damaged with no good copy). A damaged
 * file is moved aside (`.corrupt-<time>`, never overwritten) and the last good copy (`.bak`) is used
 * instead; the owner is told once in chat either way (src/shared/stateFile.ts).
 */
export function loadSavedState(dataDir: string | undefined, logger: winston.Logger): EngineState | undefined {
  if (!dataDir) return undefined;
  const loaded = loadStateFile(join(dataDir, STATE_FILE), {
    what: "practice account",
    parse: checkedBy<EngineState>(engineStateSchema),
    backup: true,
    consequence: "A fresh practice account was started.",
  });
  if (loaded.kind === "restored") {
    logger.warn("sim: the saved state was damaged; restored the last good copy", {
      problem: loaded.problem,
      movedTo: loaded.movedTo,
    });
  }
  if (loaded.kind === "reset") {
    logger.warn("sim: the saved state (and any backup) was damaged; starting over", {
      problem: loaded.problem,
      movedTo: loaded.movedTo,
    });
  }
  return loaded.kind === "ok" || loaded.kind === "restored" ? loaded.value : undefined;
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
      // The file being replaced was written by us and read back: it becomes the last good copy.
      keepBackup(path);
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

/** Deletes the persisted account and its last good copy in `dataDir` (the key pair stays). */
export function resetPersisted(dataDir: string): boolean {
  const p = join(dataDir, STATE_FILE);
  const existed = existsSync(p);
  rmSync(p, { force: true });
  rmSync(`${p}.bak`, { force: true });
  return existed;
}
