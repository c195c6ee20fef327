import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildE820, E820_RAM, E820_RESERVED, e820FwCfgBytes } from "./e820.js";
import { CMDLINE_ADDR, KERNEL_ADDR, loadLinux, parseSetupHeader, ZERO_PAGE } from "./linux-boot.js";
import { loadMultiboot, MULTIBOOT_INFO_ADDR, MULTIBOOT_MMAP_ADDR } from "./multiboot.js";

const ram = () => {
  const mem = new Uint8Array(64 << 20);
  return { mem, writeRam: (a: number, b: Uint8Array) => mem.set(b, a) };
};
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

/** A minimal bzImage: 4 setup sectors, the setup header, and a 1 KiB protected-mode kernel. */
function fakeBzImage(protocol = 0x20f): Uint8Array {
  const img = new Uint8Array(5 * 512 + 1024);
  const v = new DataView(img.buffer);
  img[0x1f1] = 4;
  v.setUint16(0x1fe, 0xaa55, true);
  img[0x200] = 0xeb;
  img[0x201] = 0x6a; // header ends at 0x26c
  v.setUint32(0x202, 0x5372_6448, true);
  v.setUint16(0x206, protocol, true);
  img[0x211] = 1; // LOADED_HIGH
  v.setUint32(0x214, 0x10_0000, true);
  v.setUint32(0x22c, 0x7fff_ffff, true);
  v.setUint32(0x238, 2048, true);
  v.setUint32(0x260, 0x20_0000, true);
  img.fill(0xcc, 5 * 512);
  return img;
}

describe("e820", () => {
  it("describes q35's memory: conventional, EBDA, BIOS area, RAM from 1 MiB, MMCONFIG, RCBA, ROM", () => {
    const map = buildE820(128 << 20);
    expect(map).toEqual([
      { addr: 0, size: 0x9fc00, type: E820_RAM },
      { addr: 0x9fc00, size: 0x400, type: E820_RESERVED },
      { addr: 0xe0000, size: 0x20000, type: E820_RESERVED },
      { addr: 0x100000, size: (128 << 20) - 0x100000, type: E820_RAM },
      { addr: 0xb000_0000, size: 0x1000_0000, type: E820_RESERVED },
      { addr: 0xfed1_c000, size: 0x4000, type: E820_RESERVED },
      { addr: 0xfffc_0000, size: 0x4_0000, type: E820_RESERVED },
    ]);
    const bytes = e820FwCfgBytes(map);
    expect(bytes.length).toBe(20 * map.length);
    expect(u32(bytes, 60 + 8)).toBe((128 << 20) - 0x100000);
  });
});

describe("Linux boot protocol", () => {
  it("loads the kernel at 1 MiB and fills boot_params: header, loader, cmdline, initrd, e820, RSDP", () => {
    const { mem, writeRam } = ram();
    const e820 = buildE820(64 << 20);
    const initrd = new Uint8Array(10_000).fill(7);
    const r = loadLinux({
      kernel: fakeBzImage(),
      initrd,
      cmdline: "console=ttyS0",
      below4g: 64 << 20,
      e820,
      rsdp: 0xe0000,
      writeRam,
    });
    expect(r.entry).toMatchObject({
      kind: "protected32",
      eip: KERNEL_ADDR,
      regs: { esi: ZERO_PAGE },
    });
    expect(mem[KERNEL_ADDR]).toBe(0xcc);
    const zp = mem.subarray(ZERO_PAGE, ZERO_PAGE + 4096);
    expect(u32(zp, 0x202)).toBe(0x5372_6448);
    expect(zp[0x210]).toBe(0xb0);
    expect(u32(zp, 0x228)).toBe(CMDLINE_ADDR);
    expect(new TextDecoder().decode(mem.subarray(CMDLINE_ADDR, CMDLINE_ADDR + 14))).toBe(
      "console=ttyS0\0",
    );
    const start = u32(zp, 0x218);
    expect(start % 4096).toBe(0);
    expect(start + 10_000).toBeLessThanOrEqual(64 << 20);
    expect(u32(zp, 0x21c)).toBe(10_000);
    expect(mem[start]).toBe(7);
    expect(zp[0x1e8]).toBe(e820.length);
    expect(u32(zp, 0x2d0 + 20 * 3)).toBe(0x100000);
    expect(u32(zp, 0x70)).toBe(0xe0000);
  });

  it("refuses protocols before 2.06 and files that are not bzImages", () => {
    const { writeRam } = ram();
    const base = { cmdline: "", below4g: 64 << 20, e820: [], rsdp: 0, writeRam };
    expect(() => loadLinux({ ...base, kernel: fakeBzImage(0x204) })).toThrow(/older than 2.06/);
    expect(() => loadLinux({ ...base, kernel: new Uint8Array(4096) })).toThrow(
      /not a Linux bzImage/,
    );
  });

  it("parses the Debian kernel's header when the guest images are present", () => {
    const path = `${process.env.AXVISOR_GUESTS ?? join(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/guests")}/x86_64/linux-bzImage`;
    let image: Uint8Array;
    try {
      image = new Uint8Array(readFileSync(path));
    } catch {
      console.log(`skipping the bzImage header check: no ${path}`);
      return;
    }
    const h = parseSetupHeader(image)!;
    expect(h.protocol).toBeGreaterThanOrEqual(0x20f);
    expect(h.relocatable).toBe(true);
    expect(h.xloadflags & 1).toBe(1); // XLF_KERNEL_64
  });
});

