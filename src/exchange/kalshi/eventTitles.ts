/**
 * Kalshi marks Market.title deprecated; the question people read now lives on the event
 * (Event.title), a separate resource with no batch lookup by ticker. Fetching an event per market
 * would cost /portfolio one read per event, so the client remembers the titles of the events it has
 * already read (the search index pages through every open event) and gives markets of those events
 * the event's title. Only a market whose event it has not seen keeps the deprecated field's text.
 */
import type { EventInfo, Market } from "../port.js";

/** Enough for Kalshi's open events several times over; the oldest learned title is forgotten first. */
const MAX_EVENTS = 50_000;

export class EventTitles {
  private readonly titles = new Map<string, string>();

  constructor(private readonly max = MAX_EVENTS) {}

  /** Remembers the event's title (and returns the event, for use inside a map()). */
  learn(e: EventInfo): EventInfo {
    if (!e.title.trim()) return e;
    this.titles.delete(e.eventTicker);
    this.titles.set(e.eventTicker, e.title);
    if (this.titles.size > this.max) this.titles.delete(this.titles.keys().next().value!);
    return e;
  }

  /** The market with its event's title when that event was seen. */
  apply(m: Market): Market {
    const title = this.titles.get(m.eventTicker);
    return title === undefined || title === m.title ? m : { ...m, title };
  }
}
