import type { MachineClock } from "./clock.js";
import { IdleSleep } from "./idle-sleep.js";
import type { MachineExit } from "./machine-exit.js";
import { nextMacrotask } from "./next-macrotask.js";

/** What the bare-board run loop needs from a board. */
export interface RunLoopBoard {
  readonly clock: MachineClock;
  /** Set once the run must end (power-off, `stop()`, an emulator fault). */
  readonly exit: MachineExit | undefined;
  /** One round: every CPU that can run gets a slice; devices then catch up with the clock. */
  step(): void;
  /** Some CPU can run now (not waiting for an interrupt, or one is pending for it). */
  anyRunnable(): boolean;
  /** The earliest clock tick at which a timer may wake a waiting CPU; Infinity for none. */
  nextTimerDeadline(now: number): number;
  /** Host milliseconds until a wall-clock event (an RTC alarm); Infinity for none. */
  wallClockWakeMs(): number;
  /** Called once when the run ends (flush the console). */
  finish(): void;
}

/** Give the event loop a turn at least this often (ms) while guests compute. */
const YIELD_INTERVAL_MS = 15;
/** Longest single idle sleep; input and stop() end it early through `wake()`. */
const MAX_IDLE_MS = 1000;

/**
 * The run loop every bare board shares (`axvisor emu`), with one idle policy: run rounds
 * until the board has an exit, yield to the event loop every few milliseconds so input and
 * timeouts are served, and when every CPU waits, sleep until the next timer deadline or
 * wall-clock event (a deterministic clock jumps there instead), or until `wake()`.
 */
export class BoardRunLoop {
  /** Host milliseconds spent asleep because every CPU waited. */
  idleMs = 0;
  readonly #sleep = new IdleSleep();
  #running = false;

  constructor(private readonly board: RunLoopBoard) {}

  get running(): boolean {
    return this.#running;
  }

  /** Ends an idle sleep early (input arrived, an interrupt line rose, `stop()`). */
  wake(): void {
    this.#sleep.wake();
  }

  async run(): Promise<MachineExit> {
    if (this.#running) throw new Error("the machine is already running");
    this.#running = true;
    const b = this.board;
    try {
      let lastYield = performance.now();
      for (;;) {
        b.step();
        const exit = b.exit;
        if (exit !== undefined) {
          b.finish();
          return exit;
        }
        if (!b.anyRunnable()) {
          const t = performance.now();
          await this.#idle();
          lastYield = performance.now();
          this.idleMs += lastYield - t;
        } else if (performance.now() - lastYield >= YIELD_INTERVAL_MS) {
          await nextMacrotask();
          lastYield = performance.now();
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #idle(): Promise<void> {
    const b = this.board;
    const deadline = b.nextTimerDeadline(b.clock.now());
    let ms = Math.min(MAX_IDLE_MS, b.wallClockWakeMs());
    if (b.clock.deterministic) {
      if (Number.isFinite(deadline)) {
        b.clock.skipTo(deadline);
        return;
      }
    } else if (Number.isFinite(deadline)) {
      ms = Math.min(ms, b.clock.hostDelayMsUntil(deadline));
    }
    await this.#sleep.sleep(ms);
  }
}
