import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/*
 * Layer rules (README "Layers"; tests/layers.test.ts proves each one fails on a backwards import).
 * Imports are matched as written, relative to the importing file, so a pattern names the top-level
 * folder of src/ that an import reaches: `^(\.\./)+bot/` is "src/bot/**" seen from any depth.
 * src/shared/ (async helpers, atomic file writes) and src/domain/ (money, time, environment and
 * alert-mode vocabulary) import nothing of ours outside themselves, so every layer may use them.
 * One block per folder: a later block's no-restricted-imports would replace an earlier one's.
 */
/** The folders of src/ (a new one is added here) and the files at its top. */
const SRC_FOLDERS = [
  "alerts",
  "bot",
  "devtools",
  "domain",
  "exchange",
  "logging",
  "selfcheck",
  "shared",
  "sim",
  "trading",
];
const ROOT_FILES = "^(\\.\\./)+(app|chat|config|health|main)(\\.js)?$";
/** An import that reaches one of `folders` of src/, from any depth. */
const reaching = (folders) => `^(\\.\\./)+(${folders.join("|")})/`;
const allBut = (...own) => SRC_FOLDERS.filter((f) => !own.includes(f));

/** `files` may import nothing that matches one of `rules` ([regex, why] pairs). */
const layer = (files, rules) => ({
  files,
  rules: {
    "no-restricted-imports": ["error", { patterns: rules.map(([regex, message]) => ({ regex, message })) }],
  },
});

const DOMAIN = "domain imports nothing of ours outside src/domain (it is the vocabulary every layer shares).";
const SHARED = "src/shared imports nothing of ours outside itself, so that every layer may import it.";
const EXCHANGE = "The exchange layer imports only src/domain and src/shared (and itself).";
const TRADING =
  "The trading use cases never import the bot, the alerts, the devtools or a Kalshi adapter file: they work " +
  "on the ExchangePort (src/exchange/port.ts) and return outcomes the bot renders (the alerts use trading, " +
  "not the other way round).";
const TRADING_LOG =
  "The trading use cases log through ports (e.g. JournalLogger); src/logging builds the winston loggers.";
const ALERTS =
  "The alerts core never sees Telegram or the Kalshi adapter: it sends through the AlertSink port " +
  "(src/alerts/sink.ts; the grammY sink lives in src/bot) and reads the exchange through src/exchange/port.ts.";
const BOT =
  "The bot never imports the Kalshi adapter nor its error classes (src/exchange/errors.ts): it renders the " +
  "outcomes the use cases return (e.g. PlaceOutcome) and talks to the exchange only through them.";
const SIM = "The sim is an exchange: it never imports the bot or the trading use cases.";
const SIM_ADAPTER =
  "The sim never imports the Kalshi adapter: it checks signatures with its own sim/auth, so the client's " +
  "signer is tested against an independent verifier.";

const layers = [
  layer(
    ["src/domain/**/*.ts"],
    [
      [reaching(allBut("domain")), DOMAIN],
      [ROOT_FILES, DOMAIN],
    ],
  ),
  layer(
    ["src/shared/**/*.ts"],
    [
      [reaching(allBut("shared")), SHARED],
      [ROOT_FILES, SHARED],
    ],
  ),
  layer(
    ["src/exchange/**/*.ts"],
    [
      [reaching(allBut("exchange", "domain", "shared")), EXCHANGE],
      [ROOT_FILES, EXCHANGE],
    ],
  ),
  layer(
    ["src/trading/**/*.ts"],
    [
      [reaching(["alerts", "bot", "devtools"]), TRADING],
      ["^(\\.\\./)+exchange/kalshi/", TRADING],
      ["^winston(-|/|$)", TRADING_LOG],
    ],
  ),
  layer(
    ["src/alerts/**/*.ts"],
    [
      [reaching(["bot", "devtools"]), ALERTS],
      ["^(\\.\\./)+exchange/kalshi/", ALERTS],
      ["^grammy(/|$)", ALERTS],
    ],
  ),
  layer(
    ["src/sim/**/*.ts"],
    [
      [reaching(["bot", "trading"]), SIM],
      ["^(\\.\\./)+exchange/kalshi/", SIM_ADAPTER],
    ],
  ),
  layer(
    ["src/bot/**/*.ts"],
    [
      ["^(\\.\\./)+exchange/kalshi/", BOT],
      ["^(\\.\\./)+exchange/errors(\\.js)?$", BOT],
    ],
  ),
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "logs/**", "data/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  ...layers,
);
