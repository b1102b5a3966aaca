/**
 * The order outbox: an order's outcome is part of the order. Every quote card the user can confirm is
 * written to DATA_DIR/order-outbox.json (atomic writes) when it is shown (before a tap on it can be
 * handled), again when Confirm is tapped (beside the order POST, so the POST never waits for a disk
 * flush), and again with the result text BEFORE the card is edited to it. Delivery
 * works like the fill alerts' (src/alerts/delivery.ts): marked "sending" on disk before each Telegram
 * call, removed only after Telegram accepted it, retried without giving up: a 429 waits as long as
 * Telegram asks (each wait capped at `maxWaitMs`, 10 minutes, and then tried again: the result stays owed,
 * never dropped), 5xx and network errors back off (1 s … 60 s). Only a permanent refusal of the fallback
 * send (the bot was blocked) ends it, logged.
 *
 * The card is edited in place (an edit repeated after a crash only rewrites the same text); when Telegram
 * refuses the edit, the result is sent as a new message, with a "sent again" note if a send of it may
 * already have arrived.
 *
 * After a restart (`start()`), before updates are handled: owed results are delivered first; a card
 * left "quoted" or "confirmed" (the order may have been sent: the "confirmed" write follows the POST)
 * is resolved by looking the order up at the exchange by its client order id: "Your order … was
 * placed at 14:02 (the bot restarted before it could tell you)", else "expired, nothing placed"
 * ("quoted") or "… was not placed" ("confirmed").
 *
 * It also remembers which chat placed which order (`ownerOf`), so cancels reach that chat.
 */
import { join } from "node:path";
import { displayCount } from "../domain/money.js";
import { formatShort } from "../domain/time.js";
import type { ExchangePort, Order } from "../exchange/port.js";
import { type Backoff, backoffMs, besidePendingIo, sleep } from "../shared/async.js";
import { escapeHtml, RESENT_AFTER_ERROR_NOTE, RESENT_AFTER_RESTART_NOTE, withNote } from "./format.js";
import { prepareFileAtomic, writeJsonAtomic } from "./files.js";
import { checkedBy, loadStateFile } from "../shared/stateFile.js";
import { outboxSchema } from "./stateSchemas.js";
import { type AlertDeliveryError, asDeliveryError } from "./sink.js";

/** How results reach the chat (the bot adds the environment header and removes the card's buttons). */
export interface CardSink {
  edit(chatId: number, messageId: number, html: string): Promise<void>;
  send(chatId: number, html: string): Promise<{ messageId: number }>;
}

/** Points of the order path, for tests that stop the process there (kill -9). */
export type OutboxStep =
  "quoted" | "tapped" | "confirmed" | "answered" | "settled" | "marked" | "accepted" | "delivered";

export interface OutboxLogger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

export interface OrderOutboxOptions {
  /** Where order-outbox.json lives; without it the outbox is memory only (bot tests). */
  dataDir?: string;
  /** For resolving a card left "confirmed" by a restart. */
  exchange?: Pick<ExchangePort, "getOrders">;
  timeZone: string;
  logger?: OutboxLogger;
  now?: () => number;
  /** Waits between attempts (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Longest single wait for Telegram (default 10 minutes); then it is tried again. */
  maxWaitMs?: number;
  /** Backoff without retry_after (default 1 s … 60 s). */
  retry?: Backoff;
  /** Called at every step of the order path (tests: a step that never returns is a kill -9 there). */
  checkpoint?: (step: OutboxStep, id: string) => Promise<void> | void;
  /**
   * A card still waiting for Confirm this long after it was shown is edited to "expired" (its buttons go),
   * so no card keeps reading "Please confirm" after its quote ran out. The app passes the confirm timeout
   * plus 5 s. A tap that was already being handled still wins: the card is then brought to its result.
   */
  expireAfterMs?: number;
  /** After an unknown outcome, how long before the order is looked up again (default 60 s). */
  recheckUnknownMs?: number;
}

