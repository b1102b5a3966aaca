/** Small helpers shared by the benchmarks (no test framework, 127.0.0.1 only). */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const median = (values: number[]): number => percentile(values, 50);

/** `file:` URL of tsx's loader, for `node --import <it> file.ts` (one process, unlike the tsx CLI). */
export const TSX_LOADER = import.meta.resolve("tsx");

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** VmRSS (and VmHWM, the peak) of a live process, MB, from /proc; null where /proc is missing. */
export async function procRss(pid: number): Promise<{ rssMb: number; hwmMb: number } | null> {
  try {
    const s = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(s)?.[1] ?? NaN);
    return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 6_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a command to completion; returns the wall time (ms, spawn → exit) and its stdout. */
export async function timeCommand(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ ms: number; stdout: string; stderr: string; code: number | null }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  try {
    const code = await exited(child);
    return { ms: performance.now() - t0, stdout, stderr, code };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** Runs `fn` with console.log/table/info silenced (sub-benchmarks print their own reports). */
export async function quietly<T>(fn: () => Promise<T>, verbose = false): Promise<T> {
  if (verbose) return fn();
  const saved = { log: console.log, table: console.table, info: console.info };
  console.log = console.table = console.info = () => undefined;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

export const fmtMs = (ms: number): string =>
  !Number.isFinite(ms) ? "n/a" : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(ms >= 10 ? 1 : 2)} ms`;
export const fmtMb = (mb: number): string => (Number.isFinite(mb) ? `${mb.toFixed(0)} MB` : "n/a");
export const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : "n/a";
