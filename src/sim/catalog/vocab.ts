/**
 * Words for the live-sized catalog: series templates across Kalshi's categories and the subjects
 * (cities, coins, teams, people ...) they are instantiated with. Kept apart from the generator so
 * the generator reads as logic and this file as data.
 */

export type EventKind = "ladder" | "range" | "game" | "options" | "binary";
export type Frequency = "daily" | "weekly" | "monthly" | "custom";

export interface Subject {
  code: string;
  name: string;
  /** Ladder centre for this subject (price, degrees, percent ...). */
  center?: number;
}

export interface SeriesTemplate {
  category: string;
  /** Ticker stem: KX + stem + subject code. */
  stem: string;
  kind: EventKind;
  frequency: Frequency;
  tags: string[];
  seriesTitle: (s: Subject) => string;
  eventTitle: (s: Subject, date: string) => string;
  subjects: Subject[];
  /** ladder/range: spacing between strikes relative to the centre (absolute when `absStep`). */
  step?: number;
  absStep?: boolean;
  unit?: (x: number) => string;
  /** options: the names offered (else people). */
  options?: string[];
  decimals?: number;
  /** Events are games between two of `options` ("CODE|Name"). */
  matchup?: boolean;
}

const TOTALS: Record<string, number> = {
  Basketball: 220.5,
  Football: 45.5,
  Hockey: 6.5,
  Soccer: 2.5,
  Tennis: 22.5,
  MMA: 2.5,
};

const s = (code: string, name: string, center?: number): Subject => ({ code, name, center });

const CITIES: Subject[] = [
  s("NY", "NYC", 45),
  s("CHI", "Chicago", 38),
  s("MIA", "Miami", 78),
  s("LAX", "Los Angeles", 68),
  s("AUS", "Austin", 62),
  s("DEN", "Denver", 44),
  s("PHIL", "Philadelphia", 46),
  s("SEA", "Seattle", 48),
  s("ATL", "Atlanta", 57),
  s("BOS", "Boston", 42),
  s("DAL", "Dallas", 60),
  s("HOU", "Houston", 66),
  s("PHX", "Phoenix", 70),
  s("SFO", "San Francisco", 58),
  s("DC", "Washington DC", 49),
  s("LV", "Las Vegas", 60),
  s("MSP", "Minneapolis", 30),
  s("DET", "Detroit", 37),
  s("NOLA", "New Orleans", 64),
  s("SLC", "Salt Lake City", 41),
];

const COINS: Subject[] = [
  s("BTC", "Bitcoin", 95000),
  s("ETH", "Ethereum", 3400),
  s("SOL", "Solana", 180),
  s("XRP", "XRP", 2.3),
  s("DOGE", "Dogecoin", 0.32),
  s("ADA", "Cardano", 0.9),
  s("AVAX", "Avalanche", 38),
  s("LINK", "Chainlink", 22),
  s("LTC", "Litecoin", 110),
  s("BNB", "BNB", 690),
];

const STOCKS: Subject[] = [
  s("INX", "S&P 500", 6100),
  s("NASDAQ100", "Nasdaq-100", 21500),
  s("DOW", "Dow Jones", 44000),
  s("RUT", "Russell 2000", 2350),
  s("AAPL", "Apple", 235),
  s("NVDA", "Nvidia", 140),
  s("TSLA", "Tesla", 340),
  s("MSFT", "Microsoft", 430),
  s("AMZN", "Amazon", 210),
  s("GOOGL", "Alphabet", 175),
  s("META", "Meta", 590),
  s("GOLD", "Gold", 2650),
  s("SILVER", "Silver", 31),
  s("WTI", "WTI crude oil", 70),
  s("NATGAS", "Natural gas", 3.2),
  s("EURUSD", "EUR/USD", 1.05),
  s("USDJPY", "USD/JPY", 152),
  s("TNOTE", "10-year Treasury yield", 4.3),
];