export interface QuotedCard {
  /** The quote's client order id. */
  id: string;
  chatId: number;
  messageId: number;
  ticker: string;
  /** What the order is, HTML, e.g. "BUY 10 YES · Rain in NYC? · @ $0.42". */
  summary: string;
}

interface CardEntry extends QuotedCard {
  stage: "quoted" | "confirmed" | "result";
  /** When the card was shown, then when Confirm was tapped (epoch ms). */
  at: number;
  html?: string;
  orderId?: string;
  /** The edit was refused: the result goes out as a new message. */
  viaSend?: boolean;
  /** A Telegram call for the result had begun and its outcome was not recorded. */
  sending?: boolean;
  /**
   * The result said the outcome is open (no answer from Kalshi): once it is shown, the order is looked
   * up again (`recheckUnknownMs` later, or at the next start) and a follow-up message tells what happened.
   */
  followUp?: boolean;
}

interface Owner {
  chatId: number;
  clientOrderId: string;
  at: number;
  /** The quote card the order was confirmed on (absent in files from before it was kept). */
  messageId?: number;
}

interface FileV1 {
  version: 1;
  cards: CardEntry[];
  owners: Array<[string, Owner]>;
}

/** Which chat placed an order, and whether that chat asked for its cancel (for cancel notices). */
export interface OrderOwners {
  ownerOf(ref: { orderId?: string | null; clientOrderId?: string | null }): number | null;
  /** True when `chatId` asked to cancel this order (or all orders) shortly before. */
  askedToCancel(orderId: string, chatId: number): boolean;
}

export const OUTBOX_FILE = "order-outbox.json";
/** A cancel event this long after a chat's request still counts as that request's. */
const CANCEL_REQUEST_WINDOW_MS = 60_000;
const OWNERS_LIMIT = 1000;

export const QUOTE_EXPIRED =
  "This quote expired; nothing was placed. Send the order again for a fresh quote.";
export const RESTART_EXPIRED =
  "This quote expired when the bot restarted; nothing was placed. Send the order again if you still want it.";

class Stopped extends Error {}

const DEFAULT_RETRY: Backoff = { baseMs: 1000, maxMs: 60_000 };

export class OrderOutbox implements OrderOwners {
  /** Cancel requests by order id, and "all:<chatId>" for cancel-all (memory only). */
  private readonly cancelRequests = new Map<string, { chatId: number; at: number }>();
  private readonly cards = new Map<string, CardEntry>();
  private readonly owners = new Map<string, Owner>();
  /** Cards whose delivery had begun before the last run ended (the chat may have the message). */
  private readonly interrupted = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  /** Aborted by stop(): ends a wait under way at once. */
  private readonly stopping = new AbortController();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Cards closed as expired, kept a while so a tap already under way can still bring them to a result. */
  private readonly expired = new Map<string, QuotedCard>();
  private sink: CardSink | null = null;
  private stopped = false;
  /** Writes under way beside an order POST (stop() waits for them). */
  private readonly asideWrites = new Set<Promise<void>>();
  /** Counts saves, so that a write prepared aside is not renamed over a newer one. */
  private generation = 0;
  private readonly now: () => number;
  private readonly path: string | null;
  private readonly log: OutboxLogger;

  constructor(private readonly opts: OrderOutboxOptions) {
    this.now = opts.now ?? Date.now;
    this.path = opts.dataDir ? join(opts.dataDir, OUTBOX_FILE) : null;
    this.log = opts.logger ?? { info() {}, warn() {}, error() {} };
    this.load();
  }

  attach(sink: CardSink): void {
    this.sink = sink;
  }

  /** True while the card's final text is still owed (not yet shown on Telegram). */
  owes(id: string): boolean {
    return this.cards.has(id);
  }

  /** Results owed (cards not yet in their final state). */
  pendingCount(): number {
    return this.cards.size;
  }

  /** The chat that placed an order, by order id or client order id; null when unknown. */
  ownerOf(ref: { orderId?: string | null; clientOrderId?: string | null }): number | null {
    if (ref.orderId) {
      const o = this.owners.get(ref.orderId);
      if (o) return o.chatId;
    }
    if (ref.clientOrderId) {
      const c = this.cards.get(ref.clientOrderId);
      if (c) return c.chatId;
      for (const o of this.owners.values()) if (o.clientOrderId === ref.clientOrderId) return o.chatId;
    }
    return null;
  }

