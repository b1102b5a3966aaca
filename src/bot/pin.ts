/**
 * The optional trading PIN (TRADE_PIN). Whoever controls an allowed Telegram account controls the
 * bot; the PIN is a second thing to know before big orders and bulk actions ("Cancel all", later
 * "Close all"). One guard decides for every caller: an order whose size (count × price) is above
 * PIN_ABOVE_DOLLARS, and every bulk action, asks for the PIN unless that user typed it within
 * PIN_TTL_MINUTES. Three wrong PINs in a row lock trading (every order and bulk action) for 15
 * minutes. The PIN is compared in constant time and never logged or echoed; the state is in memory
 * (a restart forgets unlocks and the lock, which only the machine's owner can cause).
 *
 * Callers: the trade conversation asks for it itself (./pinAsk.ts); button handlers outside a
 * conversation use `require()` with the middleware below, which reads the next text the user sends.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareFn } from "grammy";
import type { Micros } from "../domain/money.js";
import { when } from "./format.js";

export interface PinSettings {
  pin: string;
  /** Orders whose count × price is above this ask for the PIN (0: every order). */
  above: Micros;
  /** How long one correct PIN lasts for that user. */
  ttlMs: number;
}

export const MAX_WRONG_PINS = 3;
export const PIN_LOCK_MS = 15 * 60_000;

/** What an action needs: the size of an order, or a bulk action (always asks). */
export type PinSubject = { order: Micros } | "bulk";
export type PinNeed = { kind: "open" } | { kind: "ask" } | { kind: "locked"; until: number };
export type PinCheck =
  { kind: "ok" } | { kind: "wrong"; triesLeft: number } | { kind: "locked"; until: number };

/** A request made outside a conversation: what to run once the PIN is right. */
interface Pending {
  run: (ctx: Context) => Promise<void>;
  what: string;
  expires: number;
  /** Told when the request ends without running (stopped, replaced, timed out, locked). */
  dropped?: (ctx: Context) => Promise<unknown>;
}

const PENDING_MS = 5 * 60_000;
const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export class PinGuard {
  private readonly unlockedUntil = new Map<number, number>();
  private readonly pending = new Map<number, Pending>();
  private wrong = 0;
  private lockedUntil = 0;
  private readonly secret: Buffer | null;

  constructor(
    private readonly settings: PinSettings | undefined,
    private readonly now: () => number,
    private readonly timeZone: string,
  ) {
    this.secret = settings ? digest(settings.pin) : null;
  }

  get enabled(): boolean {
    return this.settings !== undefined;
  }

  /** Whether `userId` may go on now, must type the PIN, or is locked out. */
  need(userId: number, subject: PinSubject): PinNeed {
    if (!this.settings) return { kind: "open" };
    const t = this.now();
    if (t < this.lockedUntil) return { kind: "locked", until: this.lockedUntil };
    if (subject !== "bulk" && subject.order <= this.settings.above) return { kind: "open" };
    return (this.unlockedUntil.get(userId) ?? 0) > t ? { kind: "open" } : { kind: "ask" };
  }

  /** Checks a typed PIN; the third wrong one in a row locks trading. */
  check(userId: number, typed: string): PinCheck {
    if (!this.secret || !this.settings) return { kind: "ok" };
    const t = this.now();
    if (t < this.lockedUntil) return { kind: "locked", until: this.lockedUntil };
    if (timingSafeEqual(digest(typed.trim()), this.secret)) {
      this.wrong = 0;
      this.unlockedUntil.set(userId, t + this.settings.ttlMs);
      return { kind: "ok" };
    }
    this.wrong++;
    if (this.wrong < MAX_WRONG_PINS) return { kind: "wrong", triesLeft: MAX_WRONG_PINS - this.wrong };
    this.wrong = 0;
    this.lockedUntil = t + PIN_LOCK_MS;
    this.unlockedUntil.clear();
    this.pending.clear();
    return { kind: "locked", until: this.lockedUntil };
  }

  /** The sentence a locked-out action gets. */
  lockedText(until: number): string {
    return `🔒 Trading is locked until ${when(until, this.timeZone)} after ${MAX_WRONG_PINS} wrong PINs. Nothing was placed or canceled.`;
  }

  /** The sentence a wrong PIN gets. */
  wrongText(triesLeft: number): string {
    return `Wrong PIN. ${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left before trading locks for ${PIN_LOCK_MS / 60_000} minutes.`;
  }

  /** The question that asks for the PIN before `what` (e.g. "to cancel all resting orders"). */
  askText(what: string): string {
    const mins = Math.round((this.settings?.ttlMs ?? 0) / 60_000);
    return `🔒 Send your trading PIN ${what}. It is asked once every ${mins} min; your message is deleted after reading. /cancel stops.`;
  }

  /**
   * Outside a conversation: runs `run` at once when the PIN is not needed; otherwise asks for it and
   * runs `run` (with the PIN message's context) once the user's next text is the right PIN.
   */
  async require(
    ctx: Context,
    subject: PinSubject,
    what: string,
    run: (ctx: Context) => Promise<void>,
    say: (ctx: Context, text: string) => Promise<unknown>,
    /** Called when the action will not run after all (so a card that said "waits for your PIN" can say so). */
    dropped?: (ctx: Context) => Promise<unknown>,
  ): Promise<void> {
    const userId = ctx.from?.id;
    if (userId === undefined) return;
    const n = this.need(userId, subject);
    if (n.kind === "open") return run(ctx);
    if (n.kind === "locked") {
      await say(ctx, this.lockedText(n.until));
      return void (await dropped?.(ctx).catch(() => undefined));
    }
    const before = this.pending.get(userId);
    this.pending.set(userId, {
      run,
      what,
      expires: this.now() + PENDING_MS,
      ...(dropped ? { dropped } : {}),
    });
    await before?.dropped?.(ctx).catch(() => undefined);
    await say(ctx, this.askText(what));
  }

  /**
   * Reads the PIN a pending `require()` waits for (installed before conversations, so the text never
   * reaches one). A command instead drops the request; the PIN message is deleted when possible.
   */
  middleware(say: (ctx: Context, text: string) => Promise<unknown>): MiddlewareFn<Context> {
    return async (ctx, next) => {
      const userId = ctx.from?.id;
      const text = ctx.message?.text;
      const p = userId === undefined ? undefined : this.pending.get(userId);
      if (!p || text === undefined || userId === undefined) return next();
      this.pending.delete(userId);
      const drop = () => p.dropped?.(ctx).catch(() => undefined);
      if (p.expires < this.now()) {
        await drop();
        return next();
      }
      if (/^\/cancel(@\w+)?$/i.test(text.trim())) {
        await drop();
        return void (await say(ctx, "Stopped. Nothing was done."));
      }
      if (text.startsWith("/")) {
        await drop(); // another command: the request is dropped
        return next();
      }
      await deleteTyped(ctx);
      const r = this.check(userId, text);
      if (r.kind === "ok") return p.run(ctx);
      if (r.kind === "locked") {
        await drop();
        return void (await say(ctx, this.lockedText(r.until)));
      }
      this.pending.set(userId, { ...p, expires: this.now() + PENDING_MS });
      await say(ctx, `${this.wrongText(r.triesLeft)} Send it again, or /cancel.`);
    };
  }
}

/** Deletes the message that carried a PIN (best effort: Telegram may refuse after 48 h or offline). */
export async function deleteTyped(ctx: Context): Promise<boolean> {
  const m = ctx.message;
  if (!m) return false;
  try {
    await ctx.api.deleteMessage(m.chat.id, m.message_id);
    return true;
  } catch {
    return false;
  }
}
