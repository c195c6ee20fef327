/**
 * One fuzz case on the bare machine: the emulated QEMU virt board with no firmware, the code at
 * the start of RAM in M-mode, a reproducible instruction clock, a budget of instructions.
 * Findings: the hart throws a host exception (the board reports a "fault" exit) or the run
 * does not end.
 */
import { InstructionClock } from "@axvisor/machine";
import { VirtMachine } from "@axvisor/platform-riscv64-qemu-virt";
import type { Finding } from "./finding.js";
import { describe } from "./hypervisor-run.js";

const SLICE = 5_000;
/**
 * Host time past which a bare run counts as a hang: a round is a few slices of a few thousand
 * instructions, so a run this long means an instruction did far more work than it was charged.
 */
export const BARE_HANG_MS = 30_000;

export interface BareCaseResult {
  readonly findings: Finding[];
  /** poweroff, stopped (budget or every hart idle for good), or fault. */
  readonly end: string;
  readonly instructions: number;
}

export async function runBare(image: Uint8Array, budget = 100_000): Promise<BareCaseResult> {
  const findings: Finding[] = [];
  let board: VirtMachine;
  try {
    board = new VirtMachine({
      harts: 1,
      ramSize: 8 << 20,
      images: { kernel: { name: "fuzz", data: image } },
      clock: new InstructionClock(10),
      rngSeed: null,
      sliceInstructions: SLICE,
      console: () => {},
    });
  } catch (e) {
    return {
      findings: [{ kind: "host-error", detail: `board setup: ${describe(e)}` }],
      end: "none",
      instructions: 0,
    };
  }
  let idleRounds = 0;
  // A trap storm (a handler that faults into itself) retires nothing, so the instruction
  // count alone would never reach the budget: rounds are bounded too.
  const maxRounds = Math.ceil(budget / SLICE) + 4;
  try {
    const started = performance.now();
    for (
      let round = 0;
      board.instructions < budget && idleRounds < 8 && round < maxRounds;
      round++
    ) {
      if (board.step()) idleRounds = 0;
      else idleRounds++;
      if (performance.now() - started > BARE_HANG_MS) {
        findings.push({
          kind: "hang",
          detail: `${board.instructions} instructions took more than ${BARE_HANG_MS / 1000} s of host time`,
        });
        break;
      }
    }
    board.stop("budget");
    const exit = await board.run();
    if (exit.kind === "fault") {
      findings.push({ kind: "host-error", detail: `the bare hart threw: ${exit.message}` });
    }
    return { findings, end: exit.kind, instructions: board.instructions };
  } catch (e) {
    findings.push({ kind: "host-error", detail: `host exception: ${describe(e)}` });
    return { findings, end: "exception", instructions: board.instructions };
  }
}
