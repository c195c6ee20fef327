import { describe, expect, it } from "vitest";
import { type ArmBootMemory, deviceTreeFits, loadArmBootImages } from "./boot.js";

const RAM = 0x4000_0000;
const MiB = 1 << 20;

function memory(ramSize = 512 * MiB) {
  const writes: { addr: number; len: number }[] = [];
  let flash: Uint8Array | undefined;
  const mem: ArmBootMemory = {
    ramBase: RAM,
    ramSize,
    writeRam: (addr, b) => writes.push({ addr, len: b.length }),
    loadFlash: (b) => {
      flash = b;
    },
  };
  return { mem, writes, flash: () => flash };
}

/** An arm64 Image header: text_offset, image_size, "ARM\x64" at 56. */
function arm64Image(textOffset: number, imageSize: number, length = 4096): Uint8Array {
  const b = new Uint8Array(length);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(8, BigInt(textOffset), true);
  dv.setBigUint64(16, BigInt(imageSize), true);
  b.set([0x41, 0x52, 0x4d, 0x64], 56);
  return b;
}

/** A minimal ELF64 for EM_AARCH64 with one PT_LOAD segment. */
function elf(paddr: number, size: number): Uint8Array {
  const b = new Uint8Array(0x100 + size);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 183, true); // EM_AARCH64
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(paddr), true); // e_entry
  dv.setBigUint64(32, 64n, true); // e_phoff
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, 1, true);
  dv.setUint16(58, 64, true);
  const ph = 64;
  dv.setUint32(ph, 1, true); // PT_LOAD
  dv.setUint32(ph + 4, 5, true);
  dv.setBigUint64(ph + 8, 0x100n, true);
  dv.setBigUint64(ph + 16, BigInt(paddr), true);
  dv.setBigUint64(ph + 24, BigInt(paddr), true);
  dv.setBigUint64(ph + 32, BigInt(size), true);
  dv.setBigUint64(ph + 40, BigInt(size), true);
  return b;
}

describe("loadArmBootImages", () => {
  it("places Debian's Image (text_offset 0) 2 MiB up, the initrd at 128 MiB and the tree after it, as QEMU", () => {
    const { mem, writes } = memory();
    const layout = loadArmBootImages(
      {
        kernel: { name: "Image", data: arm64Image(0, 0x201_0000) },
        initrd: { name: "initrd", data: new Uint8Array(988_308) },
      },
      mem,
    );
    expect(layout.mode).toBe("linux");
    expect(layout.entry).toBe(0x4020_0000);
    expect(layout.initrd).toEqual({ start: 0x4800_0000, end: 0x480f_1494 });
    expect(layout.fdtAddr).toBe(0x4820_0000);
    expect(writes.map((w) => w.addr)).toEqual([0x4020_0000, 0x4800_0000]);
  });

  it("honours a text_offset above the boot stub, and loads Images without image_size at 0x80000", () => {
    const a = loadArmBootImages(
      { kernel: { name: "k", data: arm64Image(0x8_0000, 0x10_0000) } },
      memory().mem,
    );
    expect(a.entry).toBe(RAM + 0x8_0000);
    const b = loadArmBootImages(
      { kernel: { name: "k", data: arm64Image(0x20_0000, 0) } },
      memory().mem,
    );
    expect(b.entry).toBe(RAM + 0x8_0000);
  });

  it("puts the initrd at half of a small RAM, above the kernel if it reaches further", () => {
    const layout = loadArmBootImages(
      {
        kernel: { name: "k", data: arm64Image(0, 40 * MiB) },
        initrd: { name: "i", data: new Uint8Array(100) },
      },
      memory(64 * MiB).mem,
    );
    expect(layout.initrd!.start).toBe(RAM + 2 * MiB + 40 * MiB);
  });

  it("loads a raw binary at 0x80000 and enters it as Linux", () => {
    const layout = loadArmBootImages(
      { kernel: { name: "raw", data: new Uint8Array(64) } },
      memory().mem,
    );
    expect(layout).toMatchObject({ mode: "linux", entry: RAM + 0x8_0000 });
  });

  it("loads an ELF at its addresses and offers it the RAM base for the tree only when it fits below", () => {
    const high = loadArmBootImages(
      { kernel: { name: "e", data: elf(0x4020_0000, 0x100) } },
      memory().mem,
    );
    expect(high).toMatchObject({
      mode: "elf",
      entry: 0x4020_0000,
      fdtAddr: RAM,
      fdtLimit: 0x4020_0000,
    });
    expect(deviceTreeFits(high, 1 * MiB)).toBe(true);
    const low = loadArmBootImages(
      { kernel: { name: "e", data: elf(0x4008_0000, 0x100) } },
      memory().mem,
    );
    // QEMU's 1 MiB blob does not fit below 0x4008_0000: no tree at all.
    expect(deviceTreeFits(low, 1 * MiB)).toBe(false);
    const atBase = loadArmBootImages(
      { kernel: { name: "e", data: elf(RAM, 0x100) } },
      memory(128 * MiB).mem,
    );
    expect(atBase.fdtAddr).toBe(RAM + 64 * MiB);
  });

  it("puts firmware in flash with the tree at the RAM base, and refuses a kernel beside it", () => {
    const { mem, flash } = memory();
    const fw = new Uint8Array([1, 2, 3, 4]);
    const layout = loadArmBootImages({ firmware: { name: "u-boot.bin", data: fw } }, mem);
    expect(layout).toMatchObject({ mode: "firmware", entry: 0, fdtAddr: RAM });
    expect(flash()).toBe(fw);
    expect(() =>
      loadArmBootImages(
        { firmware: { name: "fw", data: fw }, kernel: { name: "k", data: arm64Image(0, 4096) } },
        memory().mem,
      ),
    ).toThrow(/fw_cfg/);
  });

  it("refuses images that do not fit in RAM", () => {
    expect(() =>
      loadArmBootImages(
        { kernel: { name: "k", data: arm64Image(0, 64 * MiB) } },
        memory(32 * MiB).mem,
      ),
    ).toThrow(/outside RAM/);
    expect(() =>
      loadArmBootImages({ kernel: { name: "e", data: elf(0x1000, 16) } }, memory().mem),
    ).toThrow(/outside RAM/);
  });
});
