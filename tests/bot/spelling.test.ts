/** Issue 16: one spelling per word in what the bot says ("canceled", as Kalshi writes it). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** String and template literals of a file, roughly: what can reach a chat. */
const literals = (src: string): string[] =>
  [...src.matchAll(/"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g)].map((m) => m[0]);

describe("one spelling per word", () => {
  it("no message of the bot or its alerts says 'cancelled'", () => {
    const found = ["src/bot", "src/alerts", "src/trading"]
      .flatMap((d) => files(d))
      .flatMap((f) =>
        literals(readFileSync(f, "utf8"))
          .filter((l) => /cancelled/i.test(l))
          .map((l) => `${f}: ${l}`),
      );
    expect(found).toEqual([]);
  });
});
