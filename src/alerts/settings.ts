/**
 * Per-chat alert mode, persisted in DATA_DIR/alert-settings.json.
 * - on: every alert, with a notification sound;
 * - silent: every alert, delivered without sound (Telegram's disable_notification);
 * - off: no alert messages; fills are still journaled and marked delivered.
 */
import { join } from "node:path";
import { readJsonFile, writeJsonAtomic } from "./files.js";

export type AlertMode = "on" | "silent" | "off";
export const ALERT_MODES: readonly AlertMode[] = ["on", "silent", "off"];
export const DEFAULT_ALERT_MODE: AlertMode = "on";

export function isAlertMode(x: unknown): x is AlertMode {
  return typeof x === "string" && (ALERT_MODES as readonly string[]).includes(x);
}

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
  let raw: unknown;
  try {
    raw = readJsonFile(path);
  } catch {
    raw = undefined; // a corrupt settings file falls back to defaults; the next set() rewrites it
  }
  if (raw && typeof raw === "object" && "chats" in raw && raw.chats && typeof raw.chats === "object") {
    for (const [k, v] of Object.entries(raw.chats as Record<string, unknown>)) {
      const id = Number(k);
      if (Number.isSafeInteger(id) && isAlertMode(v)) modes.set(id, v);
    }
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
