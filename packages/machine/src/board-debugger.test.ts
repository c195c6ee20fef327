import { describe, expect, it } from "vitest";
import { BoardDebugger, type DebugStopReason } from "./board-debugger.js";

function cpus(n: number) {
  return Array.from({ length: n }, () => ({ debugBreakpoints: false, debugBreakHit: false }));
}

describe("BoardDebugger", () => {
  it("takes the breakpoint instruction over while attached and gives it back on detach", () => {
    const c = cpus(2);
    const d = new BoardDebugger(c, () => {});
    expect(c.every((x) => x.debugBreakpoints)).toBe(true);
    expect(d.holding).toBe(true);
    expect(d.controlsRound).toBe(true);
    d.detach();
    expect(c.some((x) => x.debugBreakpoints)).toBe(false);
    expect(d.controlsRound).toBe(false);
  });

  it("runs all CPUs after resume, stops them all at a breakpoint and says which CPU hit it", () => {
    const c = cpus(2);
    const stops: [number, DebugStopReason][] = [];
    const d = new BoardDebugger(c, (i, why) => stops.push([i, why]));
    d.resume(-1);
    expect(d.controlsRound).toBe(false);
    d.afterSlice(0, c[0]!);
    expect(stops).toEqual([]);
    c[1]!.debugBreakHit = true;
    d.afterSlice(1, c[1]!);
    expect(stops).toEqual([[1, "breakpoint"]]);
    expect(c[1]!.debugBreakHit).toBe(false);
    expect(d.holding).toBe(true);
  });

  it("steps one CPU, then holds again and reports a step, or a breakpoint if it stopped at one", () => {
    const c = cpus(2);
    const stops: [number, DebugStopReason][] = [];
    const d = new BoardDebugger(c, (i, why) => stops.push([i, why]));
    d.resume(1);
    expect(d.stepCpu).toBe(1);
    expect(d.holding).toBe(false);
    expect(d.controlsRound).toBe(true);
    d.stepped(1, c[1]!);
    expect(d.stepCpu).toBe(-1);
    expect(d.holding).toBe(true);
    d.resume(0);
    c[0]!.debugBreakHit = true;
    d.stepped(0, c[0]!);
    expect(stops).toEqual([
      [1, "step"],
      [0, "breakpoint"],
    ]);
  });

  it("holds at the debugger's interrupt", () => {
    const d = new BoardDebugger(cpus(1), () => {});
    d.resume(-1);
    d.halt();
    expect(d.holding).toBe(true);
  });
});
