import { describe, expect, it } from "vitest";
import { icountClock } from "./emu-command.js";

/** Guest nanoseconds the clock shows after `instructions`, on a timer of `hz`. */
function guestNs(hz: number, shift: number, instructions: number): number {
  const clock = icountClock(hz, shift);
  clock.advanceInstructions(instructions);
  return (clock.now() * 1e9) / hz;
}

describe("-icount SHIFT", () => {
  it("makes each instruction 2^SHIFT ns of guest time on every board's timebase", () => {
    for (const hz of [10_000_000, 62_500_000, 1_000_000_000]) {
      expect(guestNs(hz, 0, 1_000_000)).toBe(1_000_000);
      expect(guestNs(hz, 3, 1_000_000)).toBe(8_000_000);
    }
  });

  it("keeps sub-tick remainders on slow timers instead of dropping them", () => {
    const clock = icountClock(10_000_000, 0); // 100 ns per tick: 100 instructions
    for (let i = 0; i < 10; i++) clock.advanceInstructions(15);
    expect(clock.now()).toBe(1);
  });
});
