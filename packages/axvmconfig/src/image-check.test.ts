import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "./config-problem.js";
import { checkImageFiles } from "./image-check.js";
import { parseAxVMConfig } from "./parse.js";
import { placedImages } from "./placed-images.js";

const dir = mkdtempSync(join(tmpdir(), "axvmconfig-images-"));
writeFileSync(join(dir, "kernel.bin"), new Uint8Array(0x3000));
writeFileSync(join(dir, "initrd"), new Uint8Array(0x1800));

const config = (kernelAt: string, ramdiskAt: string, extra = "") => `[base]
id = 1
name = "img"
cpu_num = 1
[kernel]
entry_point = ${kernelAt}
kernel_path = "kernel.bin"
kernel_load_addr = ${kernelAt}
ramdisk_path = "initrd"
ramdisk_load_addr = ${ramdiskAt}
${extra}
memory_regions = [[0x8000_0000, 0x10_0000, 0x7, 0]]
[devices]
emu_devices = []
passthrough_devices = []
`;

const run = async (text: string) => {
  const c = parseAxVMConfig(text, { file: "c.toml", source: join(dir, "c.toml") });
  return (await checkImageFiles(c, "c.toml", text)).map(formatProblem);
};

describe("checkImageFiles", () => {
  it("lists placed images in load order", () => {
    const c = parseAxVMConfig(config("0x8000_0000", "0x8008_0000"));
    expect(placedImages(c).map((i) => [i.key, i.loadAddr])).toEqual([
      ["kernel_path", 0x8000_0000],
      ["ramdisk_path", 0x8008_0000],
    ]);
  });

  it("accepts images that exist and fit, resolving paths from the config's folder", async () => {
    expect(await run(config("0x8000_0000", "0x8008_0000"))).toEqual([]);
  });

  it("reports an image running past the end of its region", async () => {
    // 0x1800 bytes at 0x800f_f000 end at 0x8010_0800, 0x800 past the region's end 0x8010_0000.
    expect(await run(config("0x8000_0000", "0x800f_f000"))).toEqual([
      "c.toml:9: [kernel].ramdisk_path: ramdisk image 0x800f_f000..0x8010_0800 (6144 bytes) runs past the end of region 0 (0x8000_0000..0x8010_0000) by 2048 bytes",
    ]);
  });

  it("reports overlapping images", async () => {
    // The kernel covers 0x8000_0000..0x8000_3000; the ramdisk starts inside it.
    expect(await run(config("0x8000_0000", "0x8000_2000"))).toEqual([
      "c.toml:9: [kernel].ramdisk_path: ramdisk image 0x8000_2000..0x8000_3800 (6144 bytes) overlaps the kernel image (0x8000_0000..0x8000_3000)",
    ]);
  });

  it("reports missing files with the resolved path", async () => {
    const lines = await run(config("0x8000_0000", "0x8008_0000", 'disk_path = "nope.img"'));
    expect(lines).toEqual([
      `c.toml:11: [kernel].disk_path: cannot read nope.img (${join(dir, "nope.img")}): no such file`,
    ]);
  });

  it('skips "fs" images: they live on the hypervisor\'s filesystem', async () => {
    const text = config("0x8000_0000", "0x8000_2000", 'image_location = "fs"');
    expect(await run(text)).toEqual([]);
  });

  describe("Linux kernel images", () => {
    // A RISC-V Image header as the boot protocol lays it out (Documentation/arch/riscv/
    // boot-image-header.rst): text_offset @8, image_size @16, "RISCV\0\0\0" @48, "RSC\x05" @56.
    const header = new Uint8Array(64);
    const view = new DataView(header.buffer);
    view.setBigUint64(8, 0x20_0000n, true);
    view.setBigUint64(16, 0x20_0000n, true);
    header.set(
      [..."RISCV"].map((c) => c.charCodeAt(0)),
      48,
    );
    header.set([0x52, 0x53, 0x43, 0x05], 56);
    writeFileSync(join(dir, "Image"), header);
    const linux = (kernelAt: string, ramdiskAt: string) =>
      config(kernelAt, ramdiskAt)
        .replace('kernel_path = "kernel.bin"', 'kernel_path = "Image"')
        .replace("0x10_0000, 0x7, 0", "0x100_0000, 0x7, 0");

    it("uses image_size from the header as the kernel's extent", async () => {
      // The file is 64 bytes, but the kernel claims 2 MiB: 0x8000_0000..0x8020_0000.
      expect(await run(linux("0x8000_0000", "0x8010_0000"))).toEqual([
        "c.toml:9: [kernel].ramdisk_path: ramdisk image 0x8010_0000..0x8010_1800 (6144 bytes) overlaps the kernel image (0x8000_0000..0x8020_0000)",
      ]);
      expect(await run(linux("0x8000_0000", "0x8020_0000"))).toEqual([]);
    });

    it("requires a RISC-V Image to be loaded 2 MiB aligned", async () => {
      expect(await run(linux("0x8010_0000", "0x8040_0000"))).toEqual([
        "c.toml:7: [kernel].kernel_path: a RISC-V Linux Image must be loaded at a 2 MiB-aligned address, not 0x8010_0000",
      ]);
    });
  });
});
