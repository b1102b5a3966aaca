/**
 * Loading a state file that may be damaged (a power cut mid-write on a card that lies about fsync,
 * a disk error, a hand edit): ONE place for every loader in DATA_DIR. A file that is not JSON or not
 * the expected shape is never overwritten: it is moved aside to `<name>.corrupt-<time>` and the
 * caller starts fresh (or, with `backup`, from the last good copy `<name>.bak`). Each move is
 * remembered in `state-notices.json` beside the file (src/shared/stateNotices.ts), so the owner is
 * told once in chat, even across restarts. No imports of ours outside src/shared.
 */
import { copyFileSync, existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { ZodType } from "zod";
import { moveAside, readJsonFile } from "./jsonFile.js";
import { recordStateNotice } from "./stateNotices.js";

export type StateLoad<T> =
  | { kind: "missing" }
  | { kind: "ok"; value: T }
  /** Damaged and moved aside (`movedTo`); start fresh. */
  | { kind: "reset"; problem: string; movedTo: string[] }
  /** The main file was damaged and moved aside; `value` is the last good copy (`.bak`). */
  | { kind: "restored"; value: T; problem: string; movedTo: string[] };

export interface StateFileSpec<T> {
  /** What a user calls the file, e.g. "alert settings" ("Your alert settings file was damaged …"). */
  what: string;
  /** Turns the parsed JSON into the value; throws (e.g. a ZodError) when the shape is wrong. */
  parse: (raw: unknown) => T;
  /** Keep `<name>.bak` and restore from it when the main file is damaged (see keepBackup). */
  backup?: boolean;
  /** Tell the owner in chat (default true). A derived file that is simply rebuilt says false. */
  notify?: boolean;
  /** Sentence for the chat after a reset, after "…has been reset"; e.g. what the user should check. */
  consequence?: string;
  now?: () => number;
}

/**
 * A zod schema as a `parse` function that checks the shape and returns the file's own value as `T`
 * (for types whose brands or unions the schema does not spell out, e.g. Micros).
 */
export const checkedBy =
  <T>(schema: ZodType) =>
  (raw: unknown): T => {
    schema.parse(raw);
    return raw as T;
  };

/** A zod schema as a `parse` function. */
export const bySchema =
  <T>(schema: ZodType<T>) =>
  (raw: unknown): T =>
    schema.parse(raw);

/** One short line for a log or chat: the first problem of a zod error, or the error's message. */
export function problemOf(e: unknown): string {
  const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  if (Array.isArray(issues) && issues[0]) {
    const at = issues[0].path.map(String).join(".");
    return `${at ? `${at}: ` : ""}${issues[0].message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

type Read<T> = { ok: true; value: T | undefined } | { ok: false; problem: string };

function tryRead<T>(path: string, parse: (raw: unknown) => T): Read<T> {
  let raw: unknown;
  try {
    raw = readJsonFile(path);
  } catch (e) {
    // A permission or I/O error is not damage: moving the file would not help (and may fail too).
    const code = (e as NodeJS.ErrnoException).code;
    if (code && code !== "EISDIR") throw e;
    return { ok: false, problem: problemOf(e) };
  }
  if (raw === undefined) return { ok: true, value: undefined };
  try {
    return { ok: true, value: parse(raw) };
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  }
}

/**
 * Reads a state file. Missing → `missing`. Damaged → moved aside, remembered for the chat notice,
 * then `reset`, or `restored` from a good `.bak` (with `backup`). I/O errors other than damage throw.
 */
export function loadStateFile<T>(path: string, spec: StateFileSpec<T>): StateLoad<T> {
  const now = spec.now ?? Date.now;
  const main = tryRead(path, spec.parse);
  if (main.ok && main.value !== undefined) return { kind: "ok", value: main.value };
  const bakPath = `${path}.bak`;
  // A missing main file is a fresh start (or `npm run sim:reset`), never a cue to restore the .bak.
  if (main.ok) return { kind: "missing" };
  const movedTo = [moveAside(path, now())];
  const problem = main.problem;
  if (spec.backup && existsSync(bakPath)) {
    const bak = tryRead(bakPath, spec.parse);
    if (bak.ok && bak.value !== undefined) {
      const restored = { kind: "restored" as const, value: bak.value, problem, movedTo };
      note(path, spec, restored, now());
      return restored;
    }
    if (!bak.ok) movedTo.push(moveAside(bakPath, now()));
  }
  const reset = { kind: "reset" as const, problem, movedTo };
  note(path, spec, reset, now());
  return reset;
}

function note<T>(path: string, spec: StateFileSpec<T>, r: StateLoad<T>, at: number): void {
  if (spec.notify === false || (r.kind !== "reset" && r.kind !== "restored")) return;
  const where = r.movedTo.join(" and ");
  const kept = r.movedTo.length > 1 ? "the old files are kept at" : "the old file is kept at";
  const text =
    r.kind === "restored"
      ? `Your ${spec.what} file was damaged; it has been restored from the last good copy (${basename(path)}.bak). The damaged file is kept at ${where}.`
      : `Your ${spec.what} file was damaged and has been reset; ${kept} ${where}.${spec.consequence ? ` ${spec.consequence}` : ""}`;
  try {
    recordStateNotice(dirname(path), { at, file: basename(path), text });
  } catch {
    // Remembering the notice failed (e.g. a full disk): the start goes on; the log still says it.
  }
}

/**
 * Before replacing `path` with a new version: makes the current file the last good copy
 * `<path>.bak` (a hard link, so no copying; a copy where links are not allowed). The current file
 * is good: it was written by us, atomically, and read back at start.
 */
export function keepBackup(path: string): void {
  if (!existsSync(path)) return;
  const tmp = `${path}.bak.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    linkSync(path, tmp);
  } catch {
    copyFileSync(path, tmp);
  }
  renameSync(tmp, `${path}.bak`);
}
