import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type JobResult, secondsText } from "./job.js";
import { MarkerWatch } from "./markers.js";

export const QEMU_BINARY = "qemu-system-riscv64";
export const OPENSBI_FW_DYNAMIC = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

/** "QEMU emulator version 7.2.x ..." or undefined when QEMU is not installed. */
export function qemuVersion(binary = QEMU_BINARY): string | undefined {
  const r = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0 || typeof r.stdout !== "string") return undefined;
  return r.stdout.split("\n")[0]?.trim() || undefined;
}

export interface QemuRunOptions {
  readonly args: readonly string[];
  /** Markers to time; times are ms since the process was spawned. */
  readonly markers: readonly string[];
  /** The run is complete when this marker appears. */
  readonly until: string;
  readonly failPrefix?: string;
  readonly timeoutMs: number;
  /**
   * After `until`: "wait" lets QEMU power itself off (the workload's finisher write), "kill"
   * ends it (a Linux shell never exits by itself). `beforeKill` runs first, while the guest
   * still lives (e.g. to read the process's RSS).
   */
  readonly after: "wait" | "kill";
  readonly beforeKill?: (pid: number) => Promise<Record<string, number>>;
  readonly binary?: string;
}

export interface QemuRunResult {
  readonly watch: MarkerWatch;
  readonly timedOut: boolean;
  readonly exitCode: number | null;
  readonly extra: Record<string, number>;
  readonly error?: string;
}

/**
 * Spawns QEMU with the serial console on stdout (-nographic) and times markers as they
 * arrive on the pipe. QEMU's own start-up (process, machine, firmware) is inside the
 * spawn-relative times and outside any marker-to-marker figure.
 */
export function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  const watch = new MarkerWatch(o.markers, o.failPrefix);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(o.binary ?? QEMU_BINARY, [...o.args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let timedOut = false;
    let finished = false;
    let extra: Record<string, number> = {};
    let stderr = "";
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, o.timeoutMs);
    const finish = async () => {
      if (finished) return;
      finished = true;
      if (o.beforeKill !== undefined && child.pid !== undefined) {
        try {
          extra = await o.beforeKill(child.pid);
        } catch {
          // a figure that could not be read is left out
        }
      }
      if (o.after === "kill") child.kill("SIGKILL");
      else setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    };
    child.stdout.on("data", (b: Buffer) => {
      watch.feed(b, performance.now() - t0);
      if (watch.has(o.until) || watch.failLine !== undefined) void finish();
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-4096);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({
        watch,
        timedOut,
        exitCode: null,
        extra,
        error: `cannot run ${o.binary ?? QEMU_BINARY}: ${e.message}`,
      });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const err = stderr.trim().split("\n").slice(-2).join(" | ");
      resolve({
        watch,
        timedOut,
        exitCode: code,
        extra,
        ...(err && !watch.has(o.until) ? { error: err } : {}),
      });
    });
  });
}

/** The result of a QEMU run as a job result: `figures.ms` from `from` (or spawn) to `until`. */
export function qemuOutcome(
  r: QemuRunResult,
  until: string,
  from: string | undefined,
  timeoutMs: number,
): JobResult {
  if (r.watch.failLine !== undefined)
    return { ok: false, why: `guest reported ${r.watch.failLine}` };
  const end = r.watch.hit(until);
  const start = from === undefined ? { timeMs: 0 } : r.watch.hit(from);
  if (end !== undefined && start !== undefined) {
    return { ok: true, figures: { ms: end.timeMs - start.timeMs, ...r.extra } };
  }
  const missing = start === undefined && from !== undefined ? from : until;
  if (r.timedOut)
    return { ok: false, why: `timeout after ${secondsText(timeoutMs)} (no ${missing})` };
  if (r.error !== undefined) return { ok: false, why: `${r.error} (no ${missing})` };
  return { ok: false, why: `QEMU exited with status ${r.exitCode} before ${missing}` };
}

/** Resident set size of a process in bytes (Linux /proc), or undefined elsewhere. */
export function processRssBytes(pid: number | "self" = "self"): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}
