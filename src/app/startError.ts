/** Which part of app.start() failed; the message is one plain sentence naming it (no secrets). */
export type StartStep = "telegram" | "alerts" | "health" | "webhook";

export class AppStartError extends Error {
  constructor(
    readonly step: StartStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppStartError";
  }
}
