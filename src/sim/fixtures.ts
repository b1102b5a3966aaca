/**
 * Seed data for the sim: realistic series, events and binary markets, dated relative to "now" so
 * the open ones are open when the sim starts. Tickers follow Kalshi's style
 * (KXHIGHNY-26NOV25-B45, KXBTCD-26NOV2517-T94999.99, KXFED-26DEC-T3.50 ...).
 */
import type { FeeType } from "../domain/fees.js";
import { type Micros, MICROS_PER_CENT, micros } from "../domain/money.js";

export interface SimPriceRange {
  start: Micros;
  end: Micros;
  step: Micros;
}

export type SimMarketStatus = "initialized" | "active" | "closed" | "determined" | "finalized" | "inactive";

export interface SimSeries {
  ticker: string;
  title: string;
  category: string;
  frequency: string;
  feeType: FeeType;
  feeMultiplier: number;
  tags: string[];
  settlementSources: { name: string; url: string }[];
  contractUrl: string;
}

export interface SimEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  category: string;
  mutuallyExclusive: boolean;
  strikeDate: number | null;
}

export interface SimMarket {
  ticker: string;
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subtitle: string;
  yesSubTitle: string;
  noSubTitle: string;
  rulesPrimary: string;
  rulesSecondary: string;
  status: SimMarketStatus;
  createdTime: number;
  updatedTime: number;
  openTime: number;
  closeTime: number;
  /** When the sim settles it on its own (after close). */
  settleTime: number;
  priceLevelStructure: "linear_cent" | "tapered_deci_cent";
  priceRanges: SimPriceRange[];
  strikeType: "greater" | "less" | "between" | "custom";
  floorStrike: number | null;
  capStrike: number | null;
  result: "" | "yes" | "no";
  settlementTs: number | null;
  /** Hidden "true" probability the synthetic market maker quotes around. */
  fair: Micros;
  lastPrice: Micros;
  previousPrice: Micros;
  volume: number;
  openInterest: number;
}

export interface Fixture {
  series: SimSeries[];
  events: SimEvent[];
  markets: SimMarket[];
}

const c = (cents: number): Micros => micros(Math.round(cents * MICROS_PER_CENT));

export const LINEAR_CENT: SimPriceRange[] = [{ start: c(0), end: c(100), step: c(1) }];
export const TAPERED_DECI_CENT: SimPriceRange[] = [
  { start: c(0), end: c(10), step: c(0.1) },
  { start: c(10), end: c(90), step: c(1) },
  { start: c(90), end: c(100), step: c(0.1) },
];

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function yy(d: Date): string {
  return String(d.getUTCFullYear() % 100).padStart(2, "0");
}
/** 26NOV25 */
export function dateCode(ms: number): string {
  const d = new Date(ms);
  return `${yy(d)}${MONTHS[d.getUTCMonth()]}${String(d.getUTCDate()).padStart(2, "0")}`;
}
/** 26DEC */
function monthCode(ms: number): string {
  const d = new Date(ms);
  return `${yy(d)}${MONTHS[d.getUTCMonth()]}`;
}
function startOfUtcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
function longDate(ms: number): string {
  return new Date(ms).toLocaleDateString("en-US", {
    timeZone: "UTC",
    month: "short",
    day: "numeric",
    year: "numeric",
  });
}

/**
 * Exchange shards (API.md 3.4a): since August 2026 some series live on a shard other than 0 and
 * every order-id request must name the market (or the shard) to reach them. The sim puts its
 * crypto series on shard 1 and everything else on shard 0.
 */
export const SHARDS = [0, 1] as const;
const SERIES_SHARD: Record<string, number> = { KXBTCD: 1 };

/** The exchange shard (`exchange_index`) a series' markets trade on. */
export function exchangeIndexOfSeries(seriesTicker: string): number {
  return SERIES_SHARD[seriesTicker] ?? 0;
}

