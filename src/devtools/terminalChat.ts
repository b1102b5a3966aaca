/**
 * A chat with the bot in the terminal, through a LocalBotApi. Bot messages are printed as text,
 * inline buttons as numbered choices ("[1] Confirm  [2] Cancel"): typing 1 taps that button.
 *
 * A button with a colour (Bot API `style`) shows it after its label: "[1] ✅ Confirm (green)".
 * Numbers and buttons: a typed number taps the button with that number, except
 * - when a button is labelled with exactly that number (the count buttons 1/5/10/25), it taps that one;
 * - when the bot asks for a typed value (its prompt says "type", "Send", "How many" or "price") and the
 *   number is no button, or the buttons themselves are numbers, the number is sent as text;
 * - a leading apostrophe ('3) always sends the rest as text;
 * - a line that is a button's label ("limit" for "Limit…", "$ amount", "confirm") taps that button.
 * Documents are saved under `downloadsDir` and their path printed. Messages the bot pushes by itself
 * appear as they arrive; so do the short answers Telegram shows over a tapped button ("toast> This
 * button has expired.") and the deletion of a message the user sent (a PIN). /quit ends the chat.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import readline from "node:readline";
import type { ChatMessage, LocalBotApi, RecordedCall } from "./localBotApi.js";

export interface TerminalChatOptions {
  api: LocalBotApi;
  userId: number;
  /** Defaults to userId (a private chat). */
  chatId?: number;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  downloadsDir: string;
}

export interface Choice {
  messageId: number;
  label: string;
  data: string;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "") || "file";
}

/** How a styled button looks on a phone (Bot API `style`), shown after its label. */
const STYLE_COLOUR: Record<string, string> = { success: "green", danger: "red", primary: "blue" };

/** Renders a bot message and returns its buttons as choices; a styled button shows its colour. */
function renderMessage(
  m: ChatMessage,
  edited: boolean,
  firstNumber = 1,
): { text: string; choices: Choice[] } {
  const lines = [`${edited ? "bot (edited)" : "bot"}> ${m.text.split("\n").join("\n     ")}`];
  const choices: Choice[] = [];
  for (const row of m.replyMarkup?.inline_keyboard ?? []) {
    const parts: string[] = [];
    for (const b of row) {
      // A copy button never reaches the bot (the phone copies the text): shown, not numbered.
      if ("copy_text" in b) parts.push(`(${b.text}: ${b.copy_text.text})`);
      if (!("callback_data" in b) || !b.callback_data) continue;
      choices.push({ messageId: m.messageId, label: b.text, data: b.callback_data });
      const colour = "style" in b && b.style ? ` (${STYLE_COLOUR[b.style]})` : "";
      parts.push(`[${firstNumber + choices.length - 1}] ${b.text}${colour}`);
    }
    if (parts.length) lines.push("     " + parts.join("  "));
  }
  return { text: lines.join("\n"), choices };
}

/** The line printed when the chat starts. */
export const START_HINT =
  "Chatting with the bot; /quit ends. Type n to tap button [n]; when the bot asks you to type a value " +
  "(a count, a price), a number that is no button goes as text; 'n always sends n as text; a button's " +
  "label (limit, $ amount) taps it.";

/** Words of a prompt that wants a typed value. */
const ASKS_FOR_TEXT = /\b(type|send|how many|price)\b/i;

function asksForTypedValue(text: string | undefined): boolean {
  return text !== undefined && ASKS_FOR_TEXT.test(text);
}

export type LineAction =
  | { kind: "quit" }
  | { kind: "skip" }
  | { kind: "text"; text: string }
  | { kind: "tap"; choice: Choice }
  | { kind: "hint"; message: string };

/** A label as typed: lower case, without a leading symbol or a trailing "…" ("✅ Confirm" → "confirm"). */
function bareLabel(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/^[^\p{L}\p{N}$]+/u, "")
    .replace(/…$/, "")
    .trim();
}

/**
 * What a typed line does, given the visible choices and whether the bot asked for a typed value
 * (see the module comment).
 */
