import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Job, type JobResult, RESULT_PREFIX, secondsText } from "./job.js";

/** The child script next to this module (dist/child.js when built). */
export const CHILD_SCRIPT = fileURLToPath(new URL("./child.js", import.meta.url));

export interface ChildOptions {
  /** Extra environment for the child (e.g. AXVISOR_JIT=0). */
  readonly env?: Readonly<Record<string, string>>;
  /** Killed after this long, on top of the job's own timeout. */
  readonly hardTimeoutMs: number;
  /** For tests: the command to run instead of `node CHILD_SCRIPT`. */
  readonly command?: readonly string[];
}

/**
 * Parses the child's stdout and exit into a JobResult. Everything that can go wrong in a
 * child (no result line, a garbled one, a crash, a kill) becomes `{ ok: false, why }`.
 */
export function parseChildOutput(
  stdout: string,
  stderr: string,
  exit: {
    code: number | null;
    signal: string | null;
    killedForTime: boolean;
    hardTimeoutMs: number;
  },
): JobResult {
  const line = stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (line !== undefined) {
    try {
      const r = JSON.parse(line.slice(RESULT_PREFIX.length)) as JobResult;
      if (r.ok === true && typeof r.figures === "object" && r.figures !== null) return r;
      if (r.ok === false && typeof r.why === "string") return r;
    } catch {
      // fall through: reported as garbled below
    }
    return { ok: false, why: `unreadable result from the child: ${line.slice(0, 200)}` };
  }
  if (exit.killedForTime)
    return {
      ok: false,
      why: `timeout after ${secondsText(exit.hardTimeoutMs)} (child killed)`,
    };
  const lastErr = stderr.trim().split("\n").slice(-3).join(" | ").slice(0, 400);
  const how = exit.signal !== null ? `killed by ${exit.signal}` : `exited with status ${exit.code}`;
  return { ok: false, why: `child ${how}${lastErr ? `: ${lastErr}` : " without a result"}` };
}

/** Runs one job in a child Node process. Never throws for a failing job. */
export function runInChild(job: Job, options: ChildOptions): Promise<JobResult> {
  // --expose-gc: the idle-memory job collects garbage before reading RSS.
  const [cmd, ...args] = options.command ?? [process.execPath, "--expose-gc", CHILD_SCRIPT];
  return new Promise((resolve) => {
    const child = spawn(cmd!, [...args, JSON.stringify(job)], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let killedForTime = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-8192);
    });
    const timer = setTimeout(() => {
      killedForTime = true;
      child.kill("SIGKILL");
    }, options.hardTimeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `cannot start the child: ${e.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve(
        parseChildOutput(stdout, stderr, {
          code,
          signal,
          killedForTime,
          hardTimeoutMs: options.hardTimeoutMs,
        }),
      );
    });
  });
}
