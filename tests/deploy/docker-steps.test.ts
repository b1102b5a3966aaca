/**
 * No Docker engine runs on the development machines or in CI, so this test checks the Dockerfile by
 * reading it and by running its build and start steps by hand in a temporary copy of the project:
 *
 *   - the files the build stage COPYs are copied into a temp dir (leaving out what .dockerignore excludes);
 *   - `npm ci` is NOT run: the repo's node_modules is symlinked into the temp dir instead, because CI has no
 *     time for a second full install (the lock file is checked against package.json instead);
 *   - the build stage's `npm run ...` steps run there for real;
 *   - the runtime stage's CMD and HEALTHCHECK commands run the way Docker runs them (shell form through
 *     /bin/sh -c), against the built output and a real health server.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import { isBuiltin } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHealthServer, type HealthReport } from "../../src/health.js";
import {
  commandArgv,
  globRegex,
  isIgnored,
  parseCopy,
  parseDockerfile,
  parseDockerignore,
  parseEnv,
  parseVolume,
  type Stage,
} from "./dockerfile.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const children = new Set<ChildProcess>();

/** Runs a command, collecting its output; kills it after timeoutMs. Never rejects. */
function run(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = execFile(
      cmd ?? "",
      args,
      { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs, killSignal: "SIGKILL", maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        children.delete(child);
        const e = err as
          (Error & { code?: number | string; signal?: NodeJS.Signals; killed?: boolean }) | null;
        resolve({
          code: e ? (typeof e.code === "number" ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
          timedOut: e?.killed === true && e.signal === "SIGKILL",
        });
      },
    );
    children.add(child);
  });
}

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const ent of await fs.readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...(await walk(abs, base)));
    else out.push(path.relative(base, abs).split(path.sep).join("/"));
  }
  return out;
}

/** Package name of a bare import specifier: "@scope/pkg/sub" -> "@scope/pkg", "pkg/sub" -> "pkg". */
function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec);
}

