import type { Arch } from "@axvisor/arch";
import type { AxVM } from "@axvisor/axvm";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { formatHex } from "@axvisor/memory-addr";
import { loadVmImages } from "../images/index.js";
import type { PlacedVm } from "../platform/host-platform.js";

/** What the VMM needs to know after the images are in guest memory. */
export interface VmImagesLoaded {
  /** Where the boot vCPU starts (an ELF kernel's own entry, else the config's entry_point). */
  readonly entry: number;
  /** Where the boot information (device tree) is, if there is one. */
  readonly dtb?: number;
  /** One line per image, for `vm show`. */
  readonly summary: readonly string[];
}

/** Puts a VM's images into its memory (on creation and on every restart). */
export type VmImageLoader = (
  vm: AxVM,
  config: AxVMCrateConfig,
  opts: {
    /** The VM's architecture: a kernel built for another one is refused. */
    readonly arch: Arch;
    /** The platform's boot information for the VM (a device tree), once images are placed. */
    readonly bootInfo: (placed: PlacedVm) => Uint8Array | undefined;
    /** Where the boot information goes when the config names no dtb_load_addr. */
    readonly bootInfoGpa?: number;
    readonly disk?: string;
  },
) => VmImagesLoaded;

/**
 * The loader the VMM uses: kernel, BIOS, ramdisk and DTB from host files or a FAT32 disk,
 * with the platform's boot information (a device tree) generated for the VM when its config
 * names none (so the initrd it describes is where the ramdisk actually went).
 */
export const loadGuestImages: VmImageLoader = (vm, config, opts) => {
  const loaded = loadVmImages(vm, config, {
    arch: opts.arch,
    ...(opts.disk !== undefined ? { disk: opts.disk } : {}),
    ...(opts.bootInfoGpa !== undefined ? { dtbGpa: opts.bootInfoGpa } : {}),
    dtb: (placed) =>
      opts.bootInfo({
        memory: vm.memoryRegions().map((r) => ({ gpa: r.gpa, size: r.size, flags: r.flags })),
        ...(placed.ramdisk !== undefined ? { initrd: placed.ramdisk } : {}),
        ...(placed.kernel.setup !== undefined ? { kernelSetup: placed.kernel.setup } : {}),
      }),
  });
  const span = (at: number, size: number) => `${formatHex(at)}..${formatHex(at + size)}`;
  const summary = [
    `kernel ${loaded.kernel.file} (${loaded.kernel.format}) at ${span(loaded.kernel.gpa, loaded.kernel.size)}, entry ${formatHex(loaded.kernel.entry)}`,
  ];
  if (loaded.bios)
    summary.push(`bios ${loaded.bios.file} at ${span(loaded.bios.gpa, loaded.bios.size)}`);
  if (loaded.ramdisk) {
    summary.push(
      `ramdisk ${loaded.ramdisk.file} at ${span(loaded.ramdisk.start, loaded.ramdisk.end - loaded.ramdisk.start)}`,
    );
  }
  if (loaded.dtb)
    summary.push(`dtb (${loaded.dtb.file}) at ${span(loaded.dtb.gpa, loaded.dtb.size)}`);
  return {
    entry: loaded.kernel.entry,
    ...(loaded.dtb !== undefined ? { dtb: loaded.dtb.gpa } : {}),
    summary,
  };
};
