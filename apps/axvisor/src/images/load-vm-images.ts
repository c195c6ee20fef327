import type { Arch } from "@axvisor/arch";
import { axErr } from "@axvisor/axerrno";
import type { AxVM } from "@axvisor/axvm";
import { type AxVMCrateConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { alignDown, formatHex, MappingFlags, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { fatImageStore, hostImageStore, type ImageFile, type ImageStore } from "./image-store.js";
import {
  type ImagePiece,
  type KernelFormat,
  planBios,
  planKernel,
  rawPiece,
} from "./kernel-plan.js";
import { patchGuestFdt } from "./patch-guest-fdt.js";
import { checkPlacements, type PlannedImage, type RamRegion } from "./placement.js";

/** Where the images of a VM went. Addresses are guest-physical; spans are `[start, end)`. */
export interface LoadedImages {
  readonly kernel: {
    /** First byte written (an ELF: its lowest segment). */
    readonly gpa: number;
    /** Bytes the file put into guest memory (ELF: the segments' file bytes). */
    readonly size: number;
    /** Where the vCPUs start: the ELF entry, else the config's entry point. */
    readonly entry: number;
    readonly format: KernelFormat;
    readonly file: string;
    /** Guest memory the kernel claims: the file, plus ELF bss or a Linux Image's image_size. */
    readonly footprint: number;
    /** From a Linux Image header (reported; the load address comes from the config). */
    readonly textOffset?: number;
    readonly imageSize?: number;
    /** A bzImage's boot sector and setup code, for the boot_params the platform builds. */
    readonly setup?: Uint8Array;
  };
  readonly bios?: { readonly gpa: number; readonly size: number; readonly file: string };
  readonly ramdisk?: { readonly start: number; readonly end: number; readonly file: string };
  readonly dtb?: {
    readonly gpa: number;
    readonly size: number;
    /** The config's dtb_path (patched for the VM), or the blob the VMM passed. */
    readonly source: "config" | "vmm";
    readonly file: string;
  };
}

/** What a generated device tree needs to know about the other images. */
export interface PlacedBootImages {
  readonly kernel: LoadedImages["kernel"];
  readonly ramdisk?: { readonly start: number; readonly end: number };
}

export interface LoadVmImagesOptions {
  /** The VM's architecture: a kernel or BIOS built for another one is refused. */
  readonly arch?: Arch;
  /**
   * The FAT32 disk image `image_location = "fs"` reads from. Default: the config's disk_path
   * (resolved against the config's folder).
   */
  readonly disk?: string;
  /**
   * A device tree for the guest when the config has no dtb_path: the blob, or a function that
   * builds it once the ramdisk's place is known (for linux,initrd-start/-end). It goes to
   * dtb_load_addr, or without one to the top of the first memory region, 2 MiB aligned (where
   * QEMU puts it). A dtb_path in the config takes precedence over it.
   */
  readonly dtb?: Uint8Array | ((placed: PlacedBootImages) => Uint8Array | undefined);
  /**
   * Where a DTB (boot information) from `dtb` goes when the config names no dtb_load_addr;
   * default: the top of the first RAM region (see defaultDtbGpa). x86's boot_params go low.
   */
  readonly dtbGpa?: number;
}

/** The Devicetree Specification wants the blob 8-byte aligned in memory. */
const DTB_ALIGN = 8;

function imageStore(config: AxVMCrateConfig, opts: LoadVmImagesOptions): ImageStore {
  if (config.kernel.imageLocation === "memory") return hostImageStore(config);
  const disk =
    opts.disk ??
    (config.kernel.diskPath === undefined
      ? undefined
      : resolveConfigPath(config, config.kernel.diskPath));
  if (disk === undefined) {
    throw axErr(
      "InvalidInput",
      `VM ${config.base.id} "${config.base.name}": image_location = "fs" reads the images (kernel ${config.kernel.kernelPath}) from a FAT32 disk image, but none was given and the config has no disk_path`,
    );
  }
  return fatImageStore(disk);
}

function ramRegions(vm: AxVM): RamRegion[] {
  return vm
    .memoryRegions()
    .filter((r) => (r.flags & MappingFlags.DEVICE) === 0)
    .map((r) => ({ gpa: r.gpa, size: r.size }));
}

/** Copies bytes into guest memory through the VM (AxVisor's image load region). */
function writePiece(vm: AxVM, p: ImagePiece): void {
  if (p.data.length > 0) {
    let off = 0;
    for (const view of vm.imageLoadRegion(p.gpa, p.data.length)) {
      view.set(p.data.subarray(off, off + view.length));
      off += view.length;
    }
  }
  if (p.zeroTail && p.tail > 0) {
    for (const view of vm.imageLoadRegion(p.gpa + p.data.length, p.tail)) view.fill(0);
  }
}

/**
 * Places a DTB when the config gives no address: the top of the first RAM region, below
 * 3 GiB when the region starts below it, 2 MiB aligned - QEMU virt's rule, which keeps it clear
 * of a kernel loaded low in RAM.
 */
function defaultDtbGpa(ram: readonly RamRegion[], size: number): number {
  const main = ram[0];
  if (main === undefined) throw axErr("InvalidInput", "the VM has no RAM for its device tree");
  const end = main.gpa + main.size;
  const top = main.gpa < 0xc000_0000 ? Math.min(end, 0xc000_0000) : end;
  return Math.max(main.gpa, alignDown(top - size, PAGE_SIZE_2M));
}

/**
 * Loads a VM's images into its guest memory (AxVisor's `ImageLoader`): kernel, BIOS, ramdisk and
 * DTB, each at its load address (after identical-region relocation, `vm.imageLayout`).
 *
 * `image_location = "memory"` reads host files, relative paths from the config's folder; `"fs"`
 * reads them from the FAT32 disk image `opts.disk` (whole-disk or MBR-partitioned). The kernel
 * may be an ELF (loaded by segments), a Linux RISC-V or arm64 Image (placement checked against
 * its boot protocol, footprint from image_size) or a raw binary; see planKernel. A provided
 * dtb_path is patched for the VM (memory, initrd, bootargs; see patchGuestFdt).
 *
 * Every image is checked before anything is written: it must lie inside one RAM region and
 * not overlap another image; otherwise an AxError names the file, its size and the region or
 * image in the way. Bytes go into guest memory through `vm.imageLoadRegion`.
 */
export function loadVmImages(
  vm: AxVM,
  config: AxVMCrateConfig,
  opts: LoadVmImagesOptions = {},
): LoadedImages {
  const k = config.kernel;
  const layout = vm.imageLayout;
  const ram = ramRegions(vm);
  const store = imageStore(config, opts);
  try {
    const planned: PlannedImage[] = [];

    const kernelFile = store.read(k.kernelPath, "kernel");
    const kernel = planKernel(
      kernelFile,
      layout.kernelLoadGpa,
      layout.entryPoint,
      layout.kernelLoadGpa - k.kernelLoadAddr,
      opts.arch,
    );
    planned.push({ what: "kernel", shown: kernelFile.shown, pieces: kernel.pieces });

    let bios: LoadedImages["bios"];
    if (k.biosPath !== undefined) {
      const at = layout.biosLoadGpa ?? k.biosLoadAddr;
      if (at === undefined)
        throw axErr("InvalidInput", `bios_path ${k.biosPath} needs bios_load_addr`);
      const file = store.read(k.biosPath, "BIOS");
      const pieces = planBios(file, at, opts.arch);
      planned.push({ what: "BIOS", shown: file.shown, pieces });
      bios = {
        gpa: Math.min(...pieces.map((p) => p.gpa)),
        size: file.bytes.length,
        file: file.shown,
      };
    }

    let ramdisk: LoadedImages["ramdisk"];
    if (k.ramdiskPath !== undefined) {
      const at = layout.ramdiskLoadGpa ?? k.ramdiskLoadAddr;
      if (at === undefined) {
        throw axErr("InvalidInput", `ramdisk_path ${k.ramdiskPath} needs ramdisk_load_addr`);
      }
      const file = store.read(k.ramdiskPath, "ramdisk");
      planned.push({ what: "ramdisk", shown: file.shown, pieces: [rawPiece(at, file.bytes)] });
      ramdisk = { start: at, end: at + file.bytes.length, file: file.shown };
    }

    const kernelReport = kernelReportOf(kernel, kernelFile);
    // Everything but the DTB is placed; check now so a generated DTB sees sane input.
    checkPlacements(planned, ram);

    let dtbFile: ImageFile | undefined;
    let dtbSource: "config" | "vmm" = "config";
    const initrd = ramdisk === undefined ? undefined : { start: ramdisk.start, end: ramdisk.end };
    const memory = vm.memoryRegions().map((r) => ({ gpa: r.gpa, size: r.size, flags: r.flags }));
    if (k.dtbPath !== undefined) {
      const file = store.read(k.dtbPath, "DTB");
      const bytes = patchGuestFdt(file.bytes, config, {
        name: file.shown,
        memory,
        ...(initrd !== undefined ? { initrd } : {}),
      });
      dtbFile = { shown: file.shown, bytes };
    } else if (opts.dtb !== undefined) {
      dtbSource = "vmm";
      const bytes =
        typeof opts.dtb === "function"
          ? opts.dtb({ kernel: kernelReport, ...(initrd !== undefined ? { ramdisk: initrd } : {}) })
          : opts.dtb;
      if (bytes !== undefined) dtbFile = { shown: "device tree from the VMM", bytes };
    }

    let dtb: LoadedImages["dtb"];
    if (dtbFile !== undefined) {
      const at =
        layout.dtbLoadGpa ??
        (dtbSource === "vmm" ? opts.dtbGpa : undefined) ??
        defaultDtbGpa(ram, dtbFile.bytes.length);
      if (at % DTB_ALIGN !== 0) {
        throw axErr(
          "InvalidInput",
          `the DTB ${dtbFile.shown} must be loaded at an 8-byte-aligned address, not ${formatHex(at)}`,
        );
      }
      planned.push({ what: "DTB", shown: dtbFile.shown, pieces: [rawPiece(at, dtbFile.bytes)] });
      checkPlacements(planned, ram);
      dtb = { gpa: at, size: dtbFile.bytes.length, source: dtbSource, file: dtbFile.shown };
    }

    for (const image of planned) for (const p of image.pieces) writePiece(vm, p);

    return {
      kernel: kernelReport,
      ...(bios !== undefined ? { bios } : {}),
      ...(ramdisk !== undefined ? { ramdisk } : {}),
      ...(dtb !== undefined ? { dtb } : {}),
    };
  } finally {
    store.close();
  }
}

function kernelReportOf(
  kernel: ReturnType<typeof planKernel>,
  file: ImageFile,
): LoadedImages["kernel"] {
  const low = Math.min(...kernel.pieces.map((p) => p.gpa));
  const high = Math.max(...kernel.pieces.map((p) => p.gpa + p.data.length + p.tail));
  const size = kernel.pieces.reduce((n, p) => n + p.data.length, 0);
  return {
    gpa: low,
    size,
    entry: kernel.entry,
    format: kernel.format,
    file: file.shown,
    footprint: high - low,
    ...(kernel.textOffset !== undefined ? { textOffset: kernel.textOffset } : {}),
    ...(kernel.imageSize !== undefined ? { imageSize: kernel.imageSize } : {}),
    ...(kernel.setup !== undefined ? { setup: kernel.setup } : {}),
  };
}
