import type { MachineClock } from "@axvisor/machine";

/** Instructions per timebase tick: a 100 MIPS hart on QEMU virt's 10 MHz timebase. */
export const INSTRUCTIONS_PER_TICK = 10;

/**
 * Guest time from the VMM's executed-instruction count: the VMM runs vCPUs without telling the
 * board's clock, so this clock reads the count itself. Timers (the case's budget, a guest's
 * SBI timer) then fire at the same instruction on every run, which makes a case reproducible.
 */
export class VmmInstructionClock implements MachineClock {
  readonly deterministic = true;
  #source: () => number = () => 0;

  /** Where the count comes from (set once the VMM exists). */
  attach(source: () => number): void {
    this.#source = source;
  }

  now(): number {
    return Math.floor(this.#source() / INSTRUCTIONS_PER_TICK);
  }

  advanceInstructions(_count: number): void {}

  skipTo(_tick: number): void {}

  hostDelayMsUntil(_tick: number): number {
    return 0;
  }
}
