/**
 * The layer rules of eslint.config.js, proven: for each rule one backwards import (which `npm run
 * check` must refuse) and one allowed import beside it (so a rule that refused everything would fail
 * too). The files are linted in memory under the path they would have; nothing is written.
 */
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

/** The no-restricted-imports messages ESLint gives `code` placed at `filePath`. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const cases: { rule: string; file: string; refused: string[]; allowed: string[] }[] = [
  {
    rule: "domain imports nothing of ours outside domain",
    file: "src/domain/probe.ts",
    refused: ["../exchange/port.js", "../shared/async.js", "../trading/types.js", "../config.js"],
    allowed: ["./money.js", "node:crypto"],
  },
  {
    rule: "shared imports nothing of ours",
    file: "src/shared/probe.ts",
    refused: ["../domain/money.js", "../logging/index.js"],
    allowed: ["./async.js", "node:fs"],
  },
  {
    rule: "exchange imports only domain and shared",
    file: "src/exchange/kalshi/probe.ts",
    refused: ["../../trading/types.js", "../../bot/format.js", "../../logging/index.js", "../../config.js"],
    allowed: ["../../domain/money.js", "../../shared/async.js", "../port.js", "./signer.js", "zod"],
  },
  {
    rule: "trading never imports bot, alerts, devtools, a Kalshi adapter file or winston",
    file: "src/trading/search/probe.ts",
    refused: [
      "../../bot/format.js",
      "../../alerts/files.js",
      "../../alerts/index.js",
      "../../devtools/localBotApi.js",
      "../../exchange/kalshi/client.js",
      "winston",
      "winston-transport",
    ],
    allowed: [
      "../../exchange/port.js",
      "../../exchange/errors.js",
      "../journal.js",
      "../../domain/money.js",
      "../../shared/atomicFile.js",
      "../../shared/jsonFile.js",
    ],
  },
  {
    rule: "alerts never import grammy, the bot, the devtools or a Kalshi adapter file",
    file: "src/alerts/probe.ts",
    refused: ["grammy", "../bot/alertSink.js", "../devtools/localBotApi.js", "../exchange/kalshi/stream.js"],
    allowed: ["../exchange/port.js", "./sink.js", "../domain/money.js", "../shared/async.js"],
  },
  {
    rule: "bot never imports the Kalshi adapter or its error classes",
    file: "src/bot/features/probe.ts",
    refused: [
      "../../exchange/kalshi/client.js",
      "../../exchange/kalshi/signer.js",
      "../../exchange/errors.js",
      "../../exchange/errors",
    ],
    allowed: [
      "../../exchange/port.js",
      "../../trading/types.js",
      "../../alerts/index.js",
      "../../domain/environment.js",
      "../format.js",
      "grammy",
    ],
  },
  {
    rule: "sim never imports bot, trading or the Kalshi adapter",
    file: "src/sim/catalog/probe.ts",
    refused: ["../../bot/views.js", "../../trading/ledger.js", "../../exchange/kalshi/signer.js"],
    allowed: ["../engine.js", "../../domain/fees.js", "../../shared/atomicFile.js"],
  },
];

describe("layer rules", () => {
  for (const c of cases) {
    it(`${c.rule}: refuses a backwards import, allows the ones beside it`, async () => {
      for (const from of c.refused) {
        const errors = await layerErrors(c.file, `export { x } from "${from}";\n`);
        expect(errors, `${c.file} importing ${from}`).toHaveLength(1);
        const typeOnly = await layerErrors(c.file, `import type { X } from "${from}";\nexport type Y = X;\n`);
        expect(typeOnly, `${c.file} importing types from ${from}`).toHaveLength(1);
      }
      for (const from of c.allowed) {
        expect(
          await layerErrors(c.file, `export { x } from "${from}";\n`),
          `${c.file} importing ${from}`,
        ).toEqual([]);
      }
    });
  }

  it("says why in the error", async () => {
    const [bot] = await layerErrors("src/bot/probe.ts", `export { x } from "../exchange/errors.js";\n`);
    expect(bot).toContain("never imports the Kalshi adapter nor its error classes");
    const [message] = await layerErrors("src/trading/probe.ts", `export { x } from "../bot/format.js";\n`);
    expect(message).toContain("never import the bot");
  });
});
