/**
 * A chat with the bot in the terminal, through a LocalBotApi. Bot messages are printed as text,
 * inline buttons as numbered choices ("[1] Confirm  [2] Cancel"): typing 1 taps that button. To send
 * a number as text while buttons are shown, start it with an apostrophe ('3). Documents are saved
 * under `downloadsDir` and their path printed. Messages the bot pushes by itself appear as they
 * arrive. /quit ends the chat.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import readline from "node:readline";
import type { ChatMessage, LocalBotApi } from "./localBotApi.js";

export interface TerminalChatOptions {
  api: LocalBotApi;
  userId: number;
  /** Defaults to userId (a private chat). */
  chatId?: number;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  downloadsDir: string;
}

interface Choice {
  messageId: number;
  label: string;
  data: string;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "") || "file";
}

/** Renders a bot message and returns its buttons as choices. */
export function renderMessage(
  m: ChatMessage,
  edited: boolean,
  firstNumber = 1,
): { text: string; choices: Choice[] } {
  const lines = [`${edited ? "bot (edited)" : "bot"}> ${m.text.split("\n").join("\n     ")}`];
  const choices: Choice[] = [];
  for (const row of m.replyMarkup?.inline_keyboard ?? []) {
    const parts: string[] = [];
    for (const b of row) {
      if (!("callback_data" in b) || !b.callback_data) continue;
      choices.push({ messageId: m.messageId, label: b.text, data: b.callback_data });
      parts.push(`[${firstNumber + choices.length - 1}] ${b.text}`);
    }
    if (parts.length) lines.push("     " + parts.join("  "));
  }
  return { text: lines.join("\n"), choices };
}

export async function runTerminalChat(opts: TerminalChatOptions): Promise<void> {
  const { api, userId, output } = opts;
  const chatId = opts.chatId ?? userId;
  let choices: Choice[] = [];
  let pending: Promise<unknown> = Promise.resolve();
  const write = (s: string) => output.write(s + "\n");

  const show = (m: ChatMessage, edited: boolean) => {
    if (m.chatId !== chatId || m.from !== "bot") return;
    const r = renderMessage(m, edited);
    // The newest message with buttons owns the numbers; an edit that removes buttons clears them.
    if (r.choices.length) choices = r.choices;
    else if (choices.some((c) => c.messageId === m.messageId)) choices = [];
    write(r.text);
    if (m.document) {
      const doc = m.document;
      pending = pending.then(async () => {
        await mkdir(opts.downloadsDir, { recursive: true });
        const path = join(opts.downloadsDir, `${m.messageId}-${safeName(doc.fileName)}`);
        await writeFile(path, doc.bytes);
        write(`     📎 ${doc.fileName} saved to ${path}`);
      });
    }
  };
  const onMessage = (m: ChatMessage) => show(m, false);
  const onEdit = (m: ChatMessage) => show(m, true);
  api.on("message", onMessage);
  api.on("edit", onEdit);

  const rl = readline.createInterface({ input: opts.input, terminal: false });
  write("Chatting with the bot. Type a message or /help; numbers tap buttons; /quit ends.");
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (!line) continue;
      if (line === "/quit" || line === "/exit") break;
      if (/^\d+$/.test(line) && choices.length) {
        const c = choices[Number(line) - 1];
        if (!c) {
          write(`(no button ${line}; choose 1–${choices.length}, or type '${line} to send it as text)`);
          continue;
        }
        write(`you tapped> ${c.label}`);
        await api.tap(userId, chatId, c.messageId, c.data);
      } else {
        await api.sendText(userId, chatId, line.startsWith("'") ? line.slice(1) : line);
      }
    }
  } finally {
    rl.close();
    await pending;
    api.off("message", onMessage);
    api.off("edit", onEdit);
  }
}