const ECON: Subject[] = [
  s("CPI", "CPI", 0.3),
  s("CPICORE", "Core CPI", 0.3),
  s("PCE", "PCE inflation", 0.2),
  s("PAYROLLS", "Nonfarm payrolls", 180),
  s("U3", "Unemployment rate", 4.2),
  s("GDP", "GDP growth", 2.5),
  s("JOBLESS", "Initial jobless claims", 220),
  s("RETAIL", "Retail sales", 0.4),
  s("FEDRATE", "Fed funds rate", 4.4),
  s("MORTGAGE", "30-year mortgage rate", 6.8),
  s("GASPRICE", "US gas price", 3.05),
  s("EGGS", "Egg prices", 4.1),
];

interface League {
  code: string;
  name: string;
  sport: string;
  teams: [string, string][];
}

const LEAGUES: League[] = [
  {
    code: "NBA",
    name: "Pro basketball",
    sport: "Basketball",
    teams: [
      ["LAL", "Los Angeles L"],
      ["BOS", "Boston"],
      ["GSW", "Golden State"],
      ["NYK", "New York K"],
      ["DEN", "Denver"],
      ["MIL", "Milwaukee"],
      ["PHX", "Phoenix"],
      ["DAL", "Dallas"],
      ["MIA", "Miami"],
      ["OKC", "Oklahoma City"],
      ["CLE", "Cleveland"],
      ["MIN", "Minnesota"],
      ["SAC", "Sacramento"],
      ["HOU", "Houston"],
    ],
  },
  {
    code: "NFL",
    name: "Pro football",
    sport: "Football",
    teams: [
      ["KC", "Kansas City"],
      ["PHI", "Philadelphia"],
      ["BUF", "Buffalo"],
      ["DET", "Detroit"],
      ["BAL", "Baltimore"],
      ["SF", "San Francisco"],
      ["GB", "Green Bay"],
      ["DAL", "Dallas"],
      ["MIN", "Minnesota"],
      ["PIT", "Pittsburgh"],
      ["LAC", "Los Angeles C"],
      ["DEN", "Denver"],
    ],
  },
  {
    code: "NHL",
    name: "Pro hockey",
    sport: "Hockey",
    teams: [
      ["TOR", "Toronto"],
      ["EDM", "Edmonton"],
      ["FLA", "Florida"],
      ["NYR", "New York R"],
      ["VGK", "Vegas"],
      ["COL", "Colorado"],
      ["DAL", "Dallas"],
      ["WPG", "Winnipeg"],
      ["BOS", "Boston"],
      ["CAR", "Carolina"],
    ],
  },
  {
    code: "NCAAB",
    name: "College basketball",
    sport: "Basketball",
    teams: [
      ["DUKE", "Duke"],
      ["UNC", "North Carolina"],
      ["KU", "Kansas"],
      ["UK", "Kentucky"],
      ["GONZ", "Gonzaga"],
      ["UCONN", "UConn"],
      ["AUB", "Auburn"],
      ["HOU", "Houston"],
      ["ARIZ", "Arizona"],
      ["PUR", "Purdue"],
    ],
  },
  {
    code: "EPL",
    name: "Premier League",
    sport: "Soccer",
    teams: [
      ["ARS", "Arsenal"],
      ["LIV", "Liverpool"],
      ["MCI", "Manchester City"],
      ["MUN", "Manchester United"],
      ["CHE", "Chelsea"],
      ["TOT", "Tottenham"],
      ["NEW", "Newcastle"],
      ["AVL", "Aston Villa"],
      ["BHA", "Brighton"],
      ["WHU", "West Ham"],
    ],
  },
  {
    code: "UCL",
    name: "Champions League",
    sport: "Soccer",
    teams: [
      ["RMA", "Real Madrid"],
      ["BAR", "Barcelona"],
      ["BAY", "Bayern Munich"],
      ["PSG", "Paris Saint-Germain"],
      ["INT", "Inter Milan"],
      ["ATM", "Atletico Madrid"],
      ["BVB", "Dortmund"],
      ["JUV", "Juventus"],
    ],
  },
  {
    code: "ATP",
    name: "Men's tennis",
    sport: "Tennis",
    teams: [
      ["SIN", "Jannik Sinner"],
      ["ALC", "Carlos Alcaraz"],
      ["DJO", "Novak Djokovic"],
      ["ZVE", "Alexander Zverev"],
      ["FRI", "Taylor Fritz"],
      ["MED", "Daniil Medvedev"],
      ["RUU", "Casper Ruud"],
      ["DEM", "Alex de Minaur"],
    ],
  },
  {
    code: "UFC",
    name: "UFC fight",
    sport: "MMA",
    teams: [
      ["JONES", "Jon Jones"],
      ["ASPIN", "Tom Aspinall"],
      ["MAKH", "Islam Makhachev"],
      ["TOPU", "Ilia Topuria"],
      ["PEREI", "Alex Pereira"],
      ["ADESA", "Israel Adesanya"],
      ["OMALL", "Sean O'Malley"],
      ["DUPLE", "Dricus du Plessis"],
    ],
  },
];