export const SERIES: SimSeries[] = [
  {
    ticker: "KXHIGHNY",
    title: "Highest temperature in NYC today?",
    category: "Climate and Weather",
    frequency: "daily",
    feeType: "quadratic",
    feeMultiplier: 1,
    tags: ["Weather", "Daily temperature"],
    settlementSources: [
      { name: "National Weather Service", url: "https://www.weather.gov/wrh/climate?wfo=okx" },
    ],
    contractUrl: "https://kalshi.com/markets/kxhighny",
  },
  {
    ticker: "KXBTCD",
    title: "Bitcoin price today at 5pm EST?",
    category: "Crypto",
    frequency: "daily",
    feeType: "quadratic",
    feeMultiplier: 1,
    tags: ["BTC"],
    settlementSources: [{ name: "CF Benchmarks", url: "https://www.cfbenchmarks.com/data/indices/BRTI" }],
    contractUrl: "https://kalshi.com/markets/kxbtcd",
  },
  {
    ticker: "KXFED",
    title: "Fed funds rate after the next FOMC meeting?",
    category: "Economics",
    frequency: "custom",
    feeType: "quadratic_with_maker_fees",
    feeMultiplier: 1,
    tags: ["Fed", "Interest rates"],
    settlementSources: [{ name: "Federal Reserve", url: "https://www.federalreserve.gov/" }],
    contractUrl: "https://kalshi.com/markets/kxfed",
  },
  {
    ticker: "KXNBAGAME",
    title: "Professional basketball game winner",
    category: "Sports",
    frequency: "custom",
    feeType: "quadratic_with_maker_fees",
    feeMultiplier: 1,
    tags: ["Basketball", "NBA"],
    settlementSources: [{ name: "NBA", url: "https://www.nba.com/" }],
    contractUrl: "https://kalshi.com/markets/kxnbagame",
  },
  {
    ticker: "KXCPI",
    title: "CPI month-over-month change",
    category: "Economics",
    frequency: "monthly",
    feeType: "quadratic",
    feeMultiplier: 1,
    tags: ["Inflation", "CPI"],
    settlementSources: [{ name: "Bureau of Labor Statistics", url: "https://www.bls.gov/cpi/" }],
    contractUrl: "https://kalshi.com/markets/kxcpi",
  },
];

interface MarketSeed {
  suffix: string;
  yesSubTitle: string;
  noSubTitle: string;
  strikeType: SimMarket["strikeType"];
  floor: number | null;
  cap: number | null;
  fairCents: number;
}

function mk(
  ev: SimEvent,
  seed: MarketSeed,
  times: { created: number; open: number; close: number; settle: number },
  structure: SimMarket["priceLevelStructure"],
  rules: string,
): SimMarket {
  const fair = c(seed.fairCents);
  return {
    ticker: `${ev.eventTicker}-${seed.suffix}`,
    eventTicker: ev.eventTicker,
    seriesTicker: ev.seriesTicker,
    title: ev.title,
    subtitle: seed.yesSubTitle,
    yesSubTitle: seed.yesSubTitle,
    noSubTitle: seed.noSubTitle,
    rulesPrimary: rules.replace("{X}", seed.yesSubTitle),
    rulesSecondary: "",
    status: "active",
    createdTime: times.created,
    updatedTime: times.created,
    openTime: times.open,
    closeTime: times.close,
    settleTime: times.settle,
    priceLevelStructure: structure,
    priceRanges: structure === "linear_cent" ? LINEAR_CENT : TAPERED_DECI_CENT,
    strikeType: seed.strikeType,
    floorStrike: seed.floor,
    capStrike: seed.cap,
    result: "",
    settlementTs: null,
    fair,
    lastPrice: fair,
    previousPrice: fair,
    volume: 0,
    openInterest: 0,
  };
}

function weatherEvent(day: number, now: number): { event: SimEvent; markets: SimMarket[] } {
  const code = dateCode(day);
  const event: SimEvent = {
    eventTicker: `KXHIGHNY-${code}`,
    seriesTicker: "KXHIGHNY",
    title: `Highest temperature in NYC on ${longDate(day)}?`,
    subTitle: `On ${longDate(day)}`,
    category: "Climate and Weather",
    mutuallyExclusive: true,
    strikeDate: day + DAY,
  };
  const seeds: MarketSeed[] = [
    {
      suffix: "T41",
      yesSubTitle: "40° or below",
      noSubTitle: "41° or above",
      strikeType: "less",
      floor: null,
      cap: 41,
      fairCents: 6,
    },
    {
      suffix: "B41",
      yesSubTitle: "41° to 42°",
      noSubTitle: "Not 41° to 42°",
      strikeType: "between",
      floor: 41,
      cap: 42,
      fairCents: 12,
    },
    {
      suffix: "B43",
      yesSubTitle: "43° to 44°",
      noSubTitle: "Not 43° to 44°",
      strikeType: "between",
      floor: 43,
      cap: 44,
      fairCents: 27,
    },
    {
      suffix: "B45",
      yesSubTitle: "45° to 46°",
      noSubTitle: "Not 45° to 46°",
      strikeType: "between",
      floor: 45,
      cap: 46,
      fairCents: 31,
    },
    {
      suffix: "B47",
      yesSubTitle: "47° to 48°",
      noSubTitle: "Not 47° to 48°",
      strikeType: "between",
      floor: 47,
      cap: 48,
      fairCents: 17,
    },
    {
      suffix: "T48",
      yesSubTitle: "49° or above",
      noSubTitle: "48° or below",
      strikeType: "greater",
      floor: 48,
      cap: null,
      fairCents: 7,
    },
  ];
  // Trading closes at 23:59 ET-ish on the day (use 04:59 UTC next day); settles the morning after.
  const close = day + DAY + 5 * HOUR - 60_000;
  const times = {
    created: Math.min(now, day) - 2 * DAY,
    open: day - DAY + 14 * HOUR,
    close,
    settle: close + 9 * HOUR,
  };
  const rules =
    "If the highest temperature recorded in Central Park, New York for " +
    longDate(day) +
    " is {X} according to the National Weather Service's Climatological Report, then the market resolves to Yes.";
  return { event, markets: seeds.map((s) => mk(event, s, times, "linear_cent", rules)) };
}