export function interpretLine(raw: string, choices: readonly Choice[], asksForText: boolean): LineAction {
  const line = raw.trim();
  if (!line) return { kind: "skip" };
  if (line === "/quit" || line === "/exit") return { kind: "quit" };
  if (line.startsWith("'")) return { kind: "text", text: line.slice(1) };
  // A button's own label taps it: "limit" reaches "Limit…" on a keyboard of numbers (whose numbers are values).
  const typed = line.toLowerCase();
  const named = /^(\d+|\/.*)$/.test(line) ? undefined : choices.find((c) => bareLabel(c.label) === typed);
  if (named) return { kind: "tap", choice: named };
  if (!/^\d+$/.test(line) || choices.length === 0) return { kind: "text", text: line };
  const labelled = choices.find((c) => c.label.trim() === line);
  if (labelled) return { kind: "tap", choice: labelled };
  const numericKeyboard = choices.some((c) => /^\d+$/.test(c.label.trim()));
  if (asksForText && numericKeyboard) return { kind: "text", text: line };
  // "0042" names no button (a PIN or a count typed with leading zeros): it is text.
  const byIndex = line.startsWith("0") ? undefined : choices[Number(line) - 1];
  if (byIndex) return { kind: "tap", choice: byIndex };
  if (asksForText) return { kind: "text", text: line };
  return {
    kind: "hint",
    message: `(no button ${line}; choose 1–${choices.length}, or type '${line} to send it as text)`,
  };
}

export async function runTerminalChat(opts: TerminalChatOptions): Promise<void> {
  const { api, userId, output } = opts;
  const chatId = opts.chatId ?? userId;
  let choices: Choice[] = [];
  /** Text of the message whose buttons are numbered, and of the newest bot message. */
  let choicesText: string | undefined;
  let lastText: string | undefined;
  let pending: Promise<unknown> = Promise.resolve();
  const write = (s: string) => output.write(s + "\n");

  const show = (m: ChatMessage, edited: boolean) => {
    if (m.chatId !== chatId || m.from !== "bot") return;
    const r = renderMessage(m, edited);
    // The newest message with buttons owns the numbers; an edit that removes buttons clears them.
    if (r.choices.length) {
      choices = r.choices;
      choicesText = m.text;
    } else if (choices.some((c) => c.messageId === m.messageId)) {
      choices = [];
      choicesText = undefined;
    }
    if (!edited) lastText = m.text;
    write(r.text);
    if (m.document) {
      const doc = m.document;
      pending = pending.then(async () => {
        await mkdir(opts.downloadsDir, { recursive: true });
        const path = join(opts.downloadsDir, `${m.messageId}-${safeName(doc.fileName)}`);
        await writeFile(path, doc.bytes);
        write(`     ${doc.photo ? "🖼" : "📎"} ${doc.fileName} saved to ${path}`);
      });
    }
  };
  const onMessage = (m: ChatMessage) => show(m, false);
  const onEdit = (m: ChatMessage) => show(m, true);
  /** A tap's answer with text is what the phone shows over the chat for a moment (or as a dialog). */
  const onCall = (c: RecordedCall) => {
    if (c.method !== "answerCallbackQuery" || !c.ok || typeof c.params.text !== "string") return;
    write(`${c.params.show_alert ? "alert" : "toast"}> ${c.params.text}`);
  };
  const onDelete = (m: ChatMessage) => {
    if (m.chatId === chatId && m.from !== "bot") write("(the bot deleted the message you sent)");
  };
  api.on("message", onMessage);
  api.on("edit", onEdit);
  api.on("call", onCall);
  api.on("delete", onDelete);

  const rl = readline.createInterface({ input: opts.input, terminal: false });
  write(START_HINT);
  try {
    for await (const raw of rl) {
      const asks = asksForTypedValue(lastText) || asksForTypedValue(choicesText);
      const a = interpretLine(raw, choices, asks);
      if (a.kind === "skip") continue;
      if (a.kind === "quit") break;
      if (a.kind === "hint") {
        write(a.message);
      } else if (a.kind === "tap") {
        write(`you tapped> ${a.choice.label}`);
        await api.tap(userId, chatId, a.choice.messageId, a.choice.data);
      } else {
        await api.sendText(userId, chatId, a.text);
      }
    }
  } finally {
    rl.close();
    await pending;
    api.off("message", onMessage);
    api.off("edit", onEdit);
    api.off("call", onCall);
    api.off("delete", onDelete);
  }
}