describe("multiboot", () => {
  it("loads an a.out-kludge kernel and builds the info structure where QEMU's ROM leaves it", () => {
    const { mem, writeRam } = ram();
    const image = new Uint8Array(0x40);
    const v = new DataView(image.buffer);
    const flags = 0x1_0003;
    [
      0x1bad_b002,
      flags,
      -(0x1bad_b002 + flags) >>> 0,
      0x20_0000,
      0x20_0000,
      0x20_0040,
      0x20_1000,
      0x20_0020,
    ].forEach((x, i) => {
      v.setUint32(4 * i, x >>> 0, true);
    });
    image.fill(0x90, 0x20);
    const e820 = buildE820(64 << 20);
    const r = loadMultiboot({
      kernel: image,
      cmdline: "kernel.bin arg=1",
      modules: [{ data: Uint8Array.of(1, 2, 3), cmdline: "mod.bin x" }],
      e820,
      writeRam,
    });
    expect(r.entry).toMatchObject({
      eip: 0x20_0020,
      regs: { eax: 0x2bad_b002, ebx: MULTIBOOT_INFO_ADDR },
    });
    expect(r.kernel).toEqual({ start: 0x20_0000, end: 0x20_1000 });
    expect(mem[0x20_0020]).toBe(0x90);
    const mbi = mem.subarray(MULTIBOOT_INFO_ADDR, MULTIBOOT_INFO_ADDR + 0x58);
    expect(u32(mbi, 0)).toBe(0x24f);
    expect(u32(mbi, 4)).toBe(639);
    expect(u32(mbi, 8)).toBe(((64 << 20) - 0x100000) / 1024);
    expect(u32(mbi, 12)).toBe(0x8000_ffff);
    const str = (a: number) => new TextDecoder().decode(mem.subarray(a, mem.indexOf(0, a)));
    expect(str(u32(mbi, 16))).toBe("kernel.bin arg=1");
    expect(str(u32(mbi, 64))).toBe("qemu");
    expect(u32(mbi, 20)).toBe(1);
    const mod = u32(mbi, 24);
    expect(u32(mem, mod)).toBe(0x20_1000);
    expect(u32(mem, mod + 4)).toBe(0x20_1003);
    expect([...mem.subarray(0x20_1000, 0x20_1003)]).toEqual([1, 2, 3]);
    expect(str(u32(mem, mod + 8))).toBe("mod.bin x");
    expect(u32(mbi, 44)).toBe(24 * e820.length);
    expect(u32(mbi, 48)).toBe(MULTIBOOT_MMAP_ADDR);
    expect(u32(mem, MULTIBOOT_MMAP_ADDR)).toBe(20);
    expect(u32(mem, MULTIBOOT_MMAP_ADDR + 24 + 4)).toBe(0x9fc00);
  });

  it("loads an ELF32 kernel's segments (the board test program)", () => {
    const { mem, writeRam } = ram();
    const elf = new Uint8Array(
      readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../test/programs/bin/board.elf")),
    );
    const r = loadMultiboot({
      kernel: elf,
      cmdline: "",
      modules: [],
      e820: buildE820(64 << 20),
      writeRam,
    });
    expect(r.kernel.start).toBe(0x100000);
    expect(u32(mem, 0x100000)).toBe(0x1bad_b002);
    expect(r.entry.eip).toBe(u32(elf, 24));
  });

  it("rejects images without a valid header", () => {
    const { writeRam } = ram();
    expect(() =>
      loadMultiboot({ kernel: new Uint8Array(64), cmdline: "", modules: [], e820: [], writeRam }),
    ).toThrow(/no multiboot header/);
  });
});