function btcEvent(closeAt: number, now: number): { event: SimEvent; markets: SimMarket[] } {
  const hour = new Date(closeAt).getUTCHours();
  const code = `${dateCode(closeAt)}${String((hour + 19) % 24).padStart(2, "0")}`; // ET hour
  const event: SimEvent = {
    eventTicker: `KXBTCD-${code}`,
    seriesTicker: "KXBTCD",
    title: `Bitcoin price on ${longDate(closeAt)} at ${(hour + 19) % 24}:00 EST?`,
    subTitle: `${longDate(closeAt)}`,
    category: "Crypto",
    mutuallyExclusive: false,
    strikeDate: closeAt,
  };
  const strikes = [
    [90000, 96.5],
    [92500, 88.3],
    [95000, 62],
    [97500, 33],
    [100000, 9.4],
    [102500, 2.1],
  ] as const;
  const seeds: MarketSeed[] = strikes.map(([k, fair]) => {
    const strike = `${k - 1}.99`; // the strike is $0.01 under the round number
    const fmt = k.toLocaleString("en-US");
    return {
      suffix: `T${strike}`,
      yesSubTitle: `$${fmt} or above`,
      noSubTitle: `Below $${fmt}`,
      strikeType: "greater",
      floor: k - 0.01,
      cap: null,
      fairCents: fair,
    };
  });
  const times = { created: now - DAY, open: now - 20 * HOUR, close: closeAt, settle: closeAt + 5 * 60_000 };
  const rules =
    "If the CF Benchmarks Bitcoin Real-Time Index (BRTI) is {X} at " +
    new Date(closeAt).toISOString() +
    ", then the market resolves to Yes.";
  return { event, markets: seeds.map((s) => mk(event, s, times, "tapered_deci_cent", rules)) };
}

function fedEvent(meeting: number, now: number): { event: SimEvent; markets: SimMarket[] } {
  const event: SimEvent = {
    eventTicker: `KXFED-${monthCode(meeting)}`,
    seriesTicker: "KXFED",
    title: `Fed funds rate after the ${longDate(meeting)} meeting?`,
    subTitle: `After the ${longDate(meeting)} meeting`,
    category: "Economics",
    mutuallyExclusive: false,
    strikeDate: meeting,
  };
  const seeds: MarketSeed[] = [
    ["3.25", 97],
    ["3.50", 91],
    ["3.75", 44],
    ["4.00", 8],
    ["4.25", 2],
  ].map(([k, fair]) => ({
    suffix: `T${k}`,
    yesSubTitle: `Above ${k}%`,
    noSubTitle: `${k}% or below`,
    strikeType: "greater" as const,
    floor: Number(k),
    cap: null,
    fairCents: Number(fair),
  }));
  const times = { created: now - 40 * DAY, open: now - 39 * DAY, close: meeting, settle: meeting + 3 * HOUR };
  const rules =
    "If the upper bound of the federal funds target range is {X} after the FOMC meeting on " +
    longDate(meeting) +
    ", then the market resolves to Yes.";
  return { event, markets: seeds.map((s) => mk(event, s, times, "linear_cent", rules)) };
}

