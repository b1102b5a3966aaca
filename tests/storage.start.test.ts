/**
 * `npm start` with a DATA_DIR the bot cannot write: one clear sentence naming the folder and what to
 * do, exit code 1, no stack trace, before anything else starts. Run as a real process; as root (file
 * modes do not stop root) the child runs as the unprivileged user `nobody`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function run(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.once("exit", (code) => done({ code, stderr })));
}

describe("start-up with an unwritable DATA_DIR", () => {
  it("says which folder and what to do, exits 1, no stack trace", async () => {
    const dir = await mkdtemp(join(tmpdir(), "storage-start-"));
    let child: ChildProcess | undefined;
    try {
      await chmod(dir, 0o755);
      const data = join(dir, "data");
      const logs = join(dir, "logs");
      await mkdir(data);
      await mkdir(logs);
      await chmod(data, 0o555);
      await chmod(logs, 0o777);
      child = spawn(process.execPath, ["--import", TSX_LOADER, join(ROOT, "src/main.ts")], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          TELEGRAM_BOT_TOKEN: "123456:NOT-A-REAL-TOKEN",
          TELEGRAM_ALLOWED_USER_IDS: "42",
          KALSHI_ENVIRONMENT: "sim",
          DATA_DIR: data,
          LOG_DIR: logs,
          // tsx keeps its cache in the temp folder; give the child one it may write.
          TMPDIR: logs,
        },
        stdio: ["ignore", "ignore", "pipe"],
        ...asNobody,
      });
      const { code, stderr } = await run(child);
      expect(code).toBe(1);
      expect(stderr).toContain(`DATA_DIR ${data} cannot be written (permission denied)`);
      expect(stderr).toMatch(/or set DATA_DIR to a folder the bot can write/);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr).not.toContain("NOT-A-REAL-TOKEN");
    } finally {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
