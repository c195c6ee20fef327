import { EXIT_KINDS } from "@axvisor/axvcpu";
import { describe, expect, it } from "vitest";
import { formatVmStats, VcpuStats, VmStats } from "./vm-stats.js";

describe("VcpuStats", () => {
  it("charges a slice's time beyond its exits' round trips to the exit that ended it", () => {
    const s = new VcpuStats();
    s.beginSlice();
    s.recordExits("IoWrite", 3, 0.3, 3);
    s.recordExits("MmioWrite", 1024, 2, 20);
    s.endSlice(25);
    // 25 ms of slice, 23 of round trips: the 2 ms of entering and leaving are the switch
    // cost of the MMIO exit that ended the slice.
    expect(s.runMs).toBe(25);
    expect(s.exitCostMs("MmioWrite")).toBe(22);
    expect(s.exitCostMs("IoWrite")).toBe(3);
    // The VMM's work after the slice is run time too, and the same exit's switch cost.
    s.chargeBetweenSlices(1);
    expect(s.runMs).toBe(26);
    expect(s.exitCostMs("MmioWrite")).toBe(23);
    expect(s.exitCostMs("IoWrite") + s.exitCostMs("MmioWrite")).toBe(s.runMs);
  });

  it("counts the VMM's serving of an exit it was handed in the round trip, not twice", () => {
    const s = new VcpuStats();
    s.beginSlice();
    s.recordExits("Hypercall", 1, 0, 4);
    s.addServeTime("Hypercall", 1);
    s.endSlice(6);
    expect(s.exitMs[EXIT_KINDS.indexOf("Hypercall")]).toBe(1);
    expect(s.exitCostMs("Hypercall")).toBe(6);
  });

  it("keeps a slice with no exit as run time owned by no exit", () => {
    const s = new VcpuStats();
    s.beginSlice();
    s.recordExits("Halt", 1, 0, 1);
    s.endSlice(1);
    s.beginSlice();
    s.endSlice(5);
    s.chargeBetweenSlices(2);
    expect(s.runMs).toBe(8);
    expect(s.exitCostMs("Halt")).toBe(1);
    expect(s.totalExits()).toBe(1);
  });

  it("ignores a share that is no time", () => {
    const s = new VcpuStats();
    s.beginSlice();
    s.recordExits("Nothing", 1, 0, 1);
    s.endSlice(1);
    s.chargeBetweenSlices(0);
    s.chargeBetweenSlices(Number.NaN);
    expect(s.runMs).toBe(1);
    expect(s.exitCostMs("Nothing")).toBe(1);
  });
});

describe("formatVmStats", () => {
  it("gives each exit kind's mean cost with its serving and slice-switch parts", () => {
    const stats = new VmStats(2);
    const a = stats.vcpu(0);
    a.beginSlice();
    a.recordExits("MmioWrite", 1000, 1, 4);
    a.endSlice(5);
    a.instructions = 3000;
    const b = stats.vcpu(1);
    b.beginSlice();
    b.recordExits("MmioWrite", 1000, 1, 3);
    b.endSlice(3);
    b.chargeBetweenSlices(2);
    const lines = formatVmStats('1 "two"', stats);
    expect(lines[0]).toBe('VM 1 "two":');
    expect(lines.find((l) => l.includes("all"))).toMatch(/3000 insns\s+0\.3 MIPS\s+run 0\.010 s/);
    // 2000 exits cost 10 ms: 5 us each, of which 1 us serving and 1.5 us switches.
    expect(lines.at(-1)).toBe(
      "  exit MmioWrite                2000  mean 5.00 us (serving 1.00 us, slice switches 1.50 us)",
    );
  });
});
