/** What a board's debugger needs of a CPU: the breakpoint instruction, taken over. */
export interface DebuggableCpu {
  /** Breakpoint instructions stop the CPU for the debugger instead of trapping to the guest. */
  debugBreakpoints: boolean;
  /** Set by the CPU when it stopped at such a breakpoint. */
  debugBreakHit: boolean;
}

export type DebugStopReason = "breakpoint" | "step";

/**
 * A debugger's all-stop hold on a board's CPUs, gdb's model: attaching stops every CPU; the
 * debugger then lets them all run until a breakpoint or its interrupt, or steps one CPU by one
 * instruction while the others stay stopped. The board asks `controlsRound` before each round
 * and, while it is true, runs at most the one step this object names.
 */
export class BoardDebugger {
  #hold = true;
  #stepCpu = -1;

  constructor(
    private readonly cpus: readonly DebuggableCpu[],
    private readonly onStop: (cpu: number, why: DebugStopReason) => void,
  ) {
    for (const c of cpus) c.debugBreakpoints = true;
  }

  /** Every CPU stays stopped (until `resume`). */
  get holding(): boolean {
    return this.#hold;
  }

  /** The CPU to execute one instruction next round; -1: none. */
  get stepCpu(): number {
    return this.#stepCpu;
  }

  /** The next round is the debugger's: nothing runs, or one step of `stepCpu`. */
  get controlsRound(): boolean {
    return this.#hold || this.#stepCpu >= 0;
  }

  /** Stops the CPUs at the next instruction boundary (the debugger's interrupt). */
  halt(): void {
    this.#hold = true;
  }

  /** Lets the CPUs run (`stepCpu` < 0) or makes the next round one instruction of `stepCpu`. */
  resume(stepCpu: number): void {
    this.#stepCpu = stepCpu;
    this.#hold = false;
  }

  /** CPU `index` ended a slice: a breakpoint it hit stops every CPU and is reported. */
  afterSlice(index: number, cpu: DebuggableCpu): void {
    if (!cpu.debugBreakHit) return;
    cpu.debugBreakHit = false;
    this.#hold = true;
    this.onStop(index, "breakpoint");
  }

  /** The step of CPU `index` was executed: everything stops again and the debugger hears why. */
  stepped(index: number, cpu: DebuggableCpu): void {
    const hit = cpu.debugBreakHit;
    cpu.debugBreakHit = false;
    this.#stepCpu = -1;
    this.#hold = true;
    this.onStop(index, hit ? "breakpoint" : "step");
  }

  /** The debugger is gone: breakpoint instructions reach the guest again. */
  detach(): void {
    for (const c of this.cpus) c.debugBreakpoints = false;
    this.#hold = false;
    this.#stepCpu = -1;
  }
}
