import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { DeviceTree } from "@axvisor/fdt";
import { describe, expect, it } from "vitest";
import { loadVmImages } from "../../images/load-vm-images.js";
import { makeTestVm, readGuest } from "../../images/test-vm.fixture.js";
import { buildGuestFdt } from "./guest-fdt/build-guest-fdt.js";

const GUESTS = fileURLToPath(new URL("../../../../../../shared/guests/", import.meta.url));
const CONFIGS = fileURLToPath(new URL("../../../../../configs/vms/", import.meta.url));
const present =
  existsSync(`${GUESTS}riscv64/linux-Image`) && existsSync(`${GUESTS}disk-riscv64.img`);
if (!present) console.log(`skipped the real-guest image tests: ${GUESTS} is not present`);

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
// From shared/guests/README.md, not from our loader.
const LINUX_IMAGE_SHA = "bda28d54d9216846ba4be5a38798ba0c6e3ba3b6ae079d5ec444c0fc3efb11da";
const INITRAMFS_SHA = "10676317b1adacb51c0518dd1c3d88b143f4d70195ede45b752778f558c74474";

describe.skipIf(!present)("the shared riscv64 guests", () => {
  it("loads linux-riscv64-qemu-smp1.toml: Image at 0x8020_0000 by its header, initrd and DTB as QEMU places them", async () => {
    const config = await loadAxVMConfig(`${CONFIGS}linux-riscv64-qemu-smp1.toml`);
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config, {
      dtb: ({ ramdisk }) =>
        buildGuestFdt(config, {
          hartIds: [0],
          ...(ramdisk !== undefined ? { initrd: ramdisk } : {}),
        }),
    });
    // README: 4068352 bytes, text_offset 0x200000, image_size 0x424000.
    expect(loaded.kernel).toMatchObject({
      gpa: 0x8020_0000,
      size: 4_068_352,
      entry: 0x8020_0000,
      format: "linux-riscv64",
      textOffset: 0x20_0000,
      imageSize: 0x42_4000,
      footprint: 0x42_4000,
    });
    expect(loaded.ramdisk).toMatchObject({ start: 0x8820_0000, end: 0x8820_0000 + 953_961 });
    expect(sha256(readGuest(vm, 0x8020_0000, 4_068_352))).toBe(LINUX_IMAGE_SHA);
    expect(sha256(readGuest(vm, 0x8820_0000, 953_961))).toBe(INITRAMFS_SHA);
    expect(loaded.dtb?.gpa).toBe(0x8fe0_0000);
    const dt = DeviceTree.parse(readGuest(vm, 0x8fe0_0000, loaded.dtb!.size));
    const chosen = dt.requireNode("/chosen");
    // The initrd span QEMU's own tree gives this initramfs (qemu-virt-smp1.dts).
    expect(chosen.require("linux,initrd-start").u64()).toBe(0x8820_0000);
    expect(chosen.require("linux,initrd-end").u64()).toBe(0x882e_8e69);
  });

  it('loads the kernel and initrd from disk-riscv64.img (MBR + FAT32) with image_location = "fs"', async () => {
    const memConfig = await loadAxVMConfig(`${CONFIGS}linux-riscv64-qemu-smp1.toml`);
    const config = {
      ...memConfig,
      kernel: {
        ...memConfig.kernel,
        imageLocation: "fs" as const,
        kernelPath: "/Image",
        ramdiskPath: "/initrd.gz",
      },
    };
    const vm = makeTestVm(config);
    const disk = `${GUESTS}disk-riscv64.img`;
    const loaded = loadVmImages(vm, config, { disk });
    expect(loaded.kernel).toMatchObject({
      gpa: 0x8020_0000,
      size: 4_068_352,
      format: "linux-riscv64",
      file: `${disk}:/Image`,
    });
    expect(sha256(readGuest(vm, 0x8020_0000, 4_068_352))).toBe(LINUX_IMAGE_SHA);
    expect(loaded.ramdisk?.end).toBe(0x8820_0000 + 953_961);
    expect(sha256(readGuest(vm, 0x8820_0000, 953_961))).toBe(INITRAMFS_SHA);
    // The disk image is shared and read-only: loading must not have touched it.
    expect(statSync(disk).size).toBe(67_108_864);
  });

  it("loads U-Boot as a raw binary at its TEXT_BASE", async () => {
    const config = await loadAxVMConfig(`${CONFIGS}uboot-riscv64-qemu-smp1.toml`);
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config);
    expect(loaded.kernel).toMatchObject({
      gpa: 0x8020_0000,
      size: 648_896,
      format: "raw",
      entry: 0x8020_0000,
    });
    expect(sha256(readGuest(vm, 0x8020_0000, 648_896))).toBe(
      "a1abdfc422af527cfea178ad62dad31a15b3bdd07fc4d55586d131a63d394b57",
    );
  });
});
