import type { TimeSource } from "./phys-bus.js";

/**
 * The board's notion of time (riscv `mtime`, arm CNTPCT, ...), in ticks of its timebase. The run loop tells
 * the clock how many instructions ran and asks it to skip ahead when every hart is idle; a
 * real-time clock ignores both, a deterministic one is driven by them.
 */
export interface MachineClock extends TimeSource {
  /** True when time depends only on executed instructions (reproducible runs). */
  readonly deterministic: boolean;
  /** Instructions executed since the last call (summed over harts). */
  advanceInstructions(count: number): void;
  /** All harts idle until `tick`: a deterministic clock jumps there. */
  skipTo(tick: number): void;
  /** Milliseconds of host time until the clock reaches `tick` (0 if already there). */
  hostDelayMsUntil(tick: number): number;
}

/** Time from the host's monotonic clock: the guest sees wall-clock time pass. */
export class RealTimeClock implements MachineClock {
  readonly deterministic = false;
  readonly #ticksPerMs: number;
  #origin: number;
  #offset = 0;

  /** `hz`: the timebase (10 MHz on riscv64 virt, 62.5 MHz on aarch64 virt). */
  constructor(hz: number, startTick = 0) {
    if (!(hz > 0)) throw new RangeError(`timebase of ${hz} Hz must be positive`);
    this.#ticksPerMs = hz / 1000;
    this.#origin = performance.now();
    this.#offset = startTick;
  }

  now(): number {
    return Math.floor((performance.now() - this.#origin) * this.#ticksPerMs) + this.#offset;
  }

  advanceInstructions(_count: number): void {}

  skipTo(_tick: number): void {}

  hostDelayMsUntil(tick: number): number {
    return Math.max(0, (tick - this.now()) / this.#ticksPerMs);
  }

  /** Restart from tick 0 (board reset). */
  reset(): void {
    this.#origin = performance.now();
    this.#offset = 0;
  }
}

/**
 * Time derived from the instruction count: `instructionsPerTick` instructions make one tick,
 * and idle periods are skipped. Two runs of the same program see the same times.
 */
export class InstructionClock implements MachineClock {
  readonly deterministic = true;
  #ticks = 0;
  #pending = 0;

  constructor(readonly instructionsPerTick = 100) {
    if (!(instructionsPerTick > 0)) throw new RangeError("instructionsPerTick must be positive");
  }

  now(): number {
    return this.#ticks;
  }

  advanceInstructions(count: number): void {
    this.#pending += count;
    if (this.#pending >= this.instructionsPerTick) {
      const whole = Math.floor(this.#pending / this.instructionsPerTick);
      this.#ticks += whole;
      this.#pending -= whole * this.instructionsPerTick;
    }
  }

  skipTo(tick: number): void {
    if (tick > this.#ticks) {
      this.#ticks = Math.ceil(tick);
      this.#pending = 0;
    }
  }

  hostDelayMsUntil(_tick: number): number {
    return 0;
  }

  reset(): void {
    this.#ticks = 0;
    this.#pending = 0;
  }
}
