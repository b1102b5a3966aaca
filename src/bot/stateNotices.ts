/**
 * Tells the owner(s) what a damaged state file cost them, once: the notices src/shared/stateFile.ts
 * remembered when it moved a file aside ("Your alert settings file was damaged and has been reset;
 * the old file is kept at …"). A notice is marked told per chat only after Telegram took it, so a
 * failed send is tried again at the next start and a sent one is never repeated.
 */
import type { EnvTag } from "../domain/environment.js";
import { escapeHtml, tagged } from "./format.js";
import { markStateNoticeTold, untoldStateNotices } from "../shared/stateNotices.js";

export interface StateNoticeDeps {
  sendMessage(chatId: number, html: string): Promise<unknown>;
  chatIds: number[];
  /** Folders whose state files were loaded: DATA_DIR and DATA_DIR/sim. */
  dirs: string[];
  envTag: EnvTag;
  logger: { warn(msg: string, meta?: object): unknown; info(msg: string, meta?: object): unknown };
}

export async function tellStateNotices(d: StateNoticeDeps): Promise<void> {
  for (const chatId of d.chatIds) {
    for (const { dir, notice } of untoldStateNotices(d.dirs, chatId)) {
      try {
        await d.sendMessage(chatId, tagged(d.envTag, escapeHtml(notice.text)));
      } catch (e) {
        // Not told: it stays owed and goes out at the next start.
        d.logger.warn("could not tell a chat about a damaged state file", {
          file: notice.file,
          error: e instanceof Error ? e.message : String(e),
        });
        break;
      }
      markStateNoticeTold(dir, notice.id, chatId);
      d.logger.info("told a chat about a damaged state file", { chatId, file: notice.file });
    }
  }
}
