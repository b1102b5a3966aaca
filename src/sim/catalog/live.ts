/**
 * The live-sized catalog (SIM_CATALOG=live): a few hundred series, thousands of events, tens of
 * thousands of plain markets and a far larger number of multivariate combo markets (KXMVE…), as on
 * the real exchange. Deterministic from a seed and the UTC day. Only series and event headers are
 * kept in memory; an event's markets are generated from its seed when asked for (a small cache
 * keeps recent ones) and combo markets are a pure function of their index, so start-up is quick
 * and memory small. Markets that trading touches are handed to the engine once ("adopted") and
 * from then on the engine's copy is the truth.
 */
import type { FeeType } from "../../domain/fees.js";
import { type Micros, MICROS_PER_CENT, micros } from "../../domain/money.js";
import type { SimEngine } from "../engine.js";
import {
  type Fixture,
  type SimEvent,
  type SimMarket,
  type SimSeries,
  LINEAR_CENT,
  TAPERED_DECI_CENT,
  dateCode,
} from "../fixtures.js";
import { Rng } from "../rng.js";
import {
  type EventKind,
  type SeriesTemplate,
  type Subject,
  FIRST_NAMES,
  LAST_NAMES,
  seriesTemplates,
} from "./vocab.js";

export interface LiveCatalogOptions {
  seed?: number;
  /** Sim clock at start; the catalog is laid out from the start of its UTC day. */
  now: number;
  series?: number;
  openEvents?: number;
  combos?: number;
}

/** Kalshi-sized defaults. */
export const LIVE_SIZES = { series: 300, openEvents: 3000, combos: 160_000 } as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MVE_COLLECTIONS = ["KXMVESPORTSMULTIGAMEEXTENDED", "KXMVECROSSCATEGORY"] as const;

/** An event header: everything needed to regenerate its markets. */
export interface CatalogEvent extends SimEvent {
  idx: number;
  series: SimSeries;
  template: SeriesTemplate;
  subject: Subject;
  teams: [string, string] | null;
  createdTs: number;
  openTs: number;
  closeTs: number;
  settleTs: number;
  marketCount: number;
  /** Index of its first market in the flat list of plain markets. */
  firstMarket: number;
}

/** What the engine takes over when a catalog market is first used. */
export interface MarketAdoption {
  markets: SimMarket[];
  event: SimEvent;
  series: SimSeries;
}

export interface ComboLeg {
  eventTicker: string;
  marketTicker: string;
  label: string;
  fair: number;
}

/** murmur3's finalizer over two words: a cheap deterministic hash. */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const cents = (x: number): Micros => micros(Math.round(Math.min(99, Math.max(1, x)) * MICROS_PER_CENT));
const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const shortDate = (ms: number): string => {
  const d = new Date(ms);
  return `${MON[d.getUTCMonth()]} ${d.getUTCDate()}`;
};
const longDate = (ms: number): string => `${shortDate(ms)}, ${new Date(ms).getUTCFullYear()}`;
const hex = (n: number, width: number): string =>
  n.toString(16).toUpperCase().padStart(width, "0").slice(-width);

/** Standard normal CDF (Abramowitz–Stegun), for strike probabilities. */
function normCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989423 * Math.exp((-z * z) / 2);
  const p = d * t * (0.3193815 + t * (-0.3565638 + t * (1.781478 + t * (-1.821256 + t * 1.330274))));
  return z > 0 ? 1 - p : p;
}

interface MarketSeed {
  suffix: string;
  yes: string;
  no: string;
  strikeType: SimMarket["strikeType"];
  floor: number | null;
  cap: number | null;
  fairCents: number;
}

export class LiveCatalog {
  readonly anchor: number;
  readonly seed: number;
  readonly series: SimSeries[] = [];
  readonly events: CatalogEvent[] = [];
  readonly plainCount: number;
  readonly comboCount: number;
  private readonly eventsByTicker = new Map<string, CatalogEvent>();
  private readonly seriesByTicker = new Map<string, SimSeries>();
  private readonly cache = new Map<number, SimMarket[]>();
  private readonly legs: ComboLeg[] = [];
  private engine: SimEngine | null = null;
  private adopted = new Map<string, SimMarket>();
  private adoptedSeen: { list: SimMarket[] | null; length: number } = { list: null, length: 0 };

