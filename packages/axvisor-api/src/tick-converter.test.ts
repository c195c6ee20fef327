import { describe, expect, it } from "vitest";
import { tickConverter } from "./tick-converter.js";

describe("tickConverter", () => {
  it("converts a 10 MHz timebase exactly (100 ns per tick), also beyond 2^53 / 1e9 ticks", () => {
    const c = tickConverter(10_000_000);
    expect(c.ticksToNanos(1)).toBe(100);
    expect(c.nanosToTicks(199)).toBe(1);
    // One day of ticks: 864e9 ticks -> 8.64e13 ns. ticks * 1e9 would be 8.64e20, far beyond 2^53.
    expect(c.ticksToNanos(864_000_000_000)).toBe(86_400_000_000_000);
    expect(c.nanosToTicks(86_400_000_000_000)).toBe(864_000_000_000);
  });

  it("rounds down for rates that do not divide 1 GHz", () => {
    const c = tickConverter(24_000_000); // 41.666... ns per tick
    expect(c.ticksToNanos(3)).toBe(125);
    expect(c.ticksToNanos(1)).toBe(41);
    expect(c.nanosToTicks(125)).toBe(3);
    expect(c.nanosToTicks(124)).toBe(2);
    // 10 hours at 24 MHz: 8.64e11 ticks -> 3.6e13 ns.
    expect(c.ticksToNanos(864_000_000_000)).toBe(36_000_000_000_000);
  });

  it("stays exact for rates coprime to 10", () => {
    const c = tickConverter(1_000_000_007);
    // 1e9+7 ticks is exactly one second.
    expect(c.ticksToNanos(1_000_000_007)).toBe(1_000_000_000);
    expect(c.nanosToTicks(1_000_000_000)).toBe(1_000_000_007);
  });

  it("rejects nonsense rates", () => {
    expect(() => tickConverter(0)).toThrow(/positive integer/);
    expect(() => tickConverter(1.5)).toThrow(/positive integer/);
  });
});