  /**
   * True when Confirm on this card (chat, message) may have placed an order: it was sent, or is still
   * being resolved. A late tap on such a card must not be answered with "nothing was placed".
   */
  mayHavePlaced(chatId: number, messageId: number): boolean {
    const onCard = (x: { chatId: number; messageId?: number }) =>
      x.chatId === chatId && x.messageId === messageId;
    for (const c of this.cards.values())
      if (onCard(c) && (c.stage === "confirmed" || c.orderId !== undefined || c.followUp)) return true;
    for (const o of this.owners.values()) if (onCard(o)) return true;
    return false;
  }

  /** A chat asked to cancel an order (`orderId`) or all resting orders (none given). */
  noteCancelRequest(chatId: number, orderId?: string): void {
    const at = this.now();
    for (const [k, r] of this.cancelRequests)
      if (at - r.at > CANCEL_REQUEST_WINDOW_MS) this.cancelRequests.delete(k);
    this.cancelRequests.set(orderId ?? `all:${chatId}`, { chatId, at });
  }

  askedToCancel(orderId: string, chatId: number): boolean {
    const at = this.now();
    const fresh = (r: { chatId: number; at: number } | undefined) =>
      r !== undefined && r.chatId === chatId && at - r.at <= CANCEL_REQUEST_WINDOW_MS;
    return fresh(this.cancelRequests.get(orderId)) || fresh(this.cancelRequests.get(`all:${chatId}`));
  }

  async checkpoint(step: OutboxStep, id: string): Promise<void> {
    await this.opts.checkpoint?.(step, id);
  }

  /** A quote card with Confirm was shown. */
  async quoted(card: QuotedCard): Promise<void> {
    this.cards.set(card.id, { ...card, stage: "quoted", at: this.now() });
    this.save();
    const after = this.opts.expireAfterMs;
    if (after !== undefined && !this.stopped) {
      const t = setTimeout(() => void this.expire(card.id), after);
      t.unref();
      this.expiryTimers.set(card.id, t);
    }
    await this.checkpoint("quoted", card.id);
  }

  private async expire(id: string): Promise<void> {
    this.expiryTimers.delete(id);
    const c = this.cards.get(id);
    if (!c || c.stage !== "quoted" || this.stopped) return;
    this.expired.set(id, {
      id,
      chatId: c.chatId,
      messageId: c.messageId,
      ticker: c.ticker,
      summary: c.summary,
    });
    while (this.expired.size > 200) this.expired.delete(this.expired.keys().next().value!);
    this.log.info("outbox: a quote card expired without a tap", { clientOrderId: id });
    await this.settle(id, QUOTE_EXPIRED);
  }

  /** True while the card is shown and neither tapped nor closed. */
  isQuoted(id: string): boolean {
    return this.cards.get(id)?.stage === "quoted";
  }

  /** The card, also when the expiry closed it while a tap was already being handled. */
  private card(id: string): CardEntry | undefined {
    const t = this.expiryTimers.get(id);
    if (t) clearTimeout(t);
    this.expiryTimers.delete(id);
    const c = this.cards.get(id);
    if (c && !(c.stage === "result" && c.html === QUOTE_EXPIRED)) return c;
    const closed = this.expired.get(id);
    if (!closed) return c;
    this.expired.delete(id);
    const back: CardEntry = { ...closed, stage: "quoted", at: this.now() };
    this.cards.set(id, back);
    return back;
  }

  /**
   * Confirm was tapped; the order goes out once this resolves. The "confirmed" stage is written beside
   * the order POST (`saved`), not before it: a restart looks every card that was not brought to its
   * result up at the exchange by its client order id ("quoted" ones too), so the POST never waits for a
   * disk flush. Await `saved` before the card's result is settled.
   */
  async confirmed(id: string): Promise<{ saved: Promise<void> }> {
    await this.checkpoint("tapped", id);
    const c = this.card(id);
    if (!c) return { saved: Promise.resolve() };
    c.stage = "confirmed";
    c.at = this.now();
    // Begun once the order POST started in this tick is on the wire: the write never delays it.
    const write = besidePendingIo(() => this.saveAside());
    this.asideWrites.add(write);
    void write.finally(() => this.asideWrites.delete(write));
    return { saved: write.then(() => this.checkpoint("confirmed", id)) };
  }

