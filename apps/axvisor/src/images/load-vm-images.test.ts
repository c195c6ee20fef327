import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { AxError } from "@axvisor/axerrno";
import { createFat32 } from "@axvisor/fat32";
import { FileImage } from "@axvisor/fat32/node";
import { DeviceTree } from "@axvisor/fdt";
import { describe, expect, it } from "vitest";
import { loadVmImages } from "./load-vm-images.js";
import {
  buildArm64Image,
  buildElf,
  buildRiscvImage,
  pattern,
  tempDir,
  writeConfig,
} from "./test-images.fixture.js";
import { makeTestVm, readGuest } from "./test-vm.fixture.js";

const MiB = 1024 * 1024;

function thrown(fn: () => unknown): AxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AxError) return e;
    throw e;
  }
  throw new Error("expected an AxError");
}

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

describe("loadVmImages with image_location = memory", () => {
  it("puts a raw kernel, BIOS and ramdisk at their load addresses", () => {
    const dir = tempDir();
    const kernel = pattern(10_000, 1);
    const bios = pattern(3000, 2);
    const ramdisk = pattern(70_000, 3);
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8000_0000
image_location = "memory"
kernel_path = "kernel.bin"
kernel_load_addr = 0x8020_0000
bios_path = "bios.bin"
bios_load_addr = 0x8000_0000
ramdisk_path = "sub/../initrd.img"
ramdisk_load_addr = 0x8080_0000`,
      },
      { "kernel.bin": kernel, "bios.bin": bios, "initrd.img": ramdisk },
    );
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config, {});
    expect(loaded.kernel).toEqual({
      gpa: 0x8020_0000,
      size: 10_000,
      entry: 0x8000_0000,
      format: "raw",
      file: join(dir, "kernel.bin"),
      footprint: 10_000,
    });
    expect(loaded.bios).toEqual({ gpa: 0x8000_0000, size: 3000, file: join(dir, "bios.bin") });
    expect(loaded.ramdisk).toEqual({
      start: 0x8080_0000,
      end: 0x8080_0000 + 70_000,
      file: join(dir, "initrd.img"),
    });
    expect(loaded.dtb).toBeUndefined();
    expect(readGuest(vm, 0x8020_0000, 10_000)).toEqual(kernel);
    expect(readGuest(vm, 0x8000_0000, 3000)).toEqual(bios);
    expect(readGuest(vm, 0x8080_0000, 70_000)).toEqual(ramdisk);
    // The byte after each image is untouched RAM.
    expect(readGuest(vm, 0x8020_0000 + 10_000, 1)).toEqual(new Uint8Array([0]));
  });

  it("loads an ELF kernel by segments at their physical addresses, zeroes bss, enters at e_entry", () => {
    const dir = tempDir();
    const text = pattern(5000, 7);
    const data = pattern(100, 9);
    const elf = buildElf(0x8000_1234, [
      { paddr: 0x8000_0000, data: text, memsz: 5000 },
      { paddr: 0x8040_0000, data, memsz: 0x3000 },
    ]);
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8000_0000
image_location = "memory"
kernel_path = "kernel.elf"
kernel_load_addr = 0x8000_0000`,
      },
      { "kernel.elf": elf },
    );
    const vm = makeTestVm(config);
    // Stale bytes where the bss goes: the loader must clear them.
    vm.writeGuest(0x8040_0000 + 100, new Uint8Array(0x3000 - 100).fill(0xaa));
    vm.writeGuest(0x8040_3000, new Uint8Array([0xaa]));
    const loaded = loadVmImages(vm, config);
    expect(loaded.kernel).toMatchObject({
      gpa: 0x8000_0000,
      size: 5100,
      entry: 0x8000_1234,
      format: "elf",
      footprint: 0x40_3000,
    });
    expect(readGuest(vm, 0x8000_0000, 5000)).toEqual(text);
    expect(readGuest(vm, 0x8040_0000, 100)).toEqual(data);
    expect(readGuest(vm, 0x8040_0064, 0x3000 - 100).every((b) => b === 0)).toBe(true);
    // memsz ends at 0x8040_3000: the byte there is not the ELF's.
    expect(readGuest(vm, 0x8040_3000, 1)).toEqual(new Uint8Array([0xaa]));
  });

  it("refuses an ELF segment outside guest RAM, naming the file, size and RAM", () => {
    const dir = tempDir();
    const elf = buildElf(0x8000_0000, [
      { paddr: 0x8000_0000, data: pattern(64), memsz: 64 },
      { paddr: 0x9000_0000, data: pattern(32), memsz: 4096 },
    ]);
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8000_0000
kernel_path = "k.elf"
kernel_load_addr = 0x8000_0000`,
      },
      { "k.elf": elf },
    );
    const e = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e.kind).toBe("BadAddress");
    expect(e.message).toBe(
      `the kernel image ${join(dir, "k.elf")} (4096 bytes: 32 from the file + 4064 of bss) at [0x9000_0000, 0x9000_1000) is outside guest RAM (guest RAM is region 0 [0x8000_0000, 0x8100_0000) (16 MiB))`,
    );
  });

  it("refuses a kernel that runs past the end of its memory region, writing nothing", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x80f0_0000
kernel_path = "big.bin"
kernel_load_addr = 0x80f0_0000
ramdisk_path = "rd"
ramdisk_load_addr = 0x8000_0000`,
      },
      { "big.bin": pattern(2 * MiB), rd: pattern(100) },
    );
    const vm = makeTestVm(config);
    const e = thrown(() => loadVmImages(vm, config));
    expect(e.kind).toBe("OutOfRange");
    expect(e.message).toBe(
      `the kernel image ${join(dir, "big.bin")} (2097152 bytes) at [0x80f0_0000, 0x8110_0000) does not fit in memory region 0 [0x8000_0000, 0x8100_0000): it runs 1048576 bytes past its end`,
    );
    // Checked before anything was written: the ramdisk is not in memory either.
    expect(readGuest(vm, 0x8000_0000, 100).every((b) => b === 0)).toBe(true);
  });

  it("refuses images that overlap, naming both", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8000_0000
kernel_path = "k.bin"
kernel_load_addr = 0x8000_0000
ramdisk_path = "rd.img"
ramdisk_load_addr = 0x8000_1000`,
      },
      { "k.bin": pattern(0x2000), "rd.img": pattern(10) },
    );
    const e = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e.kind).toBe("AddrInUse");
    expect(e.message).toBe(
      `the ramdisk image ${join(dir, "rd.img")} (10 bytes) at [0x8000_1000, 0x8000_100a) overlaps the kernel image ${join(dir, "k.bin")} at [0x8000_0000, 0x8000_2000)`,
    );
  });

  it("counts a RISC-V Linux Image's image_size (its BSS) in the overlap check", () => {
    const dir = tempDir();
    // 64 KiB file claiming 4 MiB: a ramdisk at +1 MiB lies in its BSS.
    const image = buildRiscvImage(0x20_0000, 4 * MiB, 0x1_0000 - 64);
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8020_0000
kernel_path = "Image"
kernel_load_addr = 0x8020_0000
ramdisk_path = "initrd"
ramdisk_load_addr = 0x8030_0000`,
      },
      { Image: image, initrd: pattern(10) },
    );
    const e = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e.message).toBe(
      `the ramdisk image ${join(dir, "initrd")} (10 bytes) at [0x8030_0000, 0x8030_000a) overlaps the kernel image ${join(dir, "Image")} at [0x8020_0000, 0x8060_0000)`,
    );
  });

  it("places a RISC-V Linux Image at its 2 MiB-aligned load address and reports its header", () => {
    const dir = tempDir();
    const image = buildRiscvImage(0x20_0000, 0x30_0000, 4000);
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8020_0000
kernel_path = "Image"
kernel_load_addr = 0x8020_0000`,
      },
      { Image: image },
    );
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config);
    expect(loaded.kernel).toMatchObject({
      gpa: 0x8020_0000,
      size: 4064,
      entry: 0x8020_0000,
      format: "linux-riscv64",
      footprint: 0x30_0000,
      textOffset: 0x20_0000,
      imageSize: 0x30_0000,
    });
    expect(readGuest(vm, 0x8020_0000, image.length)).toEqual(image);
  });

  it("refuses a RISC-V Linux Image that is not 2 MiB aligned", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8010_0000
kernel_path = "Image"
kernel_load_addr = 0x8010_0000`,
      },
      { Image: buildRiscvImage(0x20_0000, 0x10_0000, 100) },
    );
    const e = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e.message).toBe(
      `${join(dir, "Image")}: a RISC-V Linux Image must be loaded at a 2 MiB-aligned address, not 0x8010_0000`,
    );
  });

  it("wants an arm64 Image text_offset above a 2 MiB boundary", () => {
    const dir = tempDir();
    const image = buildArm64Image(0x8_0000, 0x20_0000, 1000);
    const ok = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8008_0000
kernel_path = "Image"
kernel_load_addr = 0x8008_0000`,
      },
      { Image: image },
    );
    const loaded = loadVmImages(makeTestVm(ok), ok);
    expect(loaded.kernel).toMatchObject({
      format: "linux-arm64",
      textOffset: 0x8_0000,
      imageSize: 0x20_0000,
      footprint: 0x20_0000,
    });
    const bad = writeConfig(dir, {
      kernel: `entry_point = 0x8020_0000
kernel_path = "Image"
kernel_load_addr = 0x8020_0000`,
    });
    expect(thrown(() => loadVmImages(makeTestVm(bad), bad)).message).toContain(
      "an arm64 Linux Image must be loaded text_offset (0x8_0000) above a 2 MiB-aligned address, not at 0x8020_0000",
    );
  });

  it("refuses a compressed kernel instead of booting it as raw bytes", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8020_0000
kernel_path = "Image.gz"
kernel_load_addr = 0x8020_0000`,
      },
      { "Image.gz": gzipSync(buildRiscvImage(0x20_0000, 0x10_0000, 100)) },
    );
    expect(thrown(() => loadVmImages(makeTestVm(config), config)).message).toContain(
      "compressed image (gzip)",
    );
  });

  it("names the missing file and the config it came from", () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      kernel: `entry_point = 0x8020_0000
kernel_path = "nope/Image"
kernel_load_addr = 0x8020_0000`,
    });
    const e = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e.kind).toBe("NotFound");
    expect(e.message).toBe(
      `cannot read the kernel image nope/Image (${join(dir, "nope/Image")}) (config ${join(dir, "vm.toml")}): no such file`,
    );
  });

  it("moves images with an identical-mapped region", () => {
    const dir = tempDir();
    const kernel = pattern(4096, 5);
    const config = writeConfig(
      dir,
      {
        kernel: `entry_point = 0x8020_0000
kernel_path = "k.bin"
kernel_load_addr = 0x8020_0000`,
        regions: "[[0x8000_0000, 0x40_0000, 0xf, 1]]",
      },
      { "k.bin": kernel },
    );
    const vm = makeTestVm(config);
    const base = vm.memoryRegions()[0]!.gpa;
    expect(base).not.toBe(0x8000_0000); // the test host's allocator does not give its first frame
    const loaded = loadVmImages(vm, config);
    expect(loaded.kernel.gpa).toBe(base + 0x20_0000);
    expect(loaded.kernel.entry).toBe(base + 0x20_0000);
    expect(readGuest(vm, base + 0x20_0000, 4096)).toEqual(kernel);
  });
});

