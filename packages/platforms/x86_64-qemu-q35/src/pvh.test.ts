import { describe, expect, it } from "vitest";
import { buildE820 } from "./e820.js";
import { findPvhEntry, loadPvh, PVH_START_INFO, PVH_START_MAGIC } from "./pvh.js";

/** An ELF64 with one PT_LOAD (16 bytes at 0x200000) and a PT_NOTE holding Xen's PHYS32_ENTRY. */
function pvhElf(entry: number): Uint8Array {
  const img = new Uint8Array(0x200);
  const v = new DataView(img.buffer);
  img.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 2, true);
  v.setUint16(18, 62, true);
  v.setBigUint64(32, 64n, true); // phoff
  v.setUint16(54, 56, true);
  v.setUint16(56, 2, true);
  // PT_LOAD: file 0x100.., paddr 0x200000, 16 bytes in file, 32 in memory
  v.setUint32(64, 1, true);
  v.setBigUint64(64 + 8, 0x100n, true);
  v.setBigUint64(64 + 24, 0x20_0000n, true);
  v.setBigUint64(64 + 32, 16n, true);
  v.setBigUint64(64 + 40, 32n, true);
  img.fill(0xab, 0x100, 0x110);
  // PT_NOTE at 0x180: a foreign note first, then Xen type 18
  v.setUint32(120, 4, true);
  v.setBigUint64(120 + 8, 0x180n, true);
  v.setBigUint64(120 + 32, 40n, true);
  v.setUint32(0x180, 4, true);
  v.setUint32(0x184, 4, true);
  v.setUint32(0x188, 1, true);
  img.set([0x47, 0x4e, 0x55, 0], 0x18c);
  v.setUint32(0x194, 4, true);
  v.setUint32(0x198, 4, true);
  v.setUint32(0x19c, 18, true);
  img.set([0x58, 0x65, 0x6e, 0], 0x1a0);
  v.setUint32(0x1a4, entry, true);
  return img;
}

describe("PVH boot", () => {
  it("finds the PHYS32_ENTRY note", () => {
    expect(findPvhEntry(pvhElf(0x20_0008))).toBe(0x20_0008);
    expect(findPvhEntry(new Uint8Array(64))).toBeNull();
  });

  it("loads the segments and hands over hvm_start_info in EBX", () => {
    const mem = new Uint8Array(32 << 20);
    const e820 = buildE820(32 << 20);
    const r = loadPvh({
      kernel: pvhElf(0x20_0008),
      initrd: Uint8Array.of(9, 9, 9),
      cmdline: "console=ttyS0",
      e820,
      rsdp: 0xe0000,
      below4g: 32 << 20,
      writeRam: (a, b) => mem.set(b, a),
    });
    expect(r.entry).toMatchObject({ eip: 0x20_0008, regs: { ebx: PVH_START_INFO } });
    expect(mem[0x20_0000]).toBe(0xab);
    expect(mem[0x20_0010]).toBe(0);
    const v = new DataView(mem.buffer, PVH_START_INFO);
    expect(v.getUint32(0, true)).toBe(PVH_START_MAGIC);
    expect(v.getUint32(4, true)).toBe(1);
    expect(v.getUint32(12, true)).toBe(1);
    const mod = Number(v.getBigUint64(16, true));
    const start = Number(new DataView(mem.buffer).getBigUint64(mod, true));
    expect([...mem.subarray(start, start + 3)]).toEqual([9, 9, 9]);
    const cmd = Number(v.getBigUint64(24, true));
    expect(new TextDecoder().decode(mem.subarray(cmd, cmd + 13))).toBe("console=ttyS0");
    expect(Number(v.getBigUint64(32, true))).toBe(0xe0000);
    expect(v.getUint32(48, true)).toBe(e820.length);
    const map = Number(v.getBigUint64(40, true));
    expect(Number(new DataView(mem.buffer).getBigUint64(map + 24 * 3, true))).toBe(0x10_0000);
  });
});
