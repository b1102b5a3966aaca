import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { writeFileAtomic } from "../../src/shared/atomicFile.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "atomic-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("writes the file (creating its folder), replaces an old one, and leaves no temporary file", async () => {
  const path = join(dir, "sub", "state.json");
  writeFileAtomic(path, "first");
  writeFileAtomic(path, "second");
  expect(await readFile(path, "utf8")).toBe("second");
  expect(await readdir(join(dir, "sub"))).toEqual(["state.json"]);
});

it("creates the file readable by its owner only unless told otherwise", async () => {
  const path = join(dir, "secret");
  writeFileAtomic(path, "x");
  if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
});

it("keeps the old file whole and removes the temporary one when the rename fails", async () => {
  const path = join(dir, "target");
  writeFileAtomic(join(path, "inner"), "a folder stands where the file should go");
  expect(() => writeFileAtomic(path, "new")).toThrow();
  expect((await readdir(dir)).sort()).toEqual(["target"]);
  expect(await readFile(join(path, "inner"), "utf8")).toBe("a folder stands where the file should go");
});