const dockerfileText = await fs.readFile(path.join(repo, "Dockerfile"), "utf8");
const ignoreRules = parseDockerignore(
  existsSync(path.join(repo, ".dockerignore"))
    ? await fs.readFile(path.join(repo, ".dockerignore"), "utf8")
    : "",
);
const stages = parseDockerfile(dockerfileText);
const buildStage = stages[0] as Stage;
const runtime = stages[stages.length - 1] as Stage;
const pkg = JSON.parse(await fs.readFile(path.join(repo, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function only(stage: Stage, keyword: string) {
  return stage.instructions.filter((i) => i.keyword === keyword);
}
function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...only(stage, "ENV").map((i) => parseEnv(i.args))) as Record<string, string>;
}
function workdir(stage: Stage): string {
  return only(stage, "WORKDIR").at(-1)?.args ?? "/";
}
const runtimeEnv = stageEnv(runtime);
const cmd = only(runtime, "CMD").at(-1);
const healthcheck = only(runtime, "HEALTHCHECK").at(-1);

/** The JS file the runtime CMD starts, relative to WORKDIR, e.g. "dist/main.js". */
function cmdScript(): string | undefined {
  const argv = commandArgv(cmd?.args ?? "");
  const text = argv.join(" ");
  return /\bnode\s+(?:--\S+\s+)*([\w./-]+\.m?js)\b/.exec(text)?.[1];
}

/** A minimal PATH for children: the directory of this node binary first, then the usual system dirs. */
const childPath = [path.dirname(process.execPath), ...(process.env.PATH ?? "").split(path.delimiter)].join(
  path.delimiter,
);

let tmp = "";
let build: RunResult | undefined;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "ktt-docker-"));
  // COPY steps of the build stage, as Docker would do them (minus .dockerignore'd files).
  for (const ins of only(buildStage, "COPY")) {
    const c = parseCopy(ins);
    if (c.flags.from) continue;
    for (const src of c.sources) {
      await fs.cp(path.join(repo, src), path.join(tmp, src), {
        recursive: true,
        filter: (from) => {
          const rel = path.relative(repo, from).split(path.sep).join("/");
          return rel === "" || !isIgnored(rel, ignoreRules);
        },
      });
    }
  }
  // Instead of `npm ci`: the repo's own node_modules (CI has no time for a second install).
  await fs.symlink(path.join(repo, "node_modules"), path.join(tmp, "node_modules"), "dir");
  const env = { ...process.env, PATH: childPath, NODE_ENV: "" };
  for (const ins of only(buildStage, "RUN")) {
    for (const step of ins.args.split("&&").map((s) => s.trim())) {
      if (/^npm ci\b/.test(step)) continue; // replaced by the symlink above
      if (/^npm run \S+$/.test(step)) {
        build = await run(["/bin/sh", "-c", step], { cwd: tmp, env, timeoutMs: 240_000 });
        if (build.code !== 0) return;
        continue;
      }
      throw new Error(
        `Dockerfile line ${ins.line}: this test does not know how to mirror the build step "${step}"; teach tests/deploy/docker-steps.test.ts`,
      );
    }
  }
}, 300_000); // tsc of the whole project: ~20 s quiet, minutes on a loaded 2-core machine

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe("Dockerfile", () => {
  it("has a build stage and a separate runtime stage", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.name).not.toBe(buildStage.name);
  });

  it("COPYs only paths that exist in the repo and that .dockerignore keeps in the build context", async () => {
    const rootFiles = await fs.readdir(repo);
    const copies = stages.flatMap((s) => only(s, "COPY").map(parseCopy)).filter((c) => !c.flags.from);
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      for (const src of c.sources) {
        if (/[*?]/.test(src)) {
          const re = globRegex(src);
          expect(
            rootFiles.filter((f) => re.test(f)),
            `COPY ${src} (line ${c.line}) matches nothing`,
          ).not.toEqual([]);
          continue;
        }
        expect(existsSync(path.join(repo, src)), `COPY source ${src} (line ${c.line}) is missing`).toBe(true);
        expect(isIgnored(src, ignoreRules), `COPY source ${src} (line ${c.line}) is in .dockerignore`).toBe(
          false,
        );
      }
    }
  });

  it("copies the build output from where the build stage writes it", async () => {
    const tsconfig = ts.readConfigFile(path.join(repo, "tsconfig.build.json"), (p) => ts.sys.readFile(p));
    const outDir = (tsconfig.config as { compilerOptions?: { outDir?: string } }).compilerOptions?.outDir;
    expect(outDir).toBeDefined();
    const fromBuild = only(runtime, "COPY")
      .map(parseCopy)
      .filter((c) => c.flags.from === buildStage.name);
    expect(fromBuild.map((c) => c.sources[0])).toContain(path.posix.join(workdir(buildStage), outDir ?? ""));
  });

  it("installs production dependencies only in the runtime stage", () => {
    const runs = only(runtime, "RUN").map((i) => i.args);
    const installs = runs
      .flatMap((r) => r.split("&&").map((s) => s.trim()))
      .filter((s) => /^npm (ci|install|i)\b/.test(s));
    expect(installs.length).toBeGreaterThan(0);
    for (const s of installs) expect(s, s).toMatch(/--omit=dev\b/);
    expect(runtimeEnv.NODE_ENV).toBe("production");
  });

  it("runs as a non-root user", () => {
    const users = only(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)?.args.split(":")[0];
    expect(["root", "0", ""]).not.toContain(user);
    expect(users.at(-1)?.line ?? 0).toBeLessThan(cmd?.line ?? 0);
  });

  it("declares volumes for the logs and data folders the app is told to use", () => {
    const volumes = only(runtime, "VOLUME").flatMap((i) => parseVolume(i.args));
    expect(runtimeEnv.LOG_DIR).toBeDefined();
    expect(runtimeEnv.DATA_DIR).toBeDefined();
    expect(volumes).toContain(runtimeEnv.LOG_DIR);
    expect(volumes).toContain(runtimeEnv.DATA_DIR);
    // The non-root user must be able to write them: the runtime stage hands them over before USER.
    const chown = only(runtime, "RUN").find((i) => /chown/.test(i.args));
    expect(chown?.args).toContain(runtimeEnv.LOG_DIR);
    expect(chown?.args).toContain(runtimeEnv.DATA_DIR);
  });

  it("keeps secrets and local state out of the build context", () => {
    for (const p of [
      ".env",
      "kalshi.pem",
      "src/kalshi.pem",
      "keys/kalshi.key",
      "data/sim/state.json",
      "logs/app.log",
    ]) {
      expect(isIgnored(p, ignoreRules), `${p} would be sent to the Docker build`).toBe(true);
    }
  });

  it("turns the health endpoint on by default, on the port the HEALTHCHECK probes", () => {
    expect(healthcheck, "no HEALTHCHECK in the runtime stage").toBeDefined();
    expect(healthcheck?.args).not.toMatch(/^NONE$/i);
    expect(healthcheck?.args).toContain("/health");
    const port = Number(runtimeEnv.HEALTH_PORT);
    expect(Number.isInteger(port) && port > 0).toBe(true);
    // The probe's fallback port (used when HEALTH_PORT is empty) is the image's port too.
    expect(/\|\|\s*(\d+)/.exec(healthcheck?.args ?? "")?.[1]).toBe(String(port));
  });

  it("the HEALTHCHECK command reports healthy for ok/degraded and unhealthy for down or no answer", async () => {
    const argv = commandArgv((healthcheck?.args ?? "").replace(/^(?:--\S+\s+)*CMD\s+/i, ""));
    let state: "ok" | "degraded" | "down" = "ok";
    const checks = (): HealthReport => ({
      environment: "sim",
      checks: {
        polling: { ok: state !== "down" },
        exchange: { ok: true },
        alertStream: { ok: state === "ok", connected: state === "ok" },
        alertQueue: { ok: true, depth: 0 },
      },
    });
    const server = await startHealthServer({ port: 0, check: checks });
    try {
      const probe = (port: number) =>
        run(argv, { cwd: tmp, env: { PATH: childPath, HEALTH_PORT: String(port) }, timeoutMs: 10_000 });
      expect((await probe(server.port)).code).toBe(0);
      state = "degraded";
      expect((await probe(server.port)).code).toBe(0);
      state = "down";
      expect((await probe(server.port)).code).not.toBe(0);
    } finally {
      await server.close();
    }
    // Nothing listening any more: unhealthy, not a hang.
    const r = await run(argv, {
      cwd: tmp,
      env: { PATH: childPath, HEALTH_PORT: String(server.port) },
      timeoutMs: 10_000,
    });
    expect(r.timedOut).toBe(false);
    expect(r.code).not.toBe(0);
  });

  it("CMD keeps the health endpoint on when HEALTH_PORT arrives empty (docker run --env-file .env from .env.example)", async () => {
    // A stand-in `node` that prints what the real one would get, to see the CMD's effect without Docker.
    const fakeBin = await fs.mkdtemp(path.join(os.tmpdir(), "ktt-fake-node-"));
    try {
      await fs.writeFile(
        path.join(fakeBin, "node"),
        '#!/bin/sh\necho "HEALTH_PORT=[$HEALTH_PORT] ARGS=[$*]"\n',
        {
          mode: 0o755,
        },
      );
      const argv = commandArgv(cmd?.args ?? "");
      const env = (healthPort: string) => ({
        ...runtimeEnv,
        HEALTH_PORT: healthPort,
        PATH: `${fakeBin}:/usr/bin:/bin`,
      });
      const script = cmdScript();
      const empty = await run(argv, { cwd: tmp, env: env(""), timeoutMs: 10_000 });
      expect(empty.stdout.trim()).toBe(`HEALTH_PORT=[${runtimeEnv.HEALTH_PORT}] ARGS=[${script}]`);
      const custom = await run(argv, { cwd: tmp, env: env("9000"), timeoutMs: 10_000 });
      expect(custom.stdout.trim()).toBe(`HEALTH_PORT=[9000] ARGS=[${script}]`);
    } finally {
      await fs.rm(fakeBin, { recursive: true, force: true });
    }
  });

  it("package-lock.json lists the same dependencies as package.json (npm ci would refuse otherwise)", async () => {
    const lock = JSON.parse(await fs.readFile(path.join(repo, "package-lock.json"), "utf8")) as {
      packages: Record<
        string,
        { dependencies?: Record<string, string>; devDependencies?: Record<string, string> }
      >;
    };
    expect(lock.packages[""]?.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(lock.packages[""]?.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
  });
});

