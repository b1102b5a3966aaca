import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

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
  {
    // Layer rule (issue 12): the alerts core knows the exchange port and a send/edit sink port only;
    // Telegram (grammY) lives in src/bot, the Kalshi adapter in src/exchange/kalshi.
    files: ["src/alerts/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "grammy",
              message: "The alerts core never sees Telegram: use the AlertSink port (src/alerts/sink.ts).",
            },
          ],
          patterns: [
            {
              group: ["**/exchange/kalshi/**"],
              message: "The alerts read the exchange through src/exchange/port.ts only.",
            },
            {
              group: ["**/bot/**"],
              message: "The alerts never import the bot (the bot imports the alerts).",
            },
          ],
        },
      ],
    },
  },
);
