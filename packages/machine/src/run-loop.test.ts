import { describe, expect, it } from "vitest";
import { InstructionClock, RealTimeClock } from "./clock.js";
import type { MachineExit } from "./machine-exit.js";
import { BoardRunLoop, type RunLoopBoard } from "./run-loop.js";

/** A board whose one CPU runs `work` rounds, then waits for a timer at `wakeAt` ticks. */
function board(clock: RunLoopBoard["clock"], wakeAt: number) {
  let exit: MachineExit | undefined;
  const b = {
    clock,
    rounds: 0,
    finished: 0,
    waiting: false,
    get exit() {
      return exit;
    },
    step() {
      b.rounds++;
      if (b.waiting && clock.now() >= wakeAt) {
        exit = { kind: "poweroff", success: true, code: 0, source: "test" };
      }
      b.waiting = true;
    },
    anyRunnable: () => !b.waiting || clock.now() >= wakeAt,
    nextTimerDeadline: () => wakeAt,
    wallClockWakeMs: () => Number.POSITIVE_INFINITY,
    finish() {
      b.finished++;
    },
    stop(reason: string) {
      exit = { kind: "stopped", reason };
    },
  };
  return b;
}

describe("BoardRunLoop", () => {
  it("jumps a deterministic clock to the next timer instead of sleeping", async () => {
    const b = board(new InstructionClock(), 1_000_000);
    const loop = new BoardRunLoop(b);
    const t0 = performance.now();
    expect(await loop.run()).toEqual({ kind: "poweroff", success: true, code: 0, source: "test" });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(b.finished).toBe(1);
    expect(loop.idleMs).toBeLessThan(100);
  });

  it("sleeps on a real clock while every CPU waits, and wake() ends the sleep", async () => {
    const b = board(new RealTimeClock(10_000_000), Number.POSITIVE_INFINITY);
    const loop = new BoardRunLoop(b);
    const done = loop.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(loop.running).toBe(true);
    b.stop("test over");
    loop.wake();
    expect(await done).toEqual({ kind: "stopped", reason: "test over" });
    expect(loop.idleMs).toBeGreaterThanOrEqual(30);
    expect(b.rounds).toBe(2);
    await expect(loop.run()).resolves.toEqual({ kind: "stopped", reason: "test over" });
  });
});
