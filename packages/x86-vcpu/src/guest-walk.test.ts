import { err, ok } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import { type GuestPhysMemory, readGuestLinear, translateGuestLinear } from "./guest-walk.js";

function memory(size = 1 << 22): GuestPhysMemory & { dv: DataView; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  return {
    bytes,
    dv: new DataView(bytes.buffer),
    read: (gpa, len) =>
      gpa + len <= size ? ok(bytes.slice(gpa, gpa + len)) : err("BadAddress", "outside RAM"),
    write: (gpa, data) => {
      bytes.set(data, gpa);
      return ok(undefined);
    },
  };
}

const PG = 1 << 31;
const LMA = 1 << 10;

describe("guest page walks", () => {
  it("walks 4-level tables with 4 KiB and 2 MiB pages", () => {
    const m = memory();
    const e = (at: number, v: number) => m.dv.setUint32(at, v, true);
    // PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000; PD[0] -> PT 0x4000, PD[1] 2 MiB page at 0x200000.
    e(0x1000 + 8 * 0x1ff, 0x2003); // lin 0xFFFF_FF80_0000_0000 region (index 511)
    e(0x1000, 0x2003);
    e(0x2000, 0x3003);
    e(0x3000, 0x4003);
    e(0x3008, 0x20_0083);
    e(0x4000 + 5 * 8, 0x9000 | 3);
    const p = { cr0: PG | 1, cr3: 0x1000, cr4: 0x20, efer: LMA | 0x100 };
    expect(translateGuestLinear(m, p, 0x5123)).toBe(0x9123);
    expect(translateGuestLinear(m, p, 0x20_0000 + 0x1234)).toBe(0x20_1234);
    expect(translateGuestLinear(m, p, 0x6000)).toBeNull(); // PT entry 6 not present
    // 0xFFFF_FF80_0000_5123 (PML4 index 511), as the VMCS reads it: a negative number.
    expect(translateGuestLinear(m, p, -(2 ** 39) + 0x5123)).toBe(0x9123);
  });

  it("walks 32-bit tables with 4 MiB pages, and reads across a page boundary", () => {
    const m = memory();
    const e = (at: number, v: number) => m.dv.setUint32(at, v, true);
    e(0x1000, 0x2003); // PDE 0 -> PT at 0x2000
    e(0x1004, 0x0040_0083); // PDE 1: 4 MiB page at 0x400000? (beyond this RAM: unreadable)
    e(0x2000 + 4 * 0x10, 0x8003);
    e(0x2000 + 4 * 0x11, 0x3003);
    const p = { cr0: PG | 1, cr3: 0x1000, cr4: 0x10, efer: 0 };
    expect(translateGuestLinear(m, p, 0x10_abc)).toBe(0x8abc);
    expect(translateGuestLinear(m, p, 0x40_1000)).toBe(0x40_1000);
    m.bytes.set([1, 2], 0x8ffe);
    m.bytes.set([3, 4], 0x3000);
    expect([...(readGuestLinear(m, p, 0x10ffe, 4) ?? [])]).toEqual([1, 2, 3, 4]);
    expect(readGuestLinear(m, p, 0x40_0000, 4)).toBeNull();
  });

  it("is the identity without paging", () => {
    const m = memory();
    expect(translateGuestLinear(m, { cr0: 0x11, cr3: 0, cr4: 0, efer: 0 }, 0x8000)).toBe(0x8000);
  });
});
