import type { VmDevicesConfig } from "@axvisor/axvmconfig";
import { describe, expect, it } from "vitest";
import { planPassthrough } from "./passthrough-plan.js";

function devices(
  pt: [string, number, number, number][],
  addrs: [number, number][] = [],
): VmDevicesConfig {
  return {
    emuDevices: [],
    passthroughDevices: pt.map(([name, baseGpa, baseHpa, length]) => ({
      name,
      baseGpa,
      baseHpa,
      length,
      irqId: 0,
    })),
    passthroughAddresses: addrs.map(([baseGpa, length]) => ({ baseGpa, length })),
    excludedDevices: [],
    interruptMode: "no_irq",
  };
}

describe("planPassthrough", () => {
  it("rounds windows out to whole pages and keeps the host address of each", () => {
    const plan = planPassthrough(devices([["uart", 0x1000_0100, 0x3000_0100, 0x10]]));
    expect(plan.windows).toEqual([
      { gpa: 0x1000_0000, hpa: 0x3000_0000, size: 0x1000, names: ['passthrough device "uart"'] },
    ]);
  });

  it("merges overlapping or touching windows with the same offset, sorted by address", () => {
    const plan = planPassthrough(
      devices(
        [
          ["virtio", 0x1000_1000, 0x1000_1000, 0x8000],
          ["uart", 0x1000_0000, 0x1000_0000, 0x100],
        ],
        [
          [0x1000_4000, 0x1000],
          [0x0c00_0000, 0x60_0000],
        ],
      ),
    );
    expect(plan.windows.map((w) => [w.gpa, w.hpa, w.size, w.names.length])).toEqual([
      [0x0c00_0000, 0x0c00_0000, 0x60_0000, 1],
      [0x1000_0000, 0x1000_0000, 0x9000, 3],
    ]);
  });

  it("keeps touching windows with different offsets apart", () => {
    const plan = planPassthrough(
      devices([
        ["a", 0x1000, 0x1000, 0x1000],
        ["b", 0x2000, 0x9000, 0x1000],
      ]),
    );
    expect(plan.windows.map((w) => [w.gpa, w.hpa])).toEqual([
      [0x1000, 0x1000],
      [0x2000, 0x9000],
    ]);
  });

  it("refuses overlapping windows that map to different host addresses, naming both", () => {
    expect(() =>
      planPassthrough(
        devices([
          ["a", 0x1000, 0x1000, 0x2000],
          ["b", 0x2000, 0x8000, 0x1000],
        ]),
      ),
    ).toThrow(
      'passthrough device "b" [0x2000, 0x3000) overlaps passthrough device "a" [0x1000, 0x3000) but maps to different host addresses',
    );
  });

  it("refuses a guest and host address at different offsets within a page", () => {
    expect(() => planPassthrough(devices([["odd", 0x1000_0100, 0x3000_0000, 0x10]]))).toThrow(
      /passthrough device "odd": GPA 0x1000_0100 and HPA 0x3000_0000 differ in their offset/,
    );
  });

  it("leaves name-only rows (device-tree paths) to the VMM", () => {
    const plan = planPassthrough(devices([["/soc/uart@10000000", 0, 0, 0]]));
    expect(plan.windows).toEqual([]);
    expect(plan.byNodePath).toEqual(["/soc/uart@10000000"]);
  });
});