export const FIRST_NAMES = [
  "Maria",
  "James",
  "Linda",
  "Robert",
  "Patricia",
  "Michael",
  "Jennifer",
  "David",
  "Elizabeth",
  "William",
  "Susan",
  "Richard",
  "Jessica",
  "Joseph",
  "Sarah",
  "Thomas",
  "Karen",
  "Daniel",
  "Nancy",
  "Matthew",
];
export const LAST_NAMES = [
  "Garcia",
  "Johnson",
  "Martinez",
  "Brown",
  "Davis",
  "Miller",
  "Wilson",
  "Moore",
  "Taylor",
  "Anderson",
  "Thomas",
  "Jackson",
  "White",
  "Harris",
  "Martin",
  "Thompson",
  "Lopez",
  "Clark",
  "Lewis",
  "Walker",
];

const STATES: Subject[] = [
  "Arizona",
  "Georgia",
  "Michigan",
  "Nevada",
  "Pennsylvania",
  "Wisconsin",
  "Ohio",
  "Florida",
  "Texas",
  "Virginia",
  "New Jersey",
  "North Carolina",
  "Iowa",
  "Maine",
  "Minnesota",
  "New Hampshire",
].map((n) =>
  s(
    n
      .replace(/[^A-Za-z]/g, "")
      .slice(0, 4)
      .toUpperCase(),
    n,
  ),
);

const MOVIES: Subject[] = [
  "Avatar: Fire and Ash",
  "Wicked: For Good",
  "Zootopia 2",
  "The Running Man",
  "Mission: Impossible 8",
  "Superman",
  "Jurassic World Rebirth",
  "The Fantastic Four",
  "Tron: Ares",
  "Predator: Badlands",
  "Now You See Me 3",
  "Five Nights at Freddy's 2",
].map((n, i) => s(`M${i + 1}`, n, 60 + ((i * 7) % 30)));

const PEOPLE: Subject[] = [
  s("TRUMP", "Donald Trump"),
  s("MUSK", "Elon Musk"),
  s("POWELL", "Jerome Powell"),
  s("VANCE", "JD Vance"),
  s("NEWSOM", "Gavin Newsom"),
  s("LEAVITT", "Karoline Leavitt"),
  s("SWIFT", "Taylor Swift"),
  s("ALTMAN", "Sam Altman"),
];

const WORDS = [
  "Tariff",
  "Crypto",
  "Inflation",
  "China",
  "Border",
  "Bitcoin",
  "Recession",
  "AI",
  "Ukraine",
  "Doge",
  "Shutdown",
  "Greenland",
  "Canada",
  "Fake news",
  "Beautiful",
  "Weave",
];

const COUNTRIES: Subject[] = [
  "United Kingdom",
  "France",
  "Germany",
  "Japan",
  "Canada",
  "Brazil",
  "India",
  "Mexico",
  "Israel",
  "South Korea",
  "Argentina",
  "Australia",
].map((n) =>
  s(
    n
      .replace(/[^A-Za-z]/g, "")
      .slice(0, 5)
      .toUpperCase(),
    n,
  ),
);

