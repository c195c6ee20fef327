import { err, ok } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import type { GuestPhysMemory } from "./guest-memory.js";
import { readGuestVirtual, translateGuestVirtual } from "./guest-walk.js";

/** 64 KiB of guest RAM at GPA 0x8000_0000. */
function ram(): GuestPhysMemory & { bytes: Uint8Array; pte(at: number, value: bigint): void } {
  const base = 0x8000_0000;
  const bytes = new Uint8Array(0x10000);
  const view = new DataView(bytes.buffer);
  return {
    bytes,
    pte(at, value) {
      view.setBigUint64(at - base, value, true);
    },
    read(gpa, len) {
      if (gpa < base || gpa + len > base + bytes.length) return err("BadAddress");
      return ok(bytes.slice(gpa - base, gpa - base + len));
    },
    write() {
      return err("Unsupported");
    },
  };
}

// Sv39, root table at 0x8000_1000 (PPN 0x80001): vsatp = 8 << 60 | 0x80001.
const VSATP = (8n << 60n) | 0x80001n;

describe("VS-stage walk", () => {
  it("passes addresses through in Bare mode", () => {
    expect(translateGuestVirtual(ram(), 0n, 0x8020_0000)).toBe(0x8020_0000);
  });

  it("walks three levels to a 4 KiB page", () => {
    const m = ram();
    // GVA 0xffff_ffc0_0000_1234: VPN2 = 0x100, VPN1 = 0, VPN0 = 1.
    // root[0x100] -> table at 0x8000_2000; [0] -> table at 0x8000_3000; [1] -> leaf PA 0x8000_5000 (R|W|V, A|D).
    m.pte(0x8000_1000 + 0x100 * 8, (0x80002n << 10n) | 1n);
    m.pte(0x8000_2000, (0x80003n << 10n) | 1n);
    m.pte(0x8000_3000 + 8, (0x80005n << 10n) | 0xc7n);
    expect(translateGuestVirtual(m, VSATP, -0x40_0000_0000 + 0x1234)).toBe(0x8000_5234);
  });

  it("maps a 2 MiB superpage and rejects a misaligned one", () => {
    const m = ram();
    // GVA 0x4020_0010: VPN2 = 1, VPN1 = 1. Leaf at level 1 with PPN 0x80200 (2 MiB aligned).
    m.pte(0x8000_1000 + 8, (0x80002n << 10n) | 1n);
    m.pte(0x8000_2000 + 8, (0x80200n << 10n) | 0xc3n);
    expect(translateGuestVirtual(m, VSATP, 0x4020_0010)).toBe(0x8020_0010);
    m.pte(0x8000_2000 + 8, (0x80201n << 10n) | 0xc3n);
    expect(translateGuestVirtual(m, VSATP, 0x4020_0010)).toBeNull();
  });

  it("refuses non-canonical addresses, invalid entries and user pages without SUM", () => {
    const m = ram();
    expect(translateGuestVirtual(m, VSATP, 0x40_0000_0000)).toBeNull();
    m.pte(0x8000_1000, (0x80002n << 10n) | 0x0n);
    expect(translateGuestVirtual(m, VSATP, 0x1000)).toBeNull();
    m.pte(0x8000_1000, (0x80002n << 10n) | 1n);
    m.pte(0x8000_2000, (0x80003n << 10n) | 1n);
    m.pte(0x8000_3000 + 8, (0x80005n << 10n) | 0xd3n); // U|R|V
    const supervisorNoSum = { user: false, execute: false, sum: false, mxr: false };
    expect(translateGuestVirtual(m, VSATP, 0x1000, supervisorNoSum)).toBeNull();
    expect(translateGuestVirtual(m, VSATP, 0x1000)).toBe(0x8000_5000);
  });

  it("reads across a page boundary", () => {
    const m = ram();
    m.pte(0x8000_1000, (0x80002n << 10n) | 1n);
    m.pte(0x8000_2000, (0x80003n << 10n) | 1n);
    m.pte(0x8000_3000 + 8, (0x80005n << 10n) | 0xc3n);
    m.pte(0x8000_3000 + 16, (0x80007n << 10n) | 0xc3n); // not contiguous in GPA
    m.bytes.set([1, 2], 0x5ffe);
    m.bytes.set([3, 4], 0x7000);
    expect(readGuestVirtual(m, VSATP, 0x1ffe, 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(readGuestVirtual(m, VSATP, 0x2ffe, 4)).toBeNull();
  });
});
