import { err, ok } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import type { GuestPhysMemory } from "./guest-memory.js";
import { readGuestVirtual, translateGuestVirtual } from "./guest-walk.js";

const BASE = 0x4000_0000;

function memory(): { mem: GuestPhysMemory; put: (gpa: number, lo: number, hi?: number) => void } {
  const bytes = new Uint8Array(0x10_0000);
  const dv = new DataView(bytes.buffer);
  return {
    mem: {
      read: (g, len) =>
        g >= BASE && g + len <= BASE + bytes.length
          ? ok(bytes.slice(g - BASE, g - BASE + len))
          : err("BadAddress"),
      write: () => err("Unsupported"),
    },
    put: (g, lo, hi = 0) => {
      dv.setUint32(g - BASE, lo >>> 0, true);
      dv.setUint32(g - BASE + 4, hi >>> 0, true);
    },
  };
}

// 39-bit VAs both halves (T0SZ = T1SZ = 25), TG0 = 4 KiB, TG1 = 4 KiB (encoding 2).
const TCR = 25n | (25n << 16n) | (2n << 30n);

describe("the guest's stage-1 walk", () => {
  it("is the identity with the MMU off", () => {
    const { mem } = memory();
    const regs = { sctlr: 0n, tcr: 0n, ttbr0: 0n, ttbr1: 0n };
    expect(translateGuestVirtual(mem, regs, 0x4000_1234n)).toBe(0x4000_1234);
  });

  it("walks tables, pages and blocks of both halves, and faults where the guest would", () => {
    const { mem, put } = memory();
    put(BASE + 1 * 8, BASE + 0x1000 + 3); // L1[1] -> L2 table
    put(BASE + 0x1000, BASE + 0x2000 + 3); // L2[0] -> L3 table
    put(BASE + 0x2000 + 5 * 8, BASE + 0x3000 + 0x403); // L3[5] -> page, AF
    put(BASE + 0, 0x8000_0000 + 0x401); // L1[0] -> 1 GiB block
    put(BASE + 0x4000 + 2 * 8, 0xc000_0000 + 0x401); // TTBR1 L1[2] -> block
    const regs = { sctlr: 1n, tcr: TCR, ttbr0: BigInt(BASE), ttbr1: BigInt(BASE + 0x4000) };
    expect(translateGuestVirtual(mem, regs, 0x4000_5123n)).toBe(BASE + 0x3123);
    expect(translateGuestVirtual(mem, regs, 0x1234_5678n)).toBe(0x9234_5678);
    expect(translateGuestVirtual(mem, regs, 0xffff_ff80_8000_0010n)).toBe(0xc000_0010);
    expect(translateGuestVirtual(mem, regs, 0x4000_6000n)).toBeNull(); // invalid L3 entry
    expect(translateGuestVirtual(mem, regs, 0x80_0000_0000n)).toBeNull(); // beyond T0SZ
    expect(translateGuestVirtual(mem, regs, 0x8000_0000n)).toBeNull(); // L1[2] of TTBR0: invalid
    const table = { ...regs, ttbr0: 0x1_0000_0000n }; // a table outside guest memory
    expect(translateGuestVirtual(mem, table, 0x4000_5123n)).toBeNull();
    put(BASE + 0x3000 + 0x123, 0xb9400043);
    expect([...(readGuestVirtual(mem, regs, 0x4000_5123n, 4) ?? [])]).toEqual([
      0x43, 0, 0x40, 0xb9,
    ]);
  });
});
