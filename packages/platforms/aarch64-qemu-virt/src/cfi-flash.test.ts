import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { CfiFlash } from "./cfi-flash.js";

const MiB = 1 << 20;

function bank() {
  const f = new CfiFlash({ base: 0, size: 64 * MiB });
  f.load(new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55]));
  const rd = (off: number, w: AccessWidth = AccessWidth.Dword) =>
    Number(f.handleRead(off as GuestPhysAddr, w));
  const wr = (off: number, v: number) =>
    f.handleWrite(off as GuestPhysAddr, AccessWidth.Dword, BigInt(v));
  return { f, rd, wr };
}

describe("CfiFlash", () => {
  it("reads the loaded image in array mode, zeros beyond it", () => {
    const { rd } = bank();
    expect(rd(0)).toBe(0x44332211);
    expect(rd(4, AccessWidth.Byte)).toBe(0x55);
    expect(rd(0x100_0000)).toBe(0);
  });

  it("answers a CFI query as two interleaved x16 chips describing a 64 MiB bank of 256 KiB sectors", () => {
    const { rd, wr } = bank();
    wr(0x55 * 4, 0x0098_0098);
    const q = (i: number) => rd(i * 4, AccessWidth.Byte);
    expect([q(0x10), q(0x11), q(0x12)]).toEqual([0x51, 0x52, 0x59]);
    expect(rd(0x10 * 4)).toBe(0x0051_0051);
    expect(q(0x13)).toBe(1); // Intel command set
    // Per-chip size 2^25 = 32 MiB; one region of 256 blocks of 512 * 256 bytes per chip.
    expect(q(0x27)).toBe(25);
    expect(q(0x2c)).toBe(1);
    expect([q(0x2d), q(0x2e), q(0x2f), q(0x30)]).toEqual([0xff, 0x00, 0x00, 0x02]);
    expect([q(0x31), q(0x32), q(0x33)]).toEqual([0x50, 0x52, 0x49]);
    wr(0, 0x00ff_00ff);
    expect(rd(0)).toBe(0x44332211);
  });

  it("reports Intel's identifiers and a ready status", () => {
    const { rd, wr } = bank();
    wr(0, 0x90);
    expect(rd(0, AccessWidth.Byte)).toBe(0x89);
    expect(rd(4, AccessWidth.Byte)).toBe(0x18);
    wr(0, 0x70);
    expect(rd(0)).toBe(0x0080_0080);
  });

  it("keeps its contents read-only and says so in the status register", () => {
    const { rd, wr, f } = bank();
    wr(0, 0x40);
    wr(0, 0xdead_beef);
    expect(rd(0) & 0x10).toBe(0x10); // program error
    wr(0, 0x50);
    wr(0, 0x20);
    wr(0, 0xd0);
    expect(rd(0) & 0x20).toBe(0x20); // erase error
    wr(0, 0xe8);
    wr(0, 1); // two words
    wr(0, 0);
    wr(4, 0);
    wr(0, 0xd0);
    expect(rd(0) & 0x90).toBe(0x90);
    f.reset();
    expect(rd(0)).toBe(0x44332211);
  });
});
