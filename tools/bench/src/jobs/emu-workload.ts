import { readFileSync } from "node:fs";
import { type EmuMachine, platforms } from "@axvisor/app";
import type { MachineExit } from "@axvisor/machine";
import { withIterations } from "../image-params.js";
import { BENCH_END, BENCH_FAIL, BENCH_START, type JobResult, secondsText } from "../job.js";
import { MarkerWatch } from "../markers.js";

/** RAM of the bare machine; the workloads need under 4 MiB. */
const RAM_BYTES = 64 * 1024 * 1024;

/**
 * Runs a native workload on the emulated virt board with no firmware (`axvisor emu -bios
 * none`), in this process, and times its markers. The board flushes console output once per
 * slice, so a marker is timed at the end of the slice that printed it; the instruction
 * counter read at the same moment gives the executed count between the markers as a check
 * on the stated one.
 */
export async function runEmuWorkload(job: {
  readonly image: string;
  /** The bare machine to run it on (default riscv64-qemu-virt). */
  readonly platform?: string;
  readonly iterations: number;
  readonly timeoutMs: number;
  /** `-device` options for the board (x86's isa-debug-exit, which the workloads end with). */
  readonly devices?: readonly string[];
}): Promise<JobResult> {
  const data = withIterations(readFileSync(job.image), job.iterations);
  const watch = new MarkerWatch([BENCH_START, BENCH_END], BENCH_FAIL);
  let machine: EmuMachine | undefined;
  machine = platforms.get(job.platform ?? "riscv64-qemu-virt").createEmuMachine({
    cpus: 1,
    memory: RAM_BYTES,
    machineProps: new Map(),
    devices: job.devices ?? [],
    kernel: { name: job.image, data },
    drives: [],
    console: (bytes) => {
      watch.feed(bytes, performance.now(), machine?.instructions);
      if (watch.has(BENCH_END) || watch.failLine !== undefined) machine?.stop("done");
    },
  });
  const timer = setTimeout(() => machine?.stop("timeout"), job.timeoutMs);
  let exit: MachineExit;
  try {
    exit = await machine.run();
  } finally {
    clearTimeout(timer);
  }
  return workloadOutcome(
    watch,
    exit.kind === "stopped" && exit.reason === "timeout",
    job.timeoutMs,
    () => (exit.kind === "fault" ? `emulator fault: ${exit.message}` : `machine ${exit.kind}`),
  );
}

/** Turns the markers of one workload run into figures, or the reason there are none. */
export function workloadOutcome(
  watch: MarkerWatch,
  timedOut: boolean,
  timeoutMs: number,
  otherwise: () => string,
): JobResult {
  if (watch.failLine !== undefined) return { ok: false, why: `guest reported ${watch.failLine}` };
  const start = watch.hit(BENCH_START);
  const end = watch.hit(BENCH_END);
  if (start !== undefined && end !== undefined) {
    const figures: Record<string, number> = { ms: end.timeMs - start.timeMs };
    if (start.counter !== undefined && end.counter !== undefined) {
      figures.counted = end.counter - start.counter;
    }
    return { ok: true, figures };
  }
  const seen = start === undefined ? "no BENCH-START" : "BENCH-START but no BENCH-END";
  if (timedOut) return { ok: false, why: `timeout after ${secondsText(timeoutMs)} (${seen})` };
  return { ok: false, why: `${otherwise()} (${seen})` };
}
