/** Each reliability test states the figure it proved; the file's afterAll prints them together. */
import { afterAll } from "vitest";

const figures: string[] = [];

/** Records and prints one line, e.g. `RELIABILITY orders: 100 orders → 100 on the exchange`. */
export function figure(line: string): void {
  const text = `RELIABILITY ${line}`;
  figures.push(text);
  console.log(text);
}

/** Call once at the top level of a test file. */
export function printFiguresAfterAll(title: string): void {
  afterAll(() => {
    if (figures.length === 0) return;
    console.log([`RELIABILITY SUMMARY (${title})`, ...figures.map((f) => `  ${f}`)].join("\n"));
  });
}