describe("loadVmImages and the device tree", () => {
  const kernelLines = `entry_point = 0x8020_0000
kernel_path = "k.bin"
kernel_load_addr = 0x8020_0000
ramdisk_path = "rd"
ramdisk_load_addr = 0x8080_0000`;

  it("builds the VMM's DTB once the ramdisk is placed, and loads it at dtb_load_addr", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      { kernel: `${kernelLines}\ndtb_load_addr = 0x80f0_0000` },
      { "k.bin": pattern(100), rd: pattern(5000) },
    );
    const vm = makeTestVm(config);
    const blob = new Uint8Array([0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3, 4]);
    let seen: unknown;
    const loaded = loadVmImages(vm, config, {
      dtb: (placed) => {
        seen = placed.ramdisk;
        return blob;
      },
    });
    expect(seen).toEqual({ start: 0x8080_0000, end: 0x8080_0000 + 5000 });
    expect(loaded.dtb).toEqual({
      gpa: 0x80f0_0000,
      size: 8,
      source: "vmm",
      file: "device tree from the VMM",
    });
    expect(readGuest(vm, 0x80f0_0000, 8)).toEqual(blob);
  });

  it("puts a DTB without dtb_load_addr in the last 2 MiB-aligned slot of the first region", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      { kernel: kernelLines },
      { "k.bin": pattern(100), rd: pattern(10) },
    );
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config, { dtb: new Uint8Array(0x1000) });
    // RAM ends at 0x8100_0000; 4 KiB below it, rounded down to 2 MiB.
    expect(loaded.dtb?.gpa).toBe(0x80e0_0000);
  });

  it("refuses a DTB at an address that is not 8-byte aligned", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      { kernel: `${kernelLines}\ndtb_load_addr = 0x80f0_0004` },
      { "k.bin": pattern(100), rd: pattern(10) },
    );
    expect(
      thrown(() => loadVmImages(makeTestVm(config), config, { dtb: new Uint8Array(16) })).message,
    ).toBe(
      "the DTB device tree from the VMM must be loaded at an 8-byte-aligned address, not 0x80f0_0004",
    );
  });

  it("adapts a dtb_path to the VM: memory, initrd and bootargs from the config", () => {
    const dir = tempDir();
    const user = new DeviceTree();
    user.root.setU32("#address-cells", 2).setU32("#size-cells", 2);
    user.root
      .addNode("memory@40000000")
      .setString("device_type", "memory")
      .setReg({ address: 0x4000_0000, size: 0x1000 });
    const chosen = user.root.addNode("chosen");
    chosen.setString("bootargs", "old");
    chosen.setU32("linux,initrd-start", 1).setU32("linux,initrd-end", 2);
    user.root.addNode("keep-me").setString("compatible", "acme,widget");
    const config = writeConfig(
      dir,
      {
        kernel: `${kernelLines}\ndtb_path = "board.dtb"\ndtb_load_addr = 0x80f0_0000\ncmdline = "console=ttyS0 quiet"`,
      },
      { "k.bin": pattern(100), rd: pattern(777), "board.dtb": user.toBlob() },
    );
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config, { dtb: new Uint8Array(8) });
    expect(loaded.dtb).toMatchObject({
      gpa: 0x80f0_0000,
      source: "config",
      file: join(dir, "board.dtb"),
    });
    const back = DeviceTree.parse(readGuest(vm, 0x80f0_0000, loaded.dtb!.size));
    expect(back.getNode("/memory@40000000")).toBeUndefined();
    expect(back.requireNode("/memory@80000000").reg()).toEqual([
      { address: 0x8000_0000, size: 0x100_0000 },
    ]);
    const c = back.requireNode("/chosen");
    expect(c.require("bootargs").string()).toBe("console=ttyS0 quiet");
    expect(c.require("linux,initrd-start").u64()).toBe(0x8080_0000);
    expect(c.require("linux,initrd-end").u64()).toBe(0x8080_0000 + 777);
    expect(back.requireNode("/keep-me").compatible).toEqual(["acme,widget"]);
  });

  it("refuses a dtb_path that is not a device tree", () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      { kernel: `${kernelLines}\ndtb_path = "x.dtb"\ndtb_load_addr = 0x80f0_0000` },
      { "k.bin": pattern(100), rd: pattern(10), "x.dtb": pattern(100) },
    );
    const e = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e.kind).toBe("InvalidData");
    expect(e.message).toMatch(
      new RegExp(`^${join(dir, "x.dtb")} is not a valid device tree blob: `),
    );
  });
});

