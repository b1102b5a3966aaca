/** The /alerts setting per chat, kept in memory (the app keeps it in DATA_DIR). */
import type { AlertMode } from "../../src/domain/alertMode.js";

export class MemoryAlertSettings {
  readonly modes = new Map<number, AlertMode>();
  async get(chatId: number): Promise<AlertMode> {
    return this.modes.get(chatId) ?? "on";
  }
  async set(chatId: number, mode: AlertMode): Promise<void> {
    this.modes.set(chatId, mode);
  }
}
