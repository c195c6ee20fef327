import { asm, li32, Program } from "@axvisor/cpu-riscv64/testing";
import {
  type GroupOutcome,
  runHartsInTurn,
  runHartsOnThreads,
  SharedMsip,
} from "@axvisor/cpu-riscv64/threads";
import { allocateRam } from "@axvisor/machine";
import type { JobResult } from "../job.js";

const RAM_BASE = 0x8000_0000;
const RAM_BYTES = 1 << 20;
const DATA = 0x1_0000;
/** Instructions per iteration of the counting loop (addi, addi, bnez: the intloop's shape). */
export const PARALLEL_PER_ITERATION = 3;

/**
 * The parallel workload: every hart counts `iterations` times through the integer loop, adds
 * 1 to a join counter with AMOADD, and halts (WFI with mie = 0); hart 0 first waits for the
 * join to reach the hart count and then writes the marker word 0x600D. Data at +0 join,
 * +4 marker, +8 + 8 * hart: each hart's count.
 */
export function parallelProgram(iterations: number, harts: number): Uint8Array {
  const { addi, amoaddW, auipc, bne, csrr, csrw, jal, lw, sd, slli, add, WFI } = asm;
  const [Z, T0, T1, T2, S0, A0, A1] = [0, 5, 6, 7, 8, 10, 11];
  const p = new Program();
  p.emit(auipc(S0, DATA >>> 12), ...li32(T0, iterations), addi(T1, Z, 0));
  p.label("loop")
    .emit(addi(T0, T0, -1), addi(T1, T1, 1))
    .to("loop", (o) => bne(T0, Z, o));
  p.emit(csrr(A0, 0xf14), slli(A1, A0, 3), add(A1, A1, S0), sd(T1, A1, 8));
  p.emit(addi(T2, Z, 1), amoaddW(Z, S0, T2));
  p.to("end", (o) => bne(A0, Z, o));
  p.emit(addi(T2, Z, harts));
  p.label("join")
    .emit(lw(T0, S0, 0))
    .to("join", (o) => bne(T0, T2, o));
  p.emit(...li32(T0, 0x600d), asm.sw(T0, S0, 4));
  p.label("end")
    .emit(csrw(0x304, Z), WFI)
    .to("end", (o) => jal(Z, o));
  return p.bytes();
}

/**
 * Runs the parallel workload on 2 harts, on 2 worker threads (`threads` 2) or taking turns on
 * this one (`threads` 1), and checks that both counted and joined. Figures: ms (wall, from
 * the harts' start to the last hart's end), cpu_ms (the whole process meanwhile),
 * startup_ms (creating the workers and building their harts, before that), instructions.
 */
export async function runEmuParallel(job: {
  readonly threads: 1 | 2;
  readonly iterations: number;
}): Promise<JobResult> {
  const harts = [0, 1].map((hartId) => ({ hartId, resetPc: RAM_BASE }));
  const ram = allocateRam(RAM_BYTES);
  ram.set(parallelProgram(job.iterations, harts.length), 0);
  const msip = SharedMsip.allocate(harts.length);
  // Plenty for hart 0's spin on the join while the other hart finishes.
  const opts = { maxInstructions: 40 * job.iterations + 1e9 };
  const out: GroupOutcome =
    job.threads === 2
      ? await runHartsOnThreads(harts, ram, RAM_BASE, msip, opts)
      : runHartsInTurn(harts, ram, RAM_BASE, msip, opts);
  const view = new DataView(ram.buffer, ram.byteOffset + DATA, 32);
  const counts = harts.map((h) => Number(view.getBigUint64(8 + 8 * h.hartId, true)));
  if (view.getInt32(0, true) !== harts.length || view.getInt32(4, true) !== 0x600d) {
    return { ok: false, why: "the parallel workload did not join (no marker)" };
  }
  if (counts.some((c) => c !== job.iterations)) {
    return { ok: false, why: `a hart miscounted: ${counts.join(", ")} of ${job.iterations}` };
  }
  return {
    ok: true,
    figures: {
      ms: out.wallMs,
      cpu_ms: out.cpuMs,
      startup_ms: out.startupMs ?? 0,
      instructions: out.harts.reduce((s, h) => s + h.instructions, 0),
    },
  };
}