/** 12,345.6 — fast (Intl formatting is too slow for tens of thousands of labels). */
export function grouped(x: number, decimals = 0): string {
  const [int = "0", frac] = Math.abs(x).toFixed(decimals).split(".");
  const withCommas = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${x < 0 ? "-" : ""}${withCommas}${frac ? `.${frac}` : ""}`;
}
const money = (x: number): string => `$${grouped(x, x >= 1000 ? 0 : x < 10 ? 2 : x < 100 ? 1 : 0)}`;
const pct = (x: number): string => `${x.toFixed(1)}%`;
const deg = (x: number): string => `${Math.round(x)}°`;
const num = (x: number): string => grouped(x, Number.isInteger(x) ? 0 : 1);

function leagueTemplates(): SeriesTemplate[] {
  return LEAGUES.flatMap((l) => [
    {
      category: "Sports",
      stem: `${l.code}GAME`,
      matchup: true,
      kind: "game" as const,
      frequency: "custom" as const,
      tags: [l.sport, l.code],
      seriesTitle: () => `${l.name} game winner`,
      eventTitle: () => "",
      subjects: [s("", l.name)],
      options: l.teams.map(([c, n]) => `${c}|${n}`),
    },
    {
      category: "Sports",
      stem: `${l.code}TOTAL`,
      kind: "ladder" as const,
      frequency: "custom" as const,
      tags: [l.sport, l.code, "Totals"],
      seriesTitle: () => `${l.name} game: total points`,
      eventTitle: () => "",
      subjects: [s("", l.name, TOTALS[l.sport] ?? 10)],
      options: l.teams.map(([c, n]) => `${c}|${n}`),
      matchup: true,
      step: Math.max(0.5, Math.round((TOTALS[l.sport] ?? 10) / 40)),
      absStep: true,
      unit: (x: number) => `Over ${x} points`,
    },
    {
      category: "Sports",
      stem: `${l.code}CHAMP`,
      kind: "options" as const,
      frequency: "custom" as const,
      tags: [l.sport, l.code, "Futures"],
      seriesTitle: () => `${l.name} champion`,
      eventTitle: (_x, d) => `${l.name} champion ${d.slice(-4)}?`,
      subjects: [s("", l.name)],
      options: l.teams.map(([, n]) => n),
    },
  ]);
}

/** Every series template; the generator takes the first 300 series they yield. */
export function seriesTemplates(): SeriesTemplate[] {
  return [
    {
      category: "Climate and Weather",
      stem: "HIGH",
      kind: "range",
      frequency: "daily",
      tags: ["Weather", "Daily temperature"],
      seriesTitle: (c) => `Highest temperature in ${c.name} today?`,
      eventTitle: (c, d) => `Highest temperature in ${c.name} on ${d}?`,
      subjects: CITIES,
      step: 2,
      absStep: true,
      unit: deg,
    },
    {
      category: "Climate and Weather",
      stem: "LOWT",
      kind: "range",
      frequency: "daily",
      tags: ["Weather", "Daily temperature"],
      seriesTitle: (c) => `Lowest temperature in ${c.name} today?`,
      eventTitle: (c, d) => `Lowest temperature in ${c.name} on ${d}?`,
      subjects: CITIES.slice(0, 12).map((c) => ({ ...c, center: (c.center ?? 40) - 14 })),
      step: 2,
      absStep: true,
      unit: deg,
    },
    {
      category: "Climate and Weather",
      stem: "RAIN",
      kind: "ladder",
      frequency: "monthly",
      tags: ["Weather", "Rain"],
      seriesTitle: (c) => `Rain in ${c.name} this month`,
      eventTitle: (c, d) => `Rain in ${c.name} in ${d.slice(0, 3)} ${d.slice(-4)}?`,
      subjects: CITIES.slice(0, 10).map((c) => ({ ...c, center: 3 })),
      step: 0.5,
      absStep: true,
      unit: (x) => `${x.toFixed(1)} inches`,
    },
    {
      category: "Crypto",
      stem: "",
      kind: "ladder",
      frequency: "daily",
      tags: ["Crypto", "Daily price"],
      seriesTitle: (c) => `${c.name} price today at 5pm EST?`,
      eventTitle: (c, d) => `${c.name} price on ${d} at 5pm EST?`,
      subjects: COINS.map((c) => ({ ...c, code: `${c.code}D` })),
      step: 0.01,
      unit: money,
    },
    {
      category: "Crypto",
      stem: "",
      kind: "range",
      frequency: "weekly",
      tags: ["Crypto", "Weekly range"],
      seriesTitle: (c) => `${c.name} price range this week`,
      eventTitle: (c, d) => `${c.name} price range on ${d}?`,
      subjects: COINS.map((c) => ({ ...c, code: `${c.code}W` })),
      step: 0.02,
      unit: money,
    },
    {
      category: "Financials",
      stem: "",
      kind: "ladder",
      frequency: "daily",
      tags: ["Stocks", "Daily close"],
      seriesTitle: (c) => `${c.name} close today`,
      eventTitle: (c, d) => `${c.name} close on ${d}?`,
      subjects: STOCKS.map((c) => ({ ...c, code: `${c.code}U` })),
      step: 0.005,
      unit: (x) => num(x),
      decimals: 2,
    },
    {
      category: "Economics",
      stem: "",
      kind: "ladder",
      frequency: "monthly",
      tags: ["Economy", "Data releases"],
      seriesTitle: (c) => `${c.name} report`,
      eventTitle: (c, d) => `${c.name} in ${d.slice(0, 3)} ${d.slice(-4)}?`,
      subjects: ECON,
      step: 0.05,
      unit: (x) => (x > 50 ? `${num(x)}K` : pct(x)),
      decimals: 2,
    },
    ...leagueTemplates(),
    {
      category: "Elections",
      stem: "GOV",
      kind: "options",
      frequency: "custom",
      tags: ["Elections", "Governor"],
      seriesTitle: (st) => `${st.name} governor race`,
      eventTitle: (st, d) => `Who will win the ${st.name} governor race in ${d.slice(-4)}?`,
      subjects: STATES,
    },
    {
      category: "Elections",
      stem: "SENATE",
      kind: "options",
      frequency: "custom",
      tags: ["Elections", "Senate"],
      seriesTitle: (st) => `${st.name} Senate race`,
      eventTitle: (st, d) => `Who will win the ${st.name} Senate race in ${d.slice(-4)}?`,
      subjects: STATES,
    },
    {
      category: "Politics",
      stem: "APPROVE",
      kind: "ladder",
      frequency: "weekly",
      tags: ["Politics", "Polls"],
      seriesTitle: (p) => `${p.name} approval rating`,
      eventTitle: (p, d) => `${p.name} approval rating on ${d}?`,
      subjects: PEOPLE.slice(0, 3).map((p) => ({ ...p, center: 44 })),
      step: 0.5,
      absStep: true,
      unit: pct,
    },
    {
      category: "Politics",
      stem: "BILL",
      kind: "binary",
      frequency: "custom",
      tags: ["Politics", "Congress"],
      seriesTitle: (b) => `${b.name}`,
      eventTitle: (b, d) => `${b.name} by ${d}?`,
      subjects: [
        s("SHUTDOWN", "Government shutdown"),
        s("DEBT", "Debt ceiling raised"),
        s("TARIFF", "New tariffs on China"),
        s("CRYPTO", "Crypto market structure bill signed"),
        s("TIKTOK", "TikTok ban enforced"),
        s("FEDCHAIR", "New Fed chair confirmed"),
        s("IMPEACH", "Impeachment vote held"),
        s("TAX", "Tax bill signed"),
      ],
    },
    {
      category: "Mentions",
      stem: "MENTION",
      kind: "options",
      frequency: "custom",
      tags: ["Mentions"],
      seriesTitle: (p) => `What will ${p.name} say?`,
      eventTitle: (p, d) => `What will ${p.name} say on ${d}?`,
      subjects: PEOPLE,
      options: WORDS,
    },
    {
      category: "Entertainment",
      stem: "RT",
      kind: "ladder",
      frequency: "custom",
      tags: ["Movies", "Rotten Tomatoes"],
      seriesTitle: (m) => `${m.name} Rotten Tomatoes score`,
      eventTitle: (m) => `${m.name} Rotten Tomatoes score?`,
      subjects: MOVIES,
      step: 5,
      absStep: true,
      unit: (x) => `${Math.round(x)}%`,
    },
    {
      category: "Entertainment",
      stem: "BOX",
      kind: "ladder",
      frequency: "custom",
      tags: ["Movies", "Box office"],
      seriesTitle: (m) => `${m.name} opening weekend box office`,
      eventTitle: (m) => `${m.name} opening weekend box office?`,
      subjects: MOVIES.map((m) => ({ ...m, center: (m.center ?? 60) * 1.5 })),
      step: 10,
      absStep: true,
      unit: (x) => `$${Math.round(x)}M`,
    },
    {
      category: "Science and Technology",
      stem: "LAUNCH",
      kind: "ladder",
      frequency: "monthly",
      tags: ["Space", "SpaceX"],
      seriesTitle: () => "SpaceX launches this month",
      eventTitle: (_x, d) => `SpaceX launches in ${d.slice(0, 3)} ${d.slice(-4)}?`,
      subjects: [s("SPACEX", "SpaceX", 14)],
      step: 1,
      absStep: true,
      unit: (x) => `${Math.round(x)} launches`,
    },
    {
      category: "Science and Technology",
      stem: "AI",
      kind: "binary",
      frequency: "custom",
      tags: ["AI", "Tech"],
      seriesTitle: (b) => b.name,
      eventTitle: (b, d) => `${b.name} before ${d}?`,
      subjects: [
        s("GPT", "OpenAI releases a new flagship model"),
        s("GEMINI", "Google releases Gemini 3 Ultra"),
        s("CLAUDE", "Anthropic releases a new Claude model"),
        s("ROBOTAXI", "Tesla robotaxi launches in a new city"),
      ],
    },
    {
      category: "Companies",
      stem: "EARN",
      kind: "ladder",
      frequency: "custom",
      tags: ["Earnings", "Companies"],
      seriesTitle: (c) => `${c.name} quarterly revenue`,
      eventTitle: (c, d) => `${c.name} revenue reported by ${d}?`,
      subjects: STOCKS.slice(4, 11).map((c) => ({ ...c, center: (c.center ?? 100) / 3 })),
      step: 0.02,
      unit: (x) => `$${x.toFixed(1)}B`,
    },
    {
      category: "Transportation",
      stem: "TSA",
      kind: "ladder",
      frequency: "weekly",
      tags: ["Travel", "TSA"],
      seriesTitle: () => "TSA check-ins",
      eventTitle: (_x, d) => `TSA check-ins on ${d}?`,
      subjects: [s("CHECKINS", "TSA", 2.5)],
      step: 0.05,
      absStep: true,
      unit: (x) => `${x.toFixed(2)}M`,
    },
    {
      category: "Health",
      stem: "MEASLES",
      kind: "ladder",
      frequency: "weekly",
      tags: ["Health", "Measles"],
      seriesTitle: () => "Measles cases in the US",
      eventTitle: (_x, d) => `US measles cases by ${d}?`,
      subjects: [s("US", "US", 1200)],
      step: 0.03,
      unit: (x) => num(Math.round(x)),
    },
    {
      category: "World",
      stem: "LEADER",
      kind: "options",
      frequency: "custom",
      tags: ["World", "Elections"],
      seriesTitle: (c) => `Next leader of ${c.name}`,
      eventTitle: (c, d) => `Who will lead ${c.name} on ${d}?`,
      subjects: COUNTRIES,
    },
    {
      category: "Social",
      stem: "TWEETS",
      kind: "range",
      frequency: "weekly",
      tags: ["Social", "Posts"],
      seriesTitle: (p) => `${p.name} posts this week`,
      eventTitle: (p, d) => `How many times will ${p.name} post by ${d}?`,
      subjects: PEOPLE.slice(0, 2).map((p) => ({ ...p, center: 300 })),
      step: 25,
      absStep: true,
      unit: (x) => `${Math.round(x)} posts`,
    },
    {
      category: "Climate and Weather",
      stem: "SNOW",
      kind: "ladder",
      frequency: "monthly",
      tags: ["Weather", "Snow"],
      seriesTitle: (c) => `Snow in ${c.name} this month`,
      eventTitle: (c, d) => `Snow in ${c.name} in ${d.slice(0, 3)} ${d.slice(-4)}?`,
      subjects: CITIES.slice(0, 10).map((c) => ({ ...c, center: 6 })),
      step: 1,
      absStep: true,
      unit: (x) => `${x.toFixed(0)} inches`,
    },
    {
      category: "Economics",
      stem: "GAS",
      kind: "ladder",
      frequency: "weekly",
      tags: ["Gas prices", "Economy"],
      seriesTitle: (c) => `Average gas price in ${c.name}`,
      eventTitle: (c, d) => `Average gas price in ${c.name} on ${d}?`,
      subjects: CITIES.map((c) => ({ ...c, center: 3.1 })),
      step: 0.02,
      unit: money,
    },
    {
      category: "Crypto",
      stem: "",
      kind: "ladder",
      frequency: "daily",
      tags: ["Crypto", "Hourly price"],
      seriesTitle: (c) => `${c.name} price at noon EST?`,
      eventTitle: (c, d) => `${c.name} price on ${d} at noon EST?`,
      subjects: COINS.map((c) => ({ ...c, code: `${c.code}H` })),
      step: 0.01,
      unit: money,
    },
    {
      category: "Financials",
      stem: "",
      kind: "range",
      frequency: "weekly",
      tags: ["Stocks", "Weekly close"],
      seriesTitle: (c) => `${c.name} weekly close`,
      eventTitle: (c, d) => `${c.name} close in the week to ${d}?`,
      subjects: STOCKS.map((c) => ({ ...c, code: `${c.code}W` })),
      step: 0.01,
      unit: (x) => num(x),
    },
    {
      category: "Entertainment",
      stem: "TOP",
      kind: "options",
      frequency: "weekly",
      tags: ["Music", "Charts"],
      seriesTitle: (c) => `${c.name} number one`,
      eventTitle: (c, d) => `${c.name} number one on ${d}?`,
      subjects: [
        s("BILLBOARD", "Billboard Hot 100"),
        s("SPOTIFY", "Spotify US"),
        s("ALBUM", "Billboard 200"),
      ],
      options: [
        "Sabrina Carpenter",
        "Kendrick Lamar",
        "Taylor Swift",
        "Morgan Wallen",
        "Billie Eilish",
        "SZA",
        "Bad Bunny",
        "Chappell Roan",
        "Drake",
        "Doechii",
      ],
    },
    ...LEAGUES.map((l) => ({
      category: "Sports",
      stem: `${l.code}MVP`,
      kind: "options" as const,
      frequency: "custom" as const,
      tags: [l.sport, l.code, "Awards"],
      seriesTitle: () => `${l.name} MVP`,
      eventTitle: (_x: Subject, d: string) => `${l.name} MVP ${d.slice(-4)}?`,
      subjects: [s("", l.name)],
    })),
    {
      category: "World",
      stem: "INFL",
      kind: "ladder",
      frequency: "monthly",
      tags: ["World", "Inflation"],
      seriesTitle: (c) => `${c.name} inflation rate`,
      eventTitle: (c, d) => `${c.name} inflation in ${d.slice(0, 3)} ${d.slice(-4)}?`,
      subjects: COUNTRIES.map((c) => ({ ...c, center: 2.8 })),
      step: 0.1,
      absStep: true,
      unit: pct,
    },
  ];
}