  constructor(opts: LiveCatalogOptions) {
    this.seed = (opts.seed ?? 1) >>> 0;
    this.anchor = Math.floor(opts.now / DAY) * DAY;
    const nSeries = opts.series ?? LIVE_SIZES.series;
    this.buildSeries(nSeries);
    this.buildEvents(opts.openEvents ?? LIVE_SIZES.openEvents);
    let first = 0;
    for (const e of this.events) {
      e.firstMarket = first;
      first += e.marketCount;
    }
    this.plainCount = first;
    this.buildLegs();
    this.comboCount = opts.combos ?? LIVE_SIZES.combos;
  }

  /** The engine whose adopted markets override the generated ones. */
  attach(engine: SimEngine): void {
    this.engine = engine;
  }

  // ------------------------------------------------------------------ generation

  private buildSeries(n: number): void {
    const templates = seriesTemplates();
    const feeTypes: FeeType[] = ["quadratic", "quadratic_with_maker_fees"];
    outer: for (let round = 0; ; round++) {
      let added = false;
      for (const t of templates) {
        const subject = t.subjects[round];
        if (!subject) continue;
        added = true;
        const ticker = `KX${t.stem}${subject.code}`;
        if (this.seriesByTicker.has(ticker)) continue;
        const s: SimSeries & { template?: SeriesTemplate; subject?: Subject } = {
          ticker,
          title: t.seriesTitle(subject),
          category: t.category,
          frequency: t.frequency,
          feeType: feeTypes[mix(this.seed, this.series.length) % 2] as FeeType,
          feeMultiplier: 1,
          tags: t.tags,
          settlementSources: [{ name: "Kalshi", url: "https://kalshi.com" }],
          contractUrl: `https://kalshi.com/markets/${ticker.toLowerCase()}`,
        };
        this.series.push(s);
        this.seriesByTicker.set(ticker, s);
        this.seriesMeta.set(ticker, { template: t, subject });
        if (this.series.length >= n) break outer;
      }
      if (!added) break;
    }
  }

  private readonly seriesMeta = new Map<string, { template: SeriesTemplate; subject: Subject }>();

  private eventWeight(t: SeriesTemplate): number {
    if (t.matchup) return 40;
    if (t.frequency === "daily") return 14;
    if (t.frequency === "weekly") return 8;
    if (t.frequency === "monthly") return 4;
    return 3;
  }

