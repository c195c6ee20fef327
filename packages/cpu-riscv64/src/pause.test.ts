import { openCompileQueue } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { PAUSE } from "./jit/region.js";
import * as a from "./testing/asm.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

/** A spin loop as Linux's cpu_relax() writes it: count in x5, PAUSE, back to the top. */
const SPIN = [a.addi(5, 5, 1), PAUSE, a.jal(0, -8)];

/** The JIT with its synchronous compile queue: the loop is compiled code by the time it is hot. */
const syncJit = () => ({ compileQueue: openCompileQueue({ offThread: false }) });

describe.each([
  ["interpreted", false],
  ["with the JIT", true],
] as const)("PAUSE (Zihintpause), %s", (_, withJit) => {
  const jit = () => (withJit ? syncJit() : false);
  it("is a no-op unless pauseExit is set: the run goes on to its budget", () => {
    const { hart } = makeHart(SPIN, {}, jit());
    expect(hart.run(30_000)).toBe("budget");
    expect(hart.instret).toBe(30_000);
    expect(hart.getX(5)).toBe(10_000n);
  });

  it("with pauseExit ends the run right after the PAUSE, also once the loop is compiled", () => {
    const { hart } = makeHart(SPIN, {}, jit());
    // Warm the loop up first: with the JIT on, it is compiled code by now.
    expect(hart.run(30_000)).toBe("budget");
    if (withJit) expect(hart.jit?.stats.retired).toBeGreaterThan(0);
    hart.pauseExit = true;
    const before = hart.instret;
    expect(hart.run(30_000)).toBe("budget");
    // The PAUSE retired and the hart stands at the jump after it.
    expect(hart.getPc()).toBe(BigInt(RAM_BASE + 8));
    expect(hart.instret - before).toBeLessThanOrEqual(3);
    // The next run starts there: the jump, the increment, the PAUSE.
    const x5 = hart.getX(5);
    expect(hart.run(30_000)).toBe("budget");
    expect(hart.instret - before).toBeLessThanOrEqual(6);
    expect(hart.getX(5)).toBe(x5 + 1n);
    expect(hart.getPc()).toBe(BigInt(RAM_BASE + 8));
  });

  it("other FENCEs never end a run, pauseExit or not", () => {
    const fenceRwRw = 0x0330000f;
    const { hart } = makeHart([a.addi(5, 5, 1), fenceRwRw, a.jal(0, -8)], {}, jit());
    hart.pauseExit = true;
    expect(hart.run(3_000)).toBe("budget");
    expect(hart.instret).toBe(3_000);
  });
});
