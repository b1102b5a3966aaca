/**
 * What the owner must be told about damaged state files, remembered on disk (`state-notices.json`
 * in the folder of the damaged file: DATA_DIR, or DATA_DIR/sim for the practice account). A notice
 * is written when the file is moved aside (src/shared/stateFile.ts) and, per chat, marked told once
 * Telegram took the message: "once" holds across restarts, and a notice a crash kept from going out
 * is sent at the next start. No imports of ours outside src/shared.
 */
import { join } from "node:path";
import { z } from "zod";
import { moveAside, readJsonFile, writeJsonAtomic } from "./jsonFile.js";

export const STATE_NOTICES_FILE = "state-notices.json";
/** Kept notices (told or not); older ones are dropped first. */
const NOTICES_KEPT = 50;

const noticeSchema = z.object({
  id: z.string(),
  at: z.number(),
  /** The damaged file's name, e.g. "alert-settings.json". */
  file: z.string(),
  /** The sentence for the chat. */
  text: z.string(),
  /** Chats already told. */
  told: z.array(z.number()),
});
const fileSchema = z.object({ version: z.literal(1), notices: z.array(noticeSchema) });

export type StateNotice = z.infer<typeof noticeSchema>;

function read(dir: string): StateNotice[] {
  const path = join(dir, STATE_NOTICES_FILE);
  try {
    const raw = readJsonFile(path);
    return raw === undefined ? [] : fileSchema.parse(raw).notices;
  } catch {
    // The notices themselves damaged: set the file aside (never overwritten) and start a new list.
    try {
      moveAside(path, Date.now());
    } catch {
      // unreadable and immovable: the next write fails too, and the start goes on
    }
    return [];
  }
}

function write(dir: string, notices: StateNotice[]): void {
  writeJsonAtomic(join(dir, STATE_NOTICES_FILE), { version: 1, notices: notices.slice(-NOTICES_KEPT) });
}

/** Remembers a notice for the owner(s). */
export function recordStateNotice(dir: string, n: { at: number; file: string; text: string }): void {
  const notices = read(dir);
  notices.push({ id: `${n.file}@${n.at}#${notices.length}`, ...n, told: [] });
  write(dir, notices);
}

/** Notices not yet told to `chatId`, oldest first, from each folder in `dirs`. */
export function untoldStateNotices(dirs: string[], chatId: number): { dir: string; notice: StateNotice }[] {
  return dirs.flatMap((dir) =>
    read(dir)
      .filter((n) => !n.told.includes(chatId))
      .map((notice) => ({ dir, notice })),
  );
}

/** Marks a notice told to `chatId` (written at once). */
export function markStateNoticeTold(dir: string, id: string, chatId: number): void {
  const notices = read(dir);
  const n = notices.find((x) => x.id === id);
  if (!n || n.told.includes(chatId)) return;
  n.told.push(chatId);
  write(dir, notices);
}
