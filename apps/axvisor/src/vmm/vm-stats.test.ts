import { EXIT_KINDS } from "@axvisor/axvcpu";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatVmStats, VcpuStats, VmStats } from "./vm-stats.js";

/** The host clock the statistics read, set by each test (a first exit reads it). */
let now = 0;
beforeEach(() => {
  now = 1000;
  vi.spyOn(performance, "now").mockImplementation(() => now);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("VcpuStats", () => {
  it("charges leaving a slice to its last exit, the VMM's work after it to the next slice's first", () => {
    const s = new VcpuStats();
    s.beginSlice(now);
    s.recordExits("IoWrite", 3, 0.3, 3);
    s.recordExits("MmioWrite", 1021, 2, 20);
    s.endSlice(25);
    // 25 ms of slice, 23 of round trips: leaving took 2 ms, the MMIO exit that ended the slice
    // pays for it. Then the VMM worked 1 ms for the vCPU: run time at once, exit cost when the
    // next exit comes.
    expect(s.exitCostMs("MmioWrite")).toBe(22);
    s.chargeBetweenSlices(1);
    expect(s.runMs).toBe(26);
    expect(s.pendingSwitchMs).toBe(1);
    s.beginSlice(now);
    s.recordExits("IoWrite", 1024, 2, 20);
    s.endSlice(20);
    expect(s.exitCostMs("IoWrite")).toBe(24);
    expect(s.pendingSwitchMs).toBe(0);
    expect(s.exitCostMs("IoWrite") + s.exitCostMs("MmioWrite")).toBe(s.runMs);
  });

  it("counts the VMM's serving of an exit it was handed in the round trip, not twice", () => {
    const s = new VcpuStats();
    s.beginSlice(now);
    s.recordExits("Hypercall", 1, 0, 4);
    s.addServeTime("Hypercall", 1);
    s.endSlice(6);
    expect(s.exitMs[EXIT_KINDS.indexOf("Hypercall")]).toBe(1);
    expect(s.exitCostMs("Hypercall")).toBe(6);
  });

  it("carries the time of a slice with no exit to the next exit", () => {
    const s = new VcpuStats();
    s.beginSlice(now);
    s.recordExits("Halt", 1, 0, 1);
    s.endSlice(1);
    s.chargeBetweenSlices(2);
    s.beginSlice(now);
    s.endSlice(5);
    expect(s.runMs).toBe(8);
    expect(s.pendingSwitchMs).toBe(7);
    s.beginSlice(now);
    s.recordExits("Nothing", 1, 0, 1);
    s.endSlice(1);
    expect(s.exitCostMs("Nothing")).toBe(8);
    expect(s.exitCostMs("Halt")).toBe(1);
  });

  it("charges a slice's binding, before its first run, to its first exit", () => {
    const s = new VcpuStats();
    s.beginSlice(now);
    // Bound in 0.5 ms, then a run of 10 exits of 4 ms reported when it ended.
    now += 0.5 + 4;
    s.recordExits("MmioWrite", 10, 1, 4);
    s.recordExits("Halt", 1, 0, 0.5);
    s.endSlice(5.25);
    expect(s.exitCostMs("MmioWrite")).toBe(4.5);
    expect(s.exitSwitchMs[EXIT_KINDS.indexOf("MmioWrite")]).toBe(0.5);
    // Unbinding (0.25 ms) is the Halt's: it ended the slice.
    expect(s.exitCostMs("Halt")).toBe(0.75);
  });

  it("ignores a share that is no time", () => {
    const s = new VcpuStats();
    s.chargeBetweenSlices(0);
    s.chargeBetweenSlices(Number.NaN);
    s.chargeBetweenSlices(-1);
    expect(s.runMs).toBe(0);
    expect(s.pendingSwitchMs).toBe(0);
  });
});

describe("formatVmStats", () => {
  it("gives each exit kind's mean cost with its serving and slice-switch parts", () => {
    const stats = new VmStats(2);
    const a = stats.vcpu(0);
    a.chargeBetweenSlices(1);
    a.beginSlice(now);
    a.recordExits("MmioWrite", 1000, 1, 4);
    a.endSlice(4);
    a.instructions = 3000;
    const b = stats.vcpu(1);
    b.chargeBetweenSlices(2);
    b.beginSlice(now);
    b.recordExits("MmioWrite", 1000, 1, 3);
    b.endSlice(3);
    const lines = formatVmStats('1 "two"', stats);
    expect(lines[0]).toBe('VM 1 "two":');
    expect(lines.find((l) => l.includes("all"))).toMatch(/3000 insns\s+0\.3 MIPS\s+run 0\.010 s/);
    // 2000 exits cost 10 ms: 5 us each, of which 1 us serving and 1.5 us switches.
    expect(lines.at(-1)).toBe(
      "  exit MmioWrite                2000  mean 5.00 us (serving 1.00 us, slice switches 1.50 us)",
    );
  });
});