describe("loadVmImages with image_location = fs", () => {
  function makeDisk(
    dir: string,
    partition: "none" | "mbr",
    files: { path: string; data: Uint8Array }[],
  ): string {
    const path = join(dir, `disk-${partition}.img`);
    const img = FileImage.create(path, 40 * MiB);
    try {
      createFat32(img, { sizeBytes: img.size, files, partition });
    } finally {
      img.close();
    }
    return path;
  }

  const fsKernel = `entry_point = 0x8020_0000
image_location = "fs"
kernel_path = "/boot/Kernel.bin"
kernel_load_addr = 0x8020_0000
ramdisk_path = "initrd.gz"
ramdisk_load_addr = 0x8080_0000`;

  for (const partition of ["none", "mbr"] as const) {
    it(`reads the images from a FAT32 disk (${partition === "mbr" ? "MBR-partitioned" : "whole disk"})`, () => {
      const dir = tempDir();
      const kernel = pattern(300_000, 11);
      const initrd = new Uint8Array(gzipSync(pattern(50_000, 3)));
      const disk = makeDisk(dir, partition, [
        { path: "boot/Kernel.bin", data: kernel },
        { path: "initrd.gz", data: initrd },
      ]);
      const config = writeConfig(dir, { kernel: fsKernel });
      const vm = makeTestVm(config);
      const loaded = loadVmImages(vm, config, { disk });
      expect(loaded.kernel).toMatchObject({
        gpa: 0x8020_0000,
        size: 300_000,
        file: `${disk}:/boot/Kernel.bin`,
      });
      expect(loaded.ramdisk).toEqual({
        start: 0x8080_0000,
        end: 0x8080_0000 + initrd.length,
        file: `${disk}:/initrd.gz`,
      });
      expect(readGuest(vm, 0x8020_0000, kernel.length)).toEqual(kernel);
      expect(readGuest(vm, 0x8080_0000, initrd.length)).toEqual(initrd);
    });
  }

  it("falls back to the config's disk_path, resolved from the config's folder", () => {
    const dir = tempDir();
    makeDisk(dir, "mbr", [
      { path: "boot/Kernel.bin", data: pattern(10) },
      { path: "initrd.gz", data: pattern(10) },
    ]);
    const config = writeConfig(dir, { kernel: `${fsKernel}\ndisk_path = "disk-mbr.img"` });
    expect(loadVmImages(makeTestVm(config), config).kernel.file).toBe(
      `${join(dir, "disk-mbr.img")}:/boot/Kernel.bin`,
    );
  });

  it("names the disk and the file when the file is not on it", () => {
    const dir = tempDir();
    const disk = makeDisk(dir, "none", [{ path: "boot/Kernel.bin", data: pattern(10) }]);
    const config = writeConfig(dir, { kernel: fsKernel });
    const e = thrown(() => loadVmImages(makeTestVm(config), config, { disk }));
    expect(e.kind).toBe("NotFound");
    expect(e.message).toBe(
      `cannot read the ramdisk image /initrd.gz from the disk image ${disk}: no such file`,
    );
  });

  it("names the disk when it is missing or not FAT32, and asks for one when none is given", () => {
    const dir = tempDir();
    const config = writeConfig(dir, { kernel: fsKernel });
    const missing = join(dir, "missing.img");
    const e1 = thrown(() => loadVmImages(makeTestVm(config), config, { disk: missing }));
    expect(e1.kind).toBe("NotFound");
    expect(e1.message).toBe(
      `cannot open the disk image ${missing} (image_location = "fs"): no such file`,
    );

    const junk = join(dir, "junk.img");
    writeFileSync(junk, pattern(4096));
    const e2 = thrown(() => loadVmImages(makeTestVm(config), config, { disk: junk }));
    expect(e2.kind).toBe("InvalidData");
    expect(e2.message).toMatch(
      new RegExp(`^the disk image ${junk} has no readable FAT32 file system`),
    );

    const e3 = thrown(() => loadVmImages(makeTestVm(config), config));
    expect(e3.message).toBe(
      `VM 1 "images-test": image_location = "fs" reads the images (kernel /boot/Kernel.bin) from a FAT32 disk image, but none was given and the config has no disk_path`,
    );
  });

  const mtools = has("mkfs.fat") && has("mcopy") && has("mmd");
  it.skipIf(!mtools)("loads files that mkfs.fat and mcopy put on a disk", () => {
    const dir = tempDir();
    const disk = join(dir, "mtools.img");
    const kernel = pattern(123_457, 17);
    const initrd = pattern(4321, 2);
    writeFileSync(join(dir, "kernel-host"), kernel);
    writeFileSync(join(dir, "initrd-host"), initrd);
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { encoding: "utf8" });
      expect(r.status, `${cmd} ${args.join(" ")}: ${r.stderr}`).toBe(0);
    };
    run("mkfs.fat", ["-F", "32", "-C", disk, String(40 * 1024)]);
    run("mmd", ["-i", disk, "::/boot"]);
    run("mcopy", ["-i", disk, join(dir, "kernel-host"), "::/boot/Kernel.bin"]);
    run("mcopy", ["-i", disk, join(dir, "initrd-host"), "::/initrd.gz"]);
    const config = writeConfig(dir, { kernel: fsKernel });
    const vm = makeTestVm(config);
    loadVmImages(vm, config, { disk });
    expect(readGuest(vm, 0x8020_0000, kernel.length)).toEqual(kernel);
    expect(readGuest(vm, 0x8080_0000, initrd.length)).toEqual(initrd);
  });
  if (!mtools)
    console.log(
      "skipped the mtools interop test: mkfs.fat/mcopy/mmd not installed (apt-get install dosfstools mtools)",
    );
});
