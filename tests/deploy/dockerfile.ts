/**
 * A small Dockerfile / .dockerignore reader for the deploy tests. It understands what this project's
 * Dockerfile uses: line continuations, comments, stages (FROM ... AS name), exec (JSON) and shell forms.
 */

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  let buf = "";
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const trimmed = raw.trim();
    if (buf === "" && (trimmed === "" || trimmed.startsWith("#"))) continue;
    if (buf !== "" && trimmed.startsWith("#")) continue; // comment inside a continued instruction
    if (buf === "") startLine = i + 1;
    if (trimmed.endsWith("\\")) {
      buf += `${trimmed.slice(0, -1).trim()} `;
      continue;
    }
    buf += trimmed;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(buf);
    if (m)
      instructions.push({ keyword: (m[1] ?? "").toUpperCase(), args: (m[2] ?? "").trim(), line: startLine });
    buf = "";
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(ins.args);
      stages.push({ base: m?.[1] ?? "", name: m?.[2] ?? String(stages.length), instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      stage.instructions.push(ins);
    }
  }
  return stages;
}

/** An exec-form JSON array, or undefined when the instruction uses the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith("[")) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Argv Docker runs for a CMD/ENTRYPOINT/HEALTHCHECK CMD: exec form as is, shell form via /bin/sh -c. */
export function commandArgv(args: string): string[] {
  return execForm(args) ?? ["/bin/sh", "-c", args];
}

export interface CopyInstruction {
  flags: Record<string, string>;
  sources: string[];
  dest: string;
  line: number;
}

export function parseCopy(ins: Instruction): CopyInstruction {
  let rest = ins.args;
  const flags: Record<string, string> = {};
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!m) break;
    flags[m[1] ?? ""] = m[2] ?? "true";
    rest = rest.slice(m[0].length);
  }
  const parts = execForm(rest) ?? rest.split(/\s+/).filter((p) => p !== "");
  return { flags, sources: parts.slice(0, -1), dest: parts[parts.length - 1] ?? "", line: ins.line };
}

/** ENV KEY=value ... (and the legacy ENV KEY value). Quotes around values are removed. */
export function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=]*)$/.exec(args);
  if (legacy && !args.includes("=")) {
    out[legacy[1] ?? ""] = (legacy[2] ?? "").trim();
    return out;
  }
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    const v = m[2] ?? "";
    out[m[1] ?? ""] = /^["'].*["']$/.test(v) ? v.slice(1, -1) : v;
  }
  return out;
}

/** VOLUME ["/a", "/b"] or VOLUME /a /b */
export function parseVolume(args: string): string[] {
  return execForm(args) ?? args.split(/\s+/).filter((p) => p !== "");
}

function globToRegexSource(glob: string): string {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return re;
}

export interface IgnoreRule {
  pattern: string;
  negate: boolean;
  re: RegExp;
}

/** .dockerignore rules; a pattern that matches a folder also excludes everything in it. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let p = raw.trim();
    if (p === "" || p.startsWith("#")) continue;
    const negate = p.startsWith("!");
    if (negate) p = p.slice(1).trim();
    p = p.replace(/^\.?\/+/, "").replace(/\/+$/, "");
    rules.push({ pattern: raw.trim(), negate, re: new RegExp(`^${globToRegexSource(p)}(?:/.*)?$`) });
  }
  return rules;
}

/** Whether the build context leaves `relPath` (forward slashes, relative to the context root) out. */
export function isIgnored(relPath: string, rules: readonly IgnoreRule[]): boolean {
  let ignored = false;
  for (const r of rules) if (r.re.test(relPath)) ignored = !r.negate;
  return ignored;
}

export function globRegex(glob: string): RegExp {
  return new RegExp(`^${globToRegexSource(glob)}$`);
}
