import type { Conversation, ConversationFlavor } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type winston from "winston";
import type { OrderOutbox } from "../alerts/outbox.js";
import type { Buttons } from "./buttons.js";
import type { BotDeps } from "./deps.js";
import type { OrderIntents } from "./intents.js";
import type { PinGuard } from "./pin.js";
import type { OpenPrompts } from "./conversations/openPrompts.js";
import type { ConfirmLane, Tapped } from "./conversations/confirmLane.js";
import type { Ui } from "./ui.js";

export type MyContext = ConversationFlavor<Context>;
/** Context inside a conversation (no plugins besides auto-retry). */
export type ConvContext = Context;
export type MyConversation = Conversation<MyContext, ConvContext>;

/** What every feature gets. */
export interface Kit {
  deps: BotDeps;
  ui: Ui;
  buttons: Buttons;
  log: winston.Logger;
  now: () => number;
  describe: (e: unknown) => string;
  /** Where every quote card's final state is written before it is shown (src/alerts/outbox.ts). */
  outbox: OrderOutbox;
  /** What the user meant by each order (for showing resting sells as sells). */
  intents: OrderIntents;
  /** The optional trading PIN (TRADE_PIN) every order and bulk action asks through. */
  pin: PinGuard;
  /** Each chat's conversation message whose buttons still work (taken away when it is left). */
  prompts: OpenPrompts;
  /** A live quote card's Confirm tap, started before the conversation replays (./conversations/confirmLane.ts). */
  confirmLane: ConfirmLane<Tapped>;
  /** Runs a handler; a failure is logged and answered with one plain sentence. */
  guard: <C extends Context>(
    name: string,
    fn: (ctx: C, next: () => Promise<void>) => Promise<unknown>,
  ) => (ctx: C, next: () => Promise<void>) => Promise<void>;
}
