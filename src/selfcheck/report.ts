/**
 * The self-check's rows: each step runs timed, and ends as one row (PASS/FAIL/SKIP, milliseconds,
 * what the exchange said). A step that throws is a FAIL whose text is the error's own sentence
 * (Kalshi's code and message for an API error, the field for a schema error), with secrets removed.
 */
import { redactString } from "../logging/redact.js";

export type StepStatus = "PASS" | "FAIL" | "SKIP";

export interface StepResult {
  step: string;
  status: StepStatus;
  ms: number;
  /** What the exchange said (or why the step failed), one line, no secrets. */
  said: string;
}

/** A check the self-check makes on an answer that came back fine but says the wrong thing. */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckFailed";
  }
}

/** A step that does not apply here (e.g. no market of an optional series is open). */
export class Skipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Skipped";
  }
}

/** The run was interrupted (Ctrl-C): the remaining steps do not start. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted (Ctrl-C)");
    this.name = "Interrupted";
  }
}

/** A step's value and the line that describes it. */
export interface Said<T> {
  value: T;
  said: string;
}

export function said<T>(value: T, text: string): Said<T> {
  return { value, said: text };
}

export class StepRunner {
  readonly results: StepResult[] = [];

  constructor(
    private readonly opts: {
      secrets: readonly string[];
      signal?: AbortSignal;
      onStep?: (r: StepResult) => void;
      now?: () => number;
    },
  ) {}

  get failed(): boolean {
    return this.results.some((r) => r.status === "FAIL");
  }

  /**
   * Runs one step; returns its value, or undefined when it failed (the row says why). After Ctrl-C
   * it throws Interrupted instead of starting, unless it is `always` (clean-up).
   */
  async run<T>(
    step: string,
    fn: () => Promise<Said<T>>,
    opts: { always?: boolean } = {},
  ): Promise<T | undefined> {
    // After Ctrl-C no new step starts: Interrupted propagates to the run, which cleans up.
    if (this.opts.signal?.aborted && !opts.always) throw new Interrupted();
    const now = this.opts.now ?? Date.now;
    const t0 = now();
    try {
      const r = await fn();
      this.record({ step, status: "PASS", ms: now() - t0, said: r.said });
      return r.value;
    } catch (e) {
      const status = e instanceof Skipped ? "SKIP" : "FAIL";
      this.record({ step, status, ms: now() - t0, said: errorText(e) });
      return undefined;
    }
  }

  record(r: StepResult): void {
    const clean = { ...r, said: redactString(oneLine(r.said), this.opts.secrets) };
    this.results.push(clean);
    this.opts.onStep?.(clean);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

export function formatRow(r: StepResult, width = r.step.length): string {
  return `${r.step.padEnd(width)}  ${r.status.padEnd(6)}  ${String(r.ms).padStart(6)}  ${r.said}`;
}