  private buildEvents(openTarget: number): void {
    const weights = this.series.map((s) => this.eventWeight(this.meta(s.ticker).template));
    const total = weights.reduce((a, b) => a + b, 0);
    const counts = weights.map((w) => Math.floor((w * openTarget) / total));
    let left = openTarget - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; left > 0; i = (i + 1) % counts.length, left--) counts[i] = (counts[i] ?? 0) + 1;
    this.series.forEach((s, si) => {
      const open = counts[si] ?? 0;
      const closed = Math.ceil(open / 10);
      const unopened = open >= 5 ? 1 : 0;
      for (let k = 0; k < closed; k++) this.addEvent(s, "closed", k);
      for (let k = 0; k < open; k++) this.addEvent(s, "open", k);
      for (let k = 0; k < unopened; k++) this.addEvent(s, "unopened", k);
    });
  }

  private meta(seriesTicker: string): { template: SeriesTemplate; subject: Subject } {
    const m = this.seriesMeta.get(seriesTicker);
    if (!m) throw new Error(`no series ${seriesTicker}`);
    return m;
  }

  private addEvent(s: SimSeries, phase: "closed" | "open" | "unopened", k: number): void {
    const { template: t, subject } = this.meta(s.ticker);
    const idx = this.events.length;
    const rng = new Rng(mix(this.seed, idx + 1));
    const span =
      t.frequency === "daily"
        ? DAY
        : t.frequency === "weekly"
          ? 7 * DAY
          : t.frequency === "monthly"
            ? 30 * DAY
            : 0;
    let closeTs: number;
    let openTs: number;
    if (phase === "open") {
      const offset = span > 0 ? k * span : rng.int(0, t.matchup ? 14 * 24 : 120 * 24) * HOUR;
      closeTs = this.anchor + 30 * HOUR + offset + rng.int(0, 5) * HOUR;
      openTs = this.anchor - rng.int(1, 20) * DAY;
    } else if (phase === "closed") {
      closeTs = this.anchor - (k + 1) * DAY + rng.int(0, 20) * HOUR;
      openTs = closeTs - rng.int(2, 30) * DAY;
    } else {
      openTs = this.anchor + DAY + rng.int(1, 36) * HOUR;
      closeTs = openTs + rng.int(2, 10) * DAY;
    }
    // Listed from creation on (unopened until openTs); never created after the catalog's day began.
    const createdTs = Math.min(openTs - rng.int(1, 48) * HOUR, this.anchor - HOUR);
    let teams: [string, string] | null = null;
    if (t.matchup && t.options) {
      const a = rng.int(0, t.options.length - 1);
      const b = (a + 1 + rng.int(0, t.options.length - 2)) % t.options.length;
      teams = [t.options[a] ?? "A|A", t.options[b] ?? "B|B"];
    }
    const name = (x: string): string => x.split("|")[1] ?? x;
    const code = (x: string): string => x.split("|")[0] ?? x;
    let ticker = `${s.ticker}-${dateCode(closeTs)}${teams ? code(teams[0]) + code(teams[1]) : ""}`;
    for (let n = 2; this.eventsByTicker.has(ticker); n++) ticker = `${ticker.replace(/_\d+$/, "")}_${n}`;
    const date = longDate(closeTs);
    const title = teams
      ? t.kind === "game"
        ? `${name(teams[0])} vs ${name(teams[1])} winner?`
        : `${name(teams[0])} vs ${name(teams[1])}: total points?`
      : t.eventTitle(subject, date);
    const marketCount = this.countFor(t.kind, rng);
    const e: CatalogEvent = {
      eventTicker: ticker,
      seriesTicker: s.ticker,
      title,
      subTitle: teams ? `${code(teams[0])} vs ${code(teams[1])} (${shortDate(closeTs)})` : `On ${date}`,
      category: s.category,
      mutuallyExclusive: t.kind !== "ladder" && t.kind !== "binary",
      strikeDate: closeTs,
      idx,
      series: s,
      template: t,
      subject,
      teams,
      createdTs,
      openTs,
      closeTs,
      settleTs: closeTs + 3 * HOUR,
      marketCount,
      firstMarket: 0,
    };
    this.events.push(e);
    this.eventsByTicker.set(ticker, e);
  }

  private countFor(kind: EventKind, rng: Rng): number {
    switch (kind) {
      case "ladder":
        return rng.int(6, 26);
      case "range":
        return rng.int(6, 22);
      case "game":
        return 2;
      case "options":
        return rng.int(4, 20);
      case "binary":
        return 1;
    }
  }

  private seeds(e: CatalogEvent): MarketSeed[] {
    const rng = new Rng(mix(this.seed ^ 0x5eed, e.idx));
    const t = e.template;
    const n = e.marketCount;
    if (t.kind === "binary")
      return [
        {
          suffix: "Y",
          yes: "Yes",
          no: "No",
          strikeType: "custom",
          floor: null,
          cap: null,
          fairCents: rng.int(5, 80),
        },
      ];
    if (t.kind === "game" && e.teams) {
      const p = rng.int(25, 75);
      return e.teams.map((team, i) => {
        const [code, name] = team.split("|") as [string, string];
        return {
          suffix: code,
          yes: name,
          no: `Not ${name}`,
          strikeType: "custom" as const,
          floor: null,
          cap: null,
          fairCents: i === 0 ? p : 100 - p,
        };
      });
    }
    if (t.kind === "options") {
      const names = this.optionNames(t, rng, n);
      const raw = names.map((_, i) => 1 / (i + 1.5) ** 1.3);
      const sum = raw.reduce((a, b) => a + b, 0);
      const used = new Set<string>();
      return names.map((name, i) => {
        let suffix =
          name
            .replace(/[^A-Za-z]/g, "")
            .slice(0, 6)
            .toUpperCase() || `O${i}`;
        while (used.has(suffix)) suffix = `${suffix.slice(0, 5)}${i}`;
        used.add(suffix);
        return {
          suffix,
          yes: name,
          no: `Not ${name}`,
          strikeType: "custom" as const,
          floor: null,
          cap: null,
          fairCents: (100 * (raw[i] ?? 0)) / sum,
        };
      });
    }
    // ladder ("above x") or range (buckets)
    const center = (e.subject.center ?? 50) * (1 + (rng.next() - 0.5) * 0.02);
    const stepAbs = t.absStep ? (t.step ?? 1) : center * (t.step ?? 0.01);
    const decimals = Math.max(0, Math.min(4, Math.ceil(-Math.log10(stepAbs)) + 1));
    const round = (x: number): number => Number(x.toFixed(decimals));
    const unit = t.unit ?? ((x: number) => String(x));
    const sigma = Math.max(stepAbs, (stepAbs * n) / 5);
    // Never below one step: a strike is never negative (and a ticker never holds a second "-").
    const low = Math.max(center - ((n - 1) / 2) * stepAbs, stepAbs);
    const strikes = Array.from({ length: n }, (_, i) => round(low + i * stepAbs));
    if (t.kind === "ladder") {
      return strikes.map((x) => ({
        suffix: `T${x}`,
        yes: unit(x).startsWith("Over") ? unit(x) : `${unit(x)} or above`,
        no: unit(x).startsWith("Over") ? `Not ${unit(x)}` : `Below ${unit(x)}`,
        strikeType: "greater" as const,
        floor: x,
        cap: null,
        fairCents: 100 * (1 - normCdf((x - center) / sigma)),
      }));
    }
    return strikes.map((x, i) => {
      const lo = x - stepAbs / 2;
      const hi = x + stepAbs / 2;
      if (i === 0)
        return {
          suffix: `T${round(hi)}`,
          yes: `${unit(round(hi))} or below`,
          no: `Above ${unit(round(hi))}`,
          strikeType: "less" as const,
          floor: null,
          cap: round(hi),
          fairCents: 100 * normCdf((hi - center) / sigma),
        };
      if (i === n - 1)
        return {
          suffix: `T${round(lo)}`,
          yes: `${unit(round(lo))} or above`,
          no: `Below ${unit(round(lo))}`,
          strikeType: "greater" as const,
          floor: round(lo),
          cap: null,
          fairCents: 100 * (1 - normCdf((lo - center) / sigma)),
        };
      return {
        suffix: `B${x}`,
        yes: `${unit(round(lo))} to ${unit(round(hi))}`,
        no: `Not ${unit(round(lo))} to ${unit(round(hi))}`,
        strikeType: "between" as const,
        floor: round(lo),
        cap: round(hi),
        fairCents: 100 * (normCdf((hi - center) / sigma) - normCdf((lo - center) / sigma)),
      };
    });
  }

  private optionNames(t: SeriesTemplate, rng: Rng, n: number): string[] {
    const pool = t.options
      ? t.options.map((o) => o.split("|").pop() ?? o)
      : Array.from({ length: 40 }, () => `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`);
    const out: string[] = [];
    for (const name of pool) {
      if (out.length >= n) break;
      if (!out.includes(name)) out.push(name);
    }
    return out;
  }

  /** The event's markets as generated (cached), status as of the catalog's creation. */
  private generated(e: CatalogEvent): SimMarket[] {
    const hit = this.cache.get(e.idx);
    if (hit) {
      this.cache.delete(e.idx);
      this.cache.set(e.idx, hit);
      return hit;
    }
    const rng = new Rng(mix(this.seed ^ 0x701, e.idx));
    const popularity = Math.exp(rng.next() * 8);
    const tapered = e.category === "Crypto" || e.category === "Financials";
    const rules = `If the outcome of "${e.title}" is {X}, the market resolves to Yes.`;
    const out = this.seeds(e).map((sd): SimMarket => {
      const fair = cents(sd.fairCents);
      return {
        ticker: `${e.eventTicker}-${sd.suffix}`,
        eventTicker: e.eventTicker,
        seriesTicker: e.seriesTicker,
        title: e.title,
        subtitle: sd.yes,
        yesSubTitle: sd.yes,
        noSubTitle: sd.no,
        rulesPrimary: rules.replace("{X}", sd.yes),
        rulesSecondary: "",
        status: "active",
        createdTime: e.createdTs,
        updatedTime: e.createdTs,
        openTime: e.openTs,
        closeTime: e.closeTs,
        settleTime: e.settleTs,
        priceLevelStructure: tapered ? "tapered_deci_cent" : "linear_cent",
        priceRanges: tapered ? TAPERED_DECI_CENT : LINEAR_CENT,
        strikeType: sd.strikeType,
        floorStrike: sd.floor,
        capStrike: sd.cap,
        result: "",
        settlementTs: null,
        fair,
        lastPrice: fair,
        previousPrice: fair,
        volume: Math.floor(popularity * Math.exp(rng.next() * 5) * (0.2 + sd.fairCents / 50)) * 100,
        openInterest: 0,
      };
    });
    this.cache.set(e.idx, out);
    if (this.cache.size > 400) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return out;
  }

  /** A generated market as it stands at `now` (status, result and times follow the clock). */
  private atTime(m: SimMarket, now: number): SimMarket {
    if (now >= m.openTime && now < m.closeTime) return m;
    if (now < m.openTime) return { ...m, status: "initialized" };
    if (now < m.settleTime) return { ...m, status: "closed", updatedTime: m.closeTime };
    const result = m.fair >= 50 * MICROS_PER_CENT ? "yes" : "no";
    return { ...m, status: "finalized", result, settlementTs: m.settleTime, updatedTime: m.settleTime };
  }

  private buildLegs(): void {
    for (const e of this.events) {
      if (this.legs.length >= 600) break;
      if (e.template.kind !== "game" || e.closeTs <= this.anchor) continue;
      for (const m of this.generated(e))
        this.legs.push({
          eventTicker: e.eventTicker,
          marketTicker: m.ticker,
          label: m.yesSubTitle,
          fair: m.fair,
        });
    }
    if (this.legs.length < 2) {
      for (const e of this.events.slice(0, 20))
        for (const m of this.generated(e))
          this.legs.push({
            eventTicker: e.eventTicker,
            marketTicker: m.ticker,
            label: m.yesSubTitle,
            fair: m.fair,
          });
    }
  }

  // ------------------------------------------------------------------ lookups

  private adoptedMap(): Map<string, SimMarket> {
    const list = this.engine?.markets() ?? [];
    if (list !== this.adoptedSeen.list || list.length !== this.adoptedSeen.length) {
      this.adopted = new Map(list.map((m) => [m.ticker, m]));
      this.adoptedSeen = { list, length: list.length };
    }
    return this.adopted;
  }

  isAdopted(ticker: string): boolean {
    return this.adoptedMap().has(ticker);
  }

  /** Whether any of the event's markets is held by the engine (then its markets decide its status). */
  hasAdopted(e: CatalogEvent): boolean {
    return this.adoptedEvents().has(e.eventTicker);
  }

  private adoptedEventSet: { map: Map<string, SimMarket> | null; size: number; set: Set<string> } = {
    map: null,
    size: 0,
    set: new Set(),
  };
  private adoptedEvents(): Set<string> {
    const map = this.adoptedMap();
    const cached = this.adoptedEventSet;
    if (cached.map !== map || cached.size !== map.size)
      this.adoptedEventSet = {
        map,
        size: map.size,
        set: new Set([...map.values()].map((m) => m.eventTicker)),
      };
    return this.adoptedEventSet.set;
  }

  /** The event's status from its times alone (when no market of it is adopted). */
  eventPhase(e: CatalogEvent, now: number): "unopened" | "open" | "closed" | "settled" {
    if (now < e.openTs) return "unopened";
    if (now < e.closeTs) return "open";
    return now < e.settleTs ? "closed" : "settled";
  }

  seriesFor(ticker: string): SimSeries | undefined {
    return this.seriesByTicker.get(ticker);
  }

  event(eventTicker: string): CatalogEvent | undefined {
    return this.eventsByTicker.get(eventTicker);
  }

  /** The event's markets now: the engine's copy for adopted ones, else generated. */
  eventMarkets(e: CatalogEvent, now: number): SimMarket[] {
    const adopted = this.adoptedMap();
    return this.generated(e).map((m) => adopted.get(m.ticker) ?? this.atTime(m, now));
  }

  /** When the event's metadata last changed: created, opened, closed, settled, or an adopted market's change. */
  eventUpdatedTs(e: CatalogEvent, now: number): number {
    let ts = e.createdTs;
    for (const t of [e.openTs, e.closeTs, e.settleTs]) if (t <= now) ts = Math.max(ts, t);
    const adopted = this.adoptedMap();
    if (adopted.size > 0)
      for (const m of this.generated(e)) {
        const a = adopted.get(m.ticker);
        if (a && a.status !== "active") ts = Math.max(ts, a.updatedTime);
      }
    return ts;
  }

  /** The i-th plain market (0 ≤ i < plainCount). */
  plainAt(i: number, now: number): SimMarket | undefined {
    let lo = 0;
    let hi = this.events.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.events[mid] as CatalogEvent).firstMarket <= i) lo = mid;
      else hi = mid - 1;
    }
    const e = this.events[lo];
    if (!e) return undefined;
    const m = this.generated(e)[i - e.firstMarket];
    return m && (this.adoptedMap().get(m.ticker) ?? this.atTime(m, now));
  }

  /** The i-th combo market and its legs. */
  combo(i: number): { market: SimMarket; collection: string; legs: { leg: ComboLeg; side: "yes" | "no" }[] } {
    const h = mix(this.seed ^ 0xc0b0, i);
    const rng = new Rng(h);
    const collection = MVE_COLLECTIONS[i % 3 === 0 ? 1 : 0] as string;
    const n = rng.int(2, 4);
    const legs: { leg: ComboLeg; side: "yes" | "no" }[] = [];
    for (let k = 0; k < 20 && legs.length < n; k++) {
      const leg = this.legs[rng.int(0, this.legs.length - 1)] as ComboLeg;
      if (legs.some((l) => l.leg.eventTicker === leg.eventTicker)) continue;
      legs.push({ leg, side: rng.next() < 0.85 ? "yes" : "no" });
    }
    const eventTicker = `${collection}-S${new Date(this.anchor).getUTCFullYear()}${hex(i, 5)}${hex(h, 6)}`;
    const ticker = `${eventTicker}-${hex(mix(h, 7), 8)}${hex(mix(h, 9), 3)}`;
    let p = 1;
    for (const l of legs) p *= l.side === "yes" ? l.leg.fair / 1e6 : 1 - l.leg.fair / 1e6;
    const fair = cents(p * 100);
    const created = this.anchor - 2 * DAY + (i % 1440) * 60_000;
    const close = this.anchor + 30 * HOUR + (i % 14) * DAY;
    return {
      collection,
      legs,
      market: {
        ticker,
        eventTicker,
        seriesTicker: collection,
        title: legs.map((l) => `${l.side} ${l.leg.label}`).join(","),
        subtitle: "",
        yesSubTitle: legs.map((l) => `${l.side} ${l.leg.label}`).join(","),
        noSubTitle: legs.map((l) => `${l.side} ${l.leg.label}`).join(","),
        rulesPrimary: "If every selected leg resolves as chosen, the market resolves to Yes.",
        rulesSecondary: "",
        status: "active",
        createdTime: created,
        updatedTime: created,
        openTime: created,
        closeTime: close,
        settleTime: close + 3 * HOUR,
        priceLevelStructure: "linear_cent",
        priceRanges: LINEAR_CENT,
        strikeType: "custom",
        floorStrike: null,
        capStrike: null,
        result: "",
        settlementTs: null,
        fair,
        lastPrice: fair,
        previousPrice: fair,
        volume: rng.int(0, 40) * 100,
        openInterest: 0,
      },
    };
  }

  comboAt(i: number, now: number): SimMarket {
    const m = this.combo(i).market;
    return this.adoptedMap().get(m.ticker) ?? this.atTime(m, now);
  }

  private comboIndex(ticker: string): number | null {
    const match = /^KXMVE[A-Z]+-S\d{4}([0-9A-F]{5})[0-9A-F]{6}-[0-9A-F]{11}$/.exec(ticker);
    if (!match) return null;
    const i = parseInt(match[1] ?? "", 16);
    return i < this.comboCount && this.combo(i).market.ticker === ticker ? i : null;
  }

  /** A market by ticker (plain or combo), not adopted. */
  find(ticker: string, now: number): SimMarket | undefined {
    const adopted = this.adoptedMap().get(ticker);
    if (adopted) return adopted;
    if (ticker.startsWith("KXMVE")) {
      const i = this.comboIndex(ticker);
      return i === null ? undefined : this.atTime(this.combo(i).market, now);
    }
    const e = this.event(ticker.slice(0, ticker.lastIndexOf("-")));
    const m = e && this.generated(e).find((x) => x.ticker === ticker);
    return m && this.atTime(m, now);
  }

  /**
   * The engine hook: fresh copies of a catalog market and its siblings (an event is adopted whole,
   * so a mutually exclusive event settles among all its markets), with their event and series.
   */
  resolve(ticker: string, now: number): MarketAdoption | undefined {
    const m = this.find(ticker, now);
    if (!m) return undefined;
    if (ticker.startsWith("KXMVE")) {
      const series: SimSeries = {
        ticker: m.seriesTicker,
        title: "Multivariate combos",
        category: "Sports",
        frequency: "custom",
        feeType: "quadratic",
        feeMultiplier: 1,
        tags: [],
        settlementSources: [],
        contractUrl: "https://kalshi.com",
      };
      const event: SimEvent = {
        eventTicker: m.eventTicker,
        seriesTicker: m.seriesTicker,
        title: m.title,
        subTitle: "",
        category: "Sports",
        mutuallyExclusive: false,
        strikeDate: m.closeTime,
      };
      return { markets: [{ ...m }], event, series };
    }
    const e = this.event(m.eventTicker) as CatalogEvent;
    const event: SimEvent = {
      eventTicker: e.eventTicker,
      seriesTicker: e.seriesTicker,
      title: e.title,
      subTitle: e.subTitle,
      category: e.category,
      mutuallyExclusive: e.mutuallyExclusive,
      strikeDate: e.strikeDate,
    };
    const adopted = this.adoptedMap();
    const markets = this.eventMarkets(e, now)
      .filter((x) => !adopted.has(x.ticker))
      .map((x) => ({ ...x }));
    return { markets, event, series: e.series };
  }

  /** The engine hook for fresh state: nothing up front, everything adopted on demand. */
  fixture(): Fixture {
    return { series: [], events: [], markets: [] };
  }

  tagsByCategories(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const s of this.series) {
      const tags = (out[s.category] ??= []);
      for (const t of s.tags) if (!tags.includes(t)) tags.push(t);
    }
    return out;
  }
}