function nbaEvent(
  tip: number,
  away: [string, string, number],
  home: [string, string, number],
  now: number,
): { event: SimEvent; markets: SimMarket[] } {
  const event: SimEvent = {
    eventTicker: `KXNBAGAME-${dateCode(tip)}${away[0]}${home[0]}`,
    seriesTicker: "KXNBAGAME",
    title: `${away[1]} at ${home[1]} Winner?`,
    subTitle: `${away[0]} at ${home[0]} (${longDate(tip)})`,
    category: "Sports",
    mutuallyExclusive: true,
    strikeDate: tip + 3 * HOUR,
  };
  const seeds: MarketSeed[] = [away, home].map(([abbr, name, fair]) => ({
    suffix: abbr,
    yesSubTitle: name,
    noSubTitle: `Not ${name}`,
    strikeType: "custom" as const,
    floor: null,
    cap: null,
    fairCents: fair,
  }));
  const times = {
    created: now - 3 * DAY,
    open: now - 2 * DAY,
    close: tip + 3 * HOUR,
    settle: tip + 4 * HOUR,
  };
  const rules = `If {X} wins the ${away[1]} at ${home[1]} game originally scheduled for ${longDate(tip)}, then the market resolves to Yes.`;
  return { event, markets: seeds.map((s) => mk(event, s, times, "linear_cent", rules)) };
}

function cpiEvent(release: number, now: number): { event: SimEvent; markets: SimMarket[] } {
  const ref = release - 30 * DAY;
  const event: SimEvent = {
    eventTicker: `KXCPI-${monthCode(ref)}`,
    seriesTicker: "KXCPI",
    title: `CPI in ${new Date(ref).toLocaleDateString("en-US", { timeZone: "UTC", month: "long", year: "numeric" })}?`,
    subTitle: "Month-over-month change",
    category: "Economics",
    mutuallyExclusive: false,
    strikeDate: release,
  };
  const seeds: MarketSeed[] = [
    ["0.0", 93],
    ["0.1", 80],
    ["0.2", 52],
    ["0.3", 21],
    ["0.4", 6],
  ].map(([k, fair]) => ({
    suffix: `T${k}`,
    yesSubTitle: `Above ${k}%`,
    noSubTitle: `${k}% or below`,
    strikeType: "greater" as const,
    floor: Number(k),
    cap: null,
    fairCents: Number(fair),
  }));
  const times = { created: now - 20 * DAY, open: now - 19 * DAY, close: release, settle: release + HOUR };
  const rules =
    "If CPI rises by more than {X} month-over-month according to the BLS release on " +
    longDate(release) +
    ", then the market resolves to Yes.";
  return { event, markets: seeds.map((s) => mk(event, s, times, "tapered_deci_cent", rules)) };
}

/**
 * Builds the fixture for a sim started at `now`: 34 binary markets in 5 series, of which the
 * previous day's NYC temperature event is settled and one earlier Bitcoin hour is closed.
 */
export function buildFixture(now: number): Fixture {
  const today = startOfUtcDay(now);
  const parts = [
    weatherEvent(today + DAY, now), // tomorrow's high: open
    btcEvent(today + 2 * DAY + 22 * HOUR, now), // open
    fedEvent(today + 21 * DAY + 19 * HOUR, now),
    nbaEvent(today + DAY + HOUR, ["LAL", "Los Angeles L", 38], ["BOS", "Boston", 62], now),
    nbaEvent(today + 2 * DAY + HOUR, ["GSW", "Golden State", 55], ["DEN", "Denver", 45], now),
    cpiEvent(today + 14 * DAY + 13 * HOUR + 30 * 60_000, now),
  ];
  // Yesterday's temperature: settled.
  const settled = weatherEvent(today - DAY, now);
  for (const m of settled.markets) {
    m.closeTime = Math.min(m.closeTime, now - 10 * HOUR);
    m.settleTime = m.closeTime + HOUR;
    m.status = "finalized";
    m.result = m.ticker.endsWith("-B45") ? "yes" : "no";
    m.settlementTs = m.settleTime;
    m.lastPrice = c(m.result === "yes" ? 99 : 1);
  }
  // An earlier Bitcoin hour: closed, awaiting settlement (kept two markets of it).
  const closed = btcEvent(now - 30 * 60_000, now);
  closed.markets = closed.markets.slice(2, 4);
  for (const m of closed.markets) {
    m.status = "closed";
    m.settleTime = now + 365 * DAY; // stays closed until told otherwise
  }
  const all = [...parts, settled, closed];
  return {
    series: SERIES.map((s) => ({ ...s, tags: [...s.tags], settlementSources: [...s.settlementSources] })),
    events: all.map((p) => p.event),
    markets: all.flatMap((p) => p.markets),
  };
}
