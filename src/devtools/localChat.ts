/**
 * `npm run chat` glue: a LocalBotApi over HTTP, the real bot polling it, and the terminal chat.
 * The caller (src/chat.ts) builds the services (e.g. on the simulator) and passes BotDeps without
 * token and botConfig.
 */
import { createBot, setCommands } from "../bot/createBot.js";
import type { BotDeps } from "../bot/deps.js";
import { LocalBotApi } from "./localBotApi.js";
import { runTerminalChat } from "./terminalChat.js";

export interface LocalChatOptions {
  deps: Omit<BotDeps, "token" | "botConfig">;
  /** Must be in deps.config.allowedUserIds to be let in. */
  userId: number;
  downloadsDir: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export async function runLocalChat(opts: LocalChatOptions): Promise<void> {
  const api = new LocalBotApi();
  const apiRoot = await api.listen();
  const bot = createBot({ ...opts.deps, token: api.token, botConfig: { client: { apiRoot } } });
  try {
    await setCommands(bot);
    const started = new Promise<void>((resolve, reject) => {
      bot.start({ drop_pending_updates: true, onStart: () => resolve() }).catch(reject);
    });
    await started;
    await runTerminalChat({
      api,
      userId: opts.userId,
      input: opts.input ?? process.stdin,
      output: opts.output ?? process.stdout,
      downloadsDir: opts.downloadsDir,
    });
  } finally {
    if (bot.isRunning()) await bot.stop();
    await api.close();
  }
}