  /** The conversation brought the card to its final state itself (Cancel tapped). */
  forget(id: string): void {
    clearTimeout(this.expiryTimers.get(id));
    this.expiryTimers.delete(id);
    if (this.cards.delete(id)) this.save();
  }

  /**
   * The card's final text: written, then delivered. Resolves once delivered, or once the first attempt
   * failed with a temporary error (delivery then goes on in the background).
   */
  async settle(
    id: string,
    html: string,
    orderId?: string,
    opts: { outcomeUnknown?: boolean } = {},
  ): Promise<void> {
    const c = html === QUOTE_EXPIRED ? this.cards.get(id) : this.card(id);
    if (!c) return;
    c.stage = "result";
    c.html = html;
    // Only with an exchange to ask (the app's outbox); the bot's in-memory one cannot follow up.
    if (opts.outcomeUnknown && this.opts.exchange) c.followUp = true;
    if (orderId) {
      c.orderId = orderId;
      this.remember(orderId, c);
    }
    this.save();
    await this.checkpoint("settled", id);
    await this.deliver(id);
  }

  /**
   * After a restart: owed results first, then the cards left mid-way, resolved at the exchange. Resolves
   * once each had its first attempt; what still fails is retried in the background.
   */
  async start(): Promise<void> {
    const cards = [...this.cards.values()];
    const owed = cards.filter((c) => c.stage === "result");
    await Promise.all(owed.map((c) => this.deliver(c.id)));
    // A "quoted" card may have been tapped (its "confirmed" stage is written beside the POST): look it up too.
    const midway = cards.filter((c) => c.stage === "confirmed" || c.stage === "quoted");
    await Promise.all(midway.map((c) => this.resolveAndDeliver(c.id)));
  }

  /** Resolves once no delivery is under way (tests: the background retries are done). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Stops retrying (nothing is written: what is owed stays owed for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.expiryTimers.values()) clearTimeout(t);
    this.expiryTimers.clear();
    this.stopping.abort();
    await Promise.allSettled([...this.running.values(), ...this.asideWrites]);
  }

  // ------------------------------------------------------------------ resolving after a restart

  /** Looks the order up (retrying with backoff while Kalshi cannot answer), then delivers the sentence. */
  private resolveAndDeliver(id: string): Promise<void> {
    return new Promise<void>((resolve) => {
      void this.track(id, this.resolveLoop(id, resolve).finally(resolve));
    });
  }

