import type { AxVMCrateConfig } from "./types.js";

/** One image the VMM copies into guest memory before boot. */
export interface PlacedImage {
  /** The config key naming it: `kernel_path`, `bios_path`, `dtb_path`, `ramdisk_path`. */
  key: string;
  what: string;
  path: string;
  loadAddr: number;
}

/** The images a config places in guest memory, in load order. */
export function placedImages(config: AxVMCrateConfig): PlacedImage[] {
  const k = config.kernel;
  const out: PlacedImage[] = [];
  const add = (key: string, what: string, path: string | undefined, addr: number | undefined) => {
    if (path !== undefined && addr !== undefined) out.push({ key, what, path, loadAddr: addr });
  };
  add("bios_path", "BIOS", k.biosPath, k.biosLoadAddr);
  add("kernel_path", "kernel", k.kernelPath, k.kernelLoadAddr);
  add("dtb_path", "DTB", k.dtbPath, k.dtbLoadAddr);
  add("ramdisk_path", "ramdisk", k.ramdiskPath, k.ramdiskLoadAddr);
  return out;
}
