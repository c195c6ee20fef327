import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fdtLoadAddress, loadBootImages } from "./boot.js";

function linuxImage(imageSize: number, fileSize = 4096): Uint8Array {
  // Documentation/riscv/boot-image-header.rst: text_offset @8, image_size @16, version @32,
  // magic "RISCV\0\0\0" @48, magic2 "RSC\x05" @56
  const b = new Uint8Array(fileSize);
  const v = new DataView(b.buffer);
  v.setBigUint64(8, 0x20_0000n, true);
  v.setBigUint64(16, BigInt(imageSize), true);
  v.setUint32(32, 2, true);
  b.set(new TextEncoder().encode("RISCV\0\0\0RSC\x05"), 48);
  return b;
}

function memory(ramSize: number) {
  const ram = new Uint8Array(ramSize);
  const base = 0x8000_0000;
  return {
    ram,
    mem: {
      ramBase: base,
      ramSize,
      writeRam: (a: number, bytes: Uint8Array) => ram.set(bytes, a - base),
    },
  };
}

describe("QEMU virt image placement", () => {
  it("puts OpenSBI at 0x80000000, the kernel at 0x80200000, the initrd at +128 MiB", () => {
    // The QEMU reference run (256 MiB): OpenSBI "Next Address 0x80200000", /chosen
    // linux,initrd-start = 0x88200000, "Next Arg1 0x8fe00000".
    const { ram, mem } = memory(256 << 20);
    const layout = loadBootImages(
      {
        firmware: { name: "fw", data: new Uint8Array(0x4_8000).fill(0x11) },
        kernel: { name: "Image", data: linuxImage(0x42_4000) },
        initrd: { name: "initrd", data: new Uint8Array(0xe_8e69).fill(0x22) },
      },
      mem,
    );
    expect(layout.startAddr).toBe(0x8000_0000);
    expect(layout.kernel?.entry).toBe(0x8020_0000);
    expect(layout.kernel?.kind).toBe("linux-riscv64");
    expect(layout.initrd).toEqual({ start: 0x8820_0000, end: 0x882e_8e69 });
    expect(ram[0x20_0000 + 56]).toBe(0x52); // 'R' of magic2 at 0x80200038
    expect(ram[0x820_0000]).toBe(0x22);
    expect(fdtLoadAddress(0x8000_0000, 256 << 20, 0x1200)).toBe(0x8fe0_0000);
  });

  it("puts the initrd at half of a small RAM", () => {
    const { mem } = memory(64 << 20);
    const layout = loadBootImages(
      {
        firmware: { name: "fw", data: new Uint8Array(0x1000) },
        kernel: { name: "k", data: new Uint8Array(0x1000) },
        initrd: { name: "i", data: new Uint8Array(0x1000) },
      },
      mem,
    );
    expect(layout.initrd?.start).toBe(0x8020_0000 + (32 << 20));
  });

  it("enters the kernel directly with -bios none", () => {
    const { mem } = memory(16 << 20);
    const layout = loadBootImages({ kernel: { name: "k", data: new Uint8Array(16) } }, mem);
    expect(layout.startAddr).toBe(0x8000_0000);
    expect(layout.firmware).toBeUndefined();
  });

  it("refuses what cannot boot, naming the file", () => {
    const { mem } = memory(16 << 20);
    expect(() => loadBootImages({}, mem)).toThrow(/nothing to run/);
    expect(() =>
      loadBootImages({ kernel: { name: "big.bin", data: new Uint8Array(17 << 20) } }, mem),
    ).toThrow(/big\.bin.*outside RAM/);
    const gz = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0);
    expect(() => loadBootImages({ kernel: { name: "Image.gz", data: gz } }, mem)).toThrow(
      /Image\.gz/,
    );
    expect(() =>
      loadBootImages(
        { firmware: { name: "f", data: new Uint8Array(8) }, initrd: { name: "i", data: gz } },
        mem,
      ),
    ).toThrow(/needs a kernel/);
  });

  const bench = `${process.env.AXVISOR_GUESTS ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/guests")}/riscv64/bench/bench.elf`;
  it.skipIf(!existsSync(bench))("drops ELF header bytes that sit below RAM, as QEMU does", () => {
    // bench.elf's only PT_LOAD starts at 0x7ffff000 (ELF headers) and runs into RAM
    const { ram, mem } = memory(16 << 20);
    const data = readFileSync(bench);
    const layout = loadBootImages({ kernel: { name: "bench.elf", data } }, mem);
    expect(layout.kernel?.entry).toBe(0x8000_0000);
    expect(layout.kernel?.low).toBe(0x8000_0000);
    expect([...ram.subarray(0, 0x80)]).toEqual([...data.subarray(0x1000, 0x1080)]);
  });
});