  private async resolveLoop(id: string, firstAttemptDone: () => void): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const c = this.cards.get(id);
      if (!c || (c.stage !== "confirmed" && c.stage !== "quoted")) break;
      let order: Order | null;
      try {
        order = await this.findOrder(c);
      } catch (e) {
        this.log.warn("outbox: could not look up an order cut off by a restart; will retry", {
          clientOrderId: id,
          error: errText(e),
        });
        firstAttemptDone();
        await this.wait(this.backoff(attempt));
        continue;
      }
      c.html = restartedSentence(c, order, this.opts.timeZone);
      c.stage = "result";
      delete c.followUp; // this is the follow-up itself
      if (order) {
        c.orderId = order.orderId;
        this.remember(order.orderId, c);
      }
      this.save();
      this.log.info("outbox: resolved an order cut off by a restart", { clientOrderId: id, found: !!order });
      break;
    }
    await this.deliverLoop(id, firstAttemptDone);
  }

  private async findOrder(c: CardEntry): Promise<Order | null> {
    if (!this.opts.exchange) throw new Error("no exchange to look the order up");
    const orders = await this.opts.exchange.getOrders({ ticker: c.ticker, minTs: c.at - 60_000 });
    return orders.find((o) => o.clientOrderId === c.id) ?? null;
  }

  // ------------------------------------------------------------------ delivery

  /** Runs (or joins) the delivery of a card; resolves after the first attempt or at the end. */
  private deliver(id: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const existing = this.running.get(id);
      if (existing) {
        // After it ends, run again: the card may have a newer final text than the one it delivered.
        void existing.then(() => this.deliver(id)).then(resolve);
        return;
      }
      void this.track(id, this.deliverLoop(id, resolve).finally(resolve));
    });
  }

  private track(id: string, p: Promise<void>): Promise<void> {
    const run = p.catch((e: unknown) => {
      if (!(e instanceof Stopped))
        this.log.error("outbox: delivery failed unexpectedly", { clientOrderId: id, error: errText(e) });
    });
    this.running.set(id, run);
    void run.finally(() => {
      if (this.running.get(id) === run) this.running.delete(id);
    });
    return run;
  }

  private async deliverLoop(id: string, firstAttemptDone: () => void): Promise<void> {
    /** A send of this run got no answer: it may have arrived. */
    let maybeSent = false;
    for (let attempt = 0; !this.stopped; attempt++) {
      const c = this.cards.get(id);
      if (!c || c.stage !== "result" || c.html === undefined) return;
      const sink = this.sink;
      if (!sink) throw new Error("no Telegram sink attached");
      // A repeated edit only rewrites the card; a repeated send is a second message, so it says so.
      const note = !c.viaSend
        ? null
        : this.interrupted.has(id)
          ? RESENT_AFTER_RESTART_NOTE
          : maybeSent
            ? RESENT_AFTER_ERROR_NOTE
            : null;
      c.sending = true;
      this.save();
      await this.checkpoint("marked", id);
      const html = c.html;
      try {
        if (c.viaSend) {
          await sink.send(c.chatId, note ? withNote(html, note) : html);
        } else {
          await sink.edit(c.chatId, c.messageId, html);
        }
      } catch (e) {
        const de = asDeliveryError(e);
        if (!de.retryable) {
          if (!c.viaSend) {
            this.log.warn("outbox: the card could not be edited; sending the result as a message", {
              error: de.message,
            });
            c.viaSend = true;
            c.sending = false;
            attempt = -1;
            continue;
          }
          this.log.error("outbox: Telegram refused an order result; giving up on it", {
            chatId: c.chatId,
            clientOrderId: id,
            error: de.message,
          });
          this.done(id);
          return;
        }
        if (de.maybeDelivered && c.viaSend) maybeSent = true;
        firstAttemptDone();
        await this.wait(this.delayFor(de, attempt));
        continue;
      }
      await this.checkpoint("accepted", id);
      const now = this.cards.get(id);
      if (now && (now.stage !== "result" || now.html !== html)) {
        // A newer final text came meanwhile (a tap won over the expiry): show that one.
        attempt = -1;
        continue;
      }
      if (c.followUp) {
        // The open outcome is shown; find out what happened and say so in a new message.
        c.stage = "confirmed";
        delete c.html;
        c.viaSend = true;
        c.sending = false;
        this.interrupted.delete(id);
        this.save();
        firstAttemptDone();
        await this.wait(this.opts.recheckUnknownMs ?? 60_000);
        await this.resolveLoop(id, () => undefined);
        return;
      }
      this.done(id);
      await this.checkpoint("delivered", id);
      return;
    }
  }

  private done(id: string): void {
    this.cards.delete(id);
    this.interrupted.delete(id);
    this.save();
  }

  private delayFor(de: AlertDeliveryError, attempt: number): number {
    const max = this.opts.maxWaitMs ?? 10 * 60_000;
    const ms = de.retryAfterMs ?? this.backoff(attempt);
    if (ms > max)
      this.log.warn("outbox: Telegram asks to wait longer than the cap", { retryAfterMs: ms, waitMs: max });
    else
      this.log.warn("outbox: delivering an order result failed; retrying", {
        error: de.message,
        retryInMs: ms,
      });
    return Math.min(ms, max);
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt + 1, this.opts.retry ?? DEFAULT_RETRY);
  }

  private async wait(ms: number): Promise<void> {
    if (this.stopped) throw new Stopped();
    if (this.opts.sleep) await this.opts.sleep(ms);
    else await sleep(ms, this.stopping.signal);
    if (this.stopped) throw new Stopped();
  }

  // ------------------------------------------------------------------ persistence

  private remember(orderId: string, c: CardEntry): void {
    this.owners.set(orderId, {
      chatId: c.chatId,
      clientOrderId: c.id,
      at: this.now(),
      messageId: c.messageId,
    });
    while (this.owners.size > OWNERS_LIMIT) {
      const oldest = this.owners.keys().next().value;
      if (oldest === undefined) break;
      this.owners.delete(oldest);
    }
  }

  private load(): void {
    if (!this.path) return;
    // Damaged or of another shape: moved aside (never overwritten), the owner told once in chat.
    const loaded = loadStateFile(this.path, {
      what: "order results",
      parse: checkedBy<FileV1>(outboxSchema),
      consequence:
        "Results of orders confirmed just before may not be shown; /orders and /portfolio show them.",
    });
    if (loaded.kind === "reset") {
      this.log.error("outbox: order-outbox.json is unreadable; starting empty", {
        error: loaded.problem,
        movedTo: loaded.movedTo,
      });
    }
    if (loaded.kind !== "ok") return;
    const f = loaded.value;
    for (const c of f.cards) {
      if (c.sending) this.interrupted.add(c.id);
      this.cards.set(c.id, c);
    }
    for (const [k, o] of f.owners) this.owners.set(k, o);
  }

  private save(): void {
    this.generation++;
    if (!this.path) return;
    writeJsonAtomic(this.path, this.snapshot());
  }

  /**
   * save() with the write and flush off the event loop (the Confirm tap's, beside the order POST).
   * The rename is skipped when a later save began meanwhile: that one carries this change too.
   */
  private async saveAside(): Promise<void> {
    const generation = ++this.generation;
    if (!this.path) return;
    try {
      const file = await prepareFileAtomic(this.path, JSON.stringify(this.snapshot()));
      if (generation === this.generation) file.commit();
      else file.discard();
    } catch (e) {
      this.log.error("outbox: could not write order-outbox.json", { error: errText(e) });
    }
  }

  private snapshot(): FileV1 {
    return { version: 1, cards: [...this.cards.values()], owners: [...this.owners] };
  }
}

