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

/** What the fuzz driver needs of a bare board, whichever architecture it emulates. */
export interface BareBoard {
  readonly instructions: number;
  /** One round of slices; false when no CPU could run. */
  step(): boolean;
  stop(reason: string): void;
  run(): Promise<{ readonly kind: string; readonly message?: string }>;
}

/**
 * Runs a board built by `create` for `budget` instructions and reports what went wrong on the
 * host side: setup failures, hangs, faults the board reports, exceptions. `slice` is the
 * board's instructions per CPU per round; `cpuWord` names the CPU in findings ("hart", "CPU").
 */
export async function driveBareBoard(
  create: () => BareBoard,
  budget: number,
  slice: number,
  cpuWord: string,
): Promise<BareCaseResult> {
  const findings: Finding[] = [];
  let board: BareBoard;
  try {
    board = create();
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
  const maxRounds = Math.ceil(budget / slice) + 4;
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
      findings.push({ kind: "host-error", detail: `the bare ${cpuWord} threw: ${exit.message}` });
    }
    return { findings, end: exit.kind, instructions: board.instructions };
  } catch (e) {
    findings.push({ kind: "host-error", detail: `host exception: ${describe(e)}` });
    return { findings, end: "exception", instructions: board.instructions };
  }
}

export function runBare(image: Uint8Array, budget = 100_000): Promise<BareCaseResult> {
  return driveBareBoard(
    () =>
      new VirtMachine({
        harts: 1,
        ramSize: 8 << 20,
        images: { kernel: { name: "fuzz", data: image } },
        clock: new InstructionClock(10),
        rngSeed: null,
        sliceInstructions: SLICE,
        console: () => {},
      }),
    budget,
    SLICE,
    "hart",
  );
}
