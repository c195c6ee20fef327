import { describe, expect, it } from "vitest";
import { InstructionClock, RealTimeClock } from "./clock.js";

describe("InstructionClock", () => {
  it("counts one tick per N instructions and keeps the remainder", () => {
    const c = new InstructionClock(100);
    c.advanceInstructions(250);
    expect(c.now()).toBe(2);
    c.advanceInstructions(50);
    expect(c.now()).toBe(3);
    c.skipTo(1000);
    expect(c.now()).toBe(1000);
    c.skipTo(10);
    expect(c.now()).toBe(1000);
    expect(c.hostDelayMsUntil(5000)).toBe(0);
  });
});

describe("RealTimeClock", () => {
  it("runs at 10 MHz of host time", async () => {
    const c = new RealTimeClock(10_000_000);
    const t0 = c.now();
    await new Promise((r) => setTimeout(r, 30));
    const ticks = c.now() - t0;
    expect(ticks).toBeGreaterThanOrEqual(290_000);
    expect(ticks).toBeLessThan(3_000_000);
    expect(c.hostDelayMsUntil(c.now() + 10_000)).toBeCloseTo(1, 0);
  });
});
