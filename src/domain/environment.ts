/**
 * Which Kalshi the app talks to, in the words config, logs and chat use. Declared once here so the
 * config, the use cases and the bot cannot drift apart.
 */

/** Where orders go: the embedded sim, Kalshi's demo exchange, or real money. */
export type Environment = "sim" | "demo" | "production";

/** The short tag on every chat message and log line. */
export type EnvTag = "SIM" | "DEMO" | "LIVE";

const ENV_TAGS: Record<Environment, EnvTag> = { sim: "SIM", demo: "DEMO", production: "LIVE" };

export function envTagOf(environment: Environment): EnvTag {
  return ENV_TAGS[environment];
}