describe("build steps (npm run build in a copy of the build context)", () => {
  it("the build succeeds", () => {
    expect(build, "the Dockerfile's build stage has no `npm run` step").toBeDefined();
    expect(build?.code, `${build?.stdout ?? ""}\n${build?.stderr ?? ""}`).toBe(0);
  });

  it("emits a .js file for every .ts file in src", async () => {
    const sources = (await walk(path.join(repo, "src"))).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".d.ts"),
    );
    expect(sources.length).toBeGreaterThan(0);
    const missing = sources.filter((f) => !existsSync(path.join(tmp, "dist", f.replace(/\.ts$/, ".js"))));
    expect(missing).toEqual([]);
  });

  it("CMD starts a file the build emits", () => {
    const script = cmdScript();
    expect(script, "CMD does not run `node <file>.js`").toBeDefined();
    const source = path.join(repo, "src", path.relative("dist", script ?? "").replace(/\.js$/, ".ts"));
    expect(existsSync(source), `CMD runs ${script}, but ${path.relative(repo, source)} does not exist`).toBe(
      true,
    );
    expect(existsSync(path.join(tmp, script ?? "")), `the build does not emit ${script}`).toBe(true);
  });

  it("every import in the built code resolves, and packages come from production dependencies", async () => {
    const dist = path.join(tmp, "dist");
    const files = (await walk(dist)).filter((f) => /\.m?js$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const lock = JSON.parse(await fs.readFile(path.join(repo, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const prod = new Set(Object.keys(pkg.dependencies ?? {}));
    const problems: string[] = [];
    for (const f of files) {
      const text = await fs.readFile(path.join(dist, f), "utf8");
      // Static imports/exports, import "x", import("x") and require("x"). Computed import(expr) cannot be seen.
      const info = ts.preProcessFile(text, true, true);
      for (const { fileName: spec } of info.importedFiles) {
        if (spec.startsWith(".")) {
          if (!existsSync(path.resolve(path.dirname(path.join(dist, f)), spec))) {
            problems.push(`${f}: relative import ${spec} does not exist in dist`);
          }
          continue;
        }
        if (isBuiltin(spec)) continue;
        const name = packageName(spec);
        if (!prod.has(name)) {
          problems.push(
            `${f}: imports ${spec}, but ${name} is ${pkg.devDependencies?.[name] ? "only a devDependency" : "not in package.json"}; the image installs "dependencies" only`,
          );
        } else if (lock.packages[`node_modules/${name}`]?.dev === true) {
          problems.push(
            `${f}: ${name} is marked dev-only in package-lock.json; run npm install to refresh it`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("node dist/main.js without TELEGRAM_BOT_TOKEN exits with an error that mentions BotFather", async () => {
    // The file the container's CMD starts (dist/main.js); it must exist: a typo in CMD fails here, not skips.
    const script = cmdScript() ?? "";
    expect(script, "CMD does not run `node <file>.js`").not.toBe("");
    expect(existsSync(path.join(tmp, script)), `the build does not emit ${script}`).toBe(true);
    await fs.mkdir(path.join(tmp, "home"), { recursive: true });
    // A clean environment like the container's: no token, no developer variables, no .env in the folder.
    const env: NodeJS.ProcessEnv = {
      PATH: childPath,
      HOME: path.join(tmp, "home"),
      NODE_ENV: "production",
      KALSHI_ENVIRONMENT: "sim",
      TELEGRAM_ALLOWED_USER_IDS: "123456789",
      LOG_DIR: path.join(tmp, "logs"),
      DATA_DIR: path.join(tmp, "data"),
    };
    const r = await new Promise<RunResult>((resolve) => {
      const child = spawn(process.execPath, [script], { cwd: tmp, env, stdio: ["ignore", "pipe", "pipe"] });
      children.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, 10_000);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        children.delete(child);
        resolve({ code, signal, stdout, stderr, timedOut });
      });
    });
    expect(r.timedOut, "still running after 10 s").toBe(false);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/BotFather/);
    expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/\n\s+at .+:\d+:\d+\)?/); // no stack trace
  });
});
