/**
 * Per-chat alert mode (see src/domain/alertMode.ts), persisted in DATA_DIR/alert-settings.json.
 */
import { join } from "node:path";
import { type AlertMode, DEFAULT_ALERT_MODE, isAlertMode } from "../domain/alertMode.js";
import { writeJsonAtomic } from "./files.js";
import { bySchema, loadStateFile } from "../shared/stateFile.js";
import { alertSettingsSchema } from "./stateSchemas.js";

/** What the alert service reads. */
export interface AlertSettings {
  get(chatId: number): AlertMode | Promise<AlertMode>;
}

export interface AlertSettingsStore extends AlertSettings {
  get(chatId: number): AlertMode;
  /** Persists at once (atomic write); throws if the file cannot be written. */
  set(chatId: number, mode: AlertMode): void;
}

export const ALERT_SETTINGS_FILE = "alert-settings.json";

export function createAlertSettingsStore(dataDir: string): AlertSettingsStore {
  const path = join(dataDir, ALERT_SETTINGS_FILE);
  const modes = new Map<number, AlertMode>();
  // Damaged or of another shape: moved aside (never overwritten), defaults used, the owner told once.
  const loaded = loadStateFile(path, {
    what: "alert settings",
    parse: bySchema(alertSettingsSchema),
    consequence: "Every chat is back on the default alert mode; /alerts changes it.",
  });
  const chats = loaded.kind === "ok" ? loaded.value.chats : {};
  for (const [k, v] of Object.entries(chats)) {
    const id = Number(k);
    if (Number.isSafeInteger(id) && isAlertMode(v)) modes.set(id, v);
  }
  return {
    get(chatId) {
      return modes.get(chatId) ?? DEFAULT_ALERT_MODE;
    },
    set(chatId, mode) {
      if (!isAlertMode(mode)) throw new Error(`unknown alert mode: ${String(mode)}`);
      const next = new Map(modes);
      next.set(chatId, mode);
      writeJsonAtomic(path, { version: 1, chats: Object.fromEntries(next) });
      modes.set(chatId, mode);
    },
  };
}
