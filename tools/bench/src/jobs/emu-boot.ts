import { readFileSync } from "node:fs";
import { type EmuMachine, platforms } from "@axvisor/app";
import type { MachineExit } from "@axvisor/machine";
import { type JobResult, secondsText } from "../job.js";
import { MarkerWatch } from "../markers.js";

/**
 * Boots a kernel natively on a bare machine (`axvisor emu -M <platform> -kernel K -initrd I
 * -append A`), in this process, and times `marker` on its console from the moment the machine
 * is created (images parsed and placed, boot information written) — what QEMU's figure counts
 * from its spawn, minus process start-up.
 */
export async function runEmuBoot(job: {
  readonly platform: string;
  readonly kernel: string;
  readonly initrd?: string;
  readonly append?: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly marker: string;
  readonly timeoutMs: number;
}): Promise<JobResult> {
  const watch = new MarkerWatch([job.marker]);
  const file = (path: string) => ({ name: path, data: new Uint8Array(readFileSync(path)) });
  let machine: EmuMachine | undefined;
  const t0 = performance.now();
  machine = platforms.get(job.platform).createEmuMachine({
    cpus: job.cpus,
    memory: job.memoryMiB * 2 ** 20,
    machineProps: new Map(),
    devices: [],
    kernel: file(job.kernel),
    ...(job.initrd !== undefined ? { initrd: file(job.initrd) } : {}),
    ...(job.append !== undefined ? { append: job.append } : {}),
    drives: [],
    console: (bytes) => {
      watch.feed(bytes, performance.now() - t0, machine?.instructions);
      if (watch.has(job.marker)) machine?.stop("done");
    },
  });
  const timer = setTimeout(() => machine?.stop("timeout"), job.timeoutMs);
  let exit: MachineExit;
  try {
    exit = await machine.run();
  } finally {
    clearTimeout(timer);
  }
  const hit = watch.hit(job.marker);
  if (hit !== undefined) {
    return {
      ok: true,
      figures: { ms: hit.timeMs, ...(hit.counter !== undefined ? { counted: hit.counter } : {}) },
    };
  }
  if (exit.kind === "stopped" && exit.reason === "timeout") {
    return { ok: false, why: `timeout after ${secondsText(job.timeoutMs)} (no ${job.marker})` };
  }
  const what = exit.kind === "fault" ? `emulator fault: ${exit.message}` : `machine ${exit.kind}`;
  return { ok: false, why: `${what} (no ${job.marker})` };
}