/** What the user is told about an order whose result the restart cut off. */
function restartedSentence(c: CardEntry, order: Order | null, timeZone: string): string {
  const when = formatShort(c.at, timeZone);
  if (c.followUp) return followUpSentence(c, order);
  if (!order && c.stage === "quoted") return RESTART_EXPIRED;
  if (!order) {
    return `Your order ${c.summary} was not placed: the bot restarted before Kalshi had it (you confirmed it at ${escapeHtml(when)}). Nothing was placed; send it again if you still want it.`;
  }
  return `Your order ${c.summary} was placed at ${escapeHtml(when)} (the bot restarted before it could tell you). Order id: <code>${escapeHtml(order.orderId)}</code> · ${orderState(order)}. /orders and /portfolio show it.`;
}

function orderState(order: Order): string {
  const filled = `${displayCount(order.fillCount)} of ${displayCount(order.initialCount)} filled`;
  if (order.status === "resting") return `${filled}, ${displayCount(order.remainingCount)} resting`;
  if (order.status === "canceled") return `${filled}, the rest canceled`;
  return filled;
}

/** The follow-up after an unknown outcome: what Kalshi has under the order's client order id. */
function followUpSentence(c: CardEntry, order: Order | null): string {
  if (!order) {
    return `Update on your order ${c.summary}: Kalshi has no order from it, so it was not placed. Nothing was placed; send it again if you still want it.`;
  }
  return `Update on your order ${c.summary}: Kalshi did take it. Order id: <code>${escapeHtml(order.orderId)}</code> · ${orderState(order)}. /orders and /portfolio show it.`;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
