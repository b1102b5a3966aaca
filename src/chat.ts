/**
 * `npm run chat`: the same bot, with the same wiring as `npm start`, talking to a Bot API server of the
 * project's own on 127.0.0.1 instead of Telegram, driven from this terminal. With the default
 * KALSHI_ENVIRONMENT=sim it trades on the built-in simulated exchange: no accounts, no money.
 */
import { join } from "node:path";
import { ConfigurationError, loadConfig, loadDotenv } from "./config.js";
import { createApp } from "./app.js";
import { LocalBotApi } from "./devtools/localBotApi.js";
import { runTerminalChat } from "./devtools/terminalChat.js";
import { chatBanner } from "./devtools/chatBanner.js";

/** The user id the terminal speaks as when TELEGRAM_ALLOWED_USER_IDS is not set. */
const LOCAL_USER_ID = 100000001;

async function main(): Promise<void> {
  loadDotenv();
  const env = { ...process.env };
  if (!env.TELEGRAM_ALLOWED_USER_IDS?.trim()) env.TELEGRAM_ALLOWED_USER_IDS = String(LOCAL_USER_ID);
  // The local chat never talks to Telegram: no token is needed, and a real one is not used.
  delete env.TELEGRAM_BOT_TOKEN;
  delete env.TELEGRAM_API_ROOT;
  // … and polls the local Bot API: a webhook set up for the real bot is not for it.
  for (const k of ["TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "WEBHOOK_PORT", "WEBHOOK_HOST"])
    delete env[k];
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigurationError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const userId = config.telegram.allowedUserIds[0]!;
  const api = new LocalBotApi();
  const apiRoot = await api.listen();
  const app = await createApp({
    config,
    token: api.token,
    botConfig: { client: { apiRoot } },
    console: false,
  });
  const stop = async (code: number) => {
    await app.stop();
    await api.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  await app.start();
  process.stdout.write(chatBanner(config.envTag, app.sim, config.logDir));
  await runTerminalChat({
    api,
    userId,
    input: process.stdin,
    output: process.stdout,
    downloadsDir: join(config.dataDir, "downloads"),
  });
  await stop(0);
}

main().catch((e: unknown) => {
  console.error(`The local chat could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
