import { axErr } from "@axvisor/axerrno";
import type { DeviceTree } from "@axvisor/fdt";
import { type Elf64Image, ElfMachine, identifyImage, zeroFill } from "@axvisor/guest-image";
import { alignUp, PAGE_SIZE_2M, PAGE_SIZE_4K } from "@axvisor/memory-addr";

/** A file handed to the board: its bytes and the name used in error messages. */
export interface BootFile {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface ArmBootImages {
  /** Firmware for flash bank 0 (`-bios`, e.g. U-Boot); the CPUs reset into it at address 0. */
  readonly firmware?: BootFile;
  /** ELF, arm64 Linux Image or raw binary, loaded into RAM (`-kernel`). */
  readonly kernel?: BootFile;
  readonly initrd?: BootFile;
}

/** Where the images went and how the boot CPU starts. */
export interface ArmBootLayout {
  /** Firmware in flash, or a kernel entered directly (Linux protocol or bare ELF). */
  readonly mode: "firmware" | "linux" | "elf";
  /** The boot CPU's first instruction. */
  readonly entry: number;
  readonly kernel?: {
    readonly kind: string;
    readonly entry: number;
    readonly low: number;
    readonly high: number;
  };
  readonly firmwareSize?: number;
  readonly initrd?: { readonly start: number; readonly end: number };
  /** Where the device tree goes (QEMU's rules). */
  readonly fdtAddr: number;
  /** Highest address the device tree may reach. */
  readonly fdtLimit: number;
  /**
   * A bare ELF gets the tree at the RAM base only if it fits below the ELF; otherwise QEMU
   * loads no tree at all (and the program does not expect one).
   */
  readonly fdtOptional: boolean;
}

export interface ArmBootMemory {
  readonly ramBase: number;
  readonly ramSize: number;
  writeRam(paddr: number, bytes: Uint8Array): void;
  /** Bank 0 of the flash; throws if the image is larger than the bank. */
  loadFlash(bytes: Uint8Array): void;
}

const hex = (n: number) => `0x${n.toString(16)}`;
const MiB = 1024 * 1024;
/** QEMU keeps the first 4 KiB of RAM for its boot stub, so Image offsets below it move up 2 MiB. */
const BOOTLOADER_MAX_SIZE = 0x1000;
/** Where QEMU puts a raw aarch64 kernel and an Image without image_size (KERNEL64_LOAD_ADDR). */
const KERNEL64_LOAD_OFFSET = 0x8_0000;

/**
 * Loads the images the way QEMU 7.2's `virt` board does (hw/arm/virt.c, hw/arm/boot.c):
 * - firmware: into flash bank 0; the CPUs start at 0; the device tree goes to the RAM base
 *   for it to find. A kernel besides firmware would need fw_cfg, which this board lacks.
 * - kernel, ELF: PT_LOAD segments at their physical addresses, entered at e_entry with no
 *   boot protocol; the device tree at the RAM base unless the ELF covers it.
 * - kernel, arm64 Image: at RAM base + text_offset (+2 MiB when text_offset is below 4 KiB;
 *   + 0x80000 when image_size is 0), entered with x0 = the device tree.
 * - kernel, raw binary: at RAM base + 0x80000, entered as Linux.
 * - initrd: at RAM base + min(RAM / 2, 128 MiB), or above the kernel if that is higher;
 *   a Linux kernel's device tree follows it at the next 2 MiB boundary.
 */
export function loadArmBootImages(images: ArmBootImages, mem: ArmBootMemory): ArmBootLayout {
  const ramEnd = mem.ramBase + mem.ramSize;
  if (images.firmware !== undefined) {
    if (images.kernel !== undefined || images.initrd !== undefined) {
      throw axErr(
        "Unsupported",
        "a kernel or initrd with firmware (-bios) reaches the firmware through fw_cfg, which this board does not emulate; boot one or the other",
      );
    }
    mem.loadFlash(images.firmware.data);
    return {
      mode: "firmware",
      entry: 0,
      firmwareSize: images.firmware.data.length,
      fdtAddr: mem.ramBase,
      fdtLimit: ramEnd,
      fdtOptional: false,
    };
  }
  const k = images.kernel;
  if (k === undefined) {
    throw axErr("InvalidInput", "nothing to run: give a firmware (-bios) or a kernel (-kernel)");
  }
  const id = identifyImage(k.data, { name: k.name, machine: ElfMachine.AARCH64 });
  let kernel: NonNullable<ArmBootLayout["kernel"]>;
  let mode: ArmBootLayout["mode"] = "linux";
  const checkRam = (low: number, high: number, what: string) => {
    if (low < mem.ramBase || high > ramEnd) {
      throw axErr(
        "OutOfRange",
        `${what}: needs memory ${hex(low)}..${hex(high)}, outside RAM ${hex(mem.ramBase)}..${hex(ramEnd)} (use a larger -m?)`,
      );
    }
  };
  if (id.kind === "elf") {
    kernel = { kind: "elf", ...loadElfSegments(id.elf, k.name, mem) };
    mode = "elf";
  } else if (id.kind === "linux-riscv64") {
    throw axErr("InvalidInput", `${k.name}: a RISC-V Linux Image cannot boot on aarch64`);
  } else if (id.kind === "linux-arm64") {
    const h = id.header;
    if (h.bigEndian) throw axErr("Unsupported", `${k.name}: big-endian kernels are not supported`);
    let offset = KERNEL64_LOAD_OFFSET;
    if (h.imageSize !== 0) {
      offset = h.textOffset < BOOTLOADER_MAX_SIZE ? h.textOffset + 2 * MiB : h.textOffset;
    }
    const start = mem.ramBase + offset;
    const high = start + Math.max(h.imageSize, k.data.length);
    checkRam(start, high, k.name);
    mem.writeRam(start, k.data);
    kernel = { kind: "linux-arm64", entry: start, low: start, high };
  } else {
    const start = mem.ramBase + KERNEL64_LOAD_OFFSET;
    checkRam(start, start + k.data.length, k.name);
    mem.writeRam(start, k.data);
    kernel = { kind: "raw", entry: start, low: start, high: start + k.data.length };
  }

  let initrdStart = mem.ramBase + Math.min(mem.ramSize / 2, 128 * MiB);
  initrdStart = Math.max(initrdStart, kernel.high);
  initrdStart = alignUp(initrdStart, PAGE_SIZE_4K);
  let initrd: ArmBootLayout["initrd"];
  let initrdSize = 0;
  if (images.initrd !== undefined) {
    initrdSize = images.initrd.data.length;
    checkRam(initrdStart, initrdStart + initrdSize, images.initrd.name);
    mem.writeRam(initrdStart, images.initrd.data);
    initrd = { start: initrdStart, end: initrdStart + initrdSize };
  }

  let fdtAddr = alignUp(initrdStart + initrdSize, PAGE_SIZE_2M);
  let fdtLimit = ramEnd;
  let fdtOptional = false;
  if (mode === "elf" && (kernel.low > mem.ramBase || kernel.high <= mem.ramBase)) {
    // A bare ELF that leaves the RAM base free gets the tree there, below its own code.
    fdtAddr = mem.ramBase;
    fdtLimit = kernel.low > mem.ramBase ? kernel.low : ramEnd;
    fdtOptional = true;
  }
  return {
    mode,
    entry: kernel.entry,
    kernel,
    ...(initrd !== undefined ? { initrd } : {}),
    fdtAddr,
    fdtLimit,
    fdtOptional,
  };
}

/** PT_LOAD segments at their physical addresses; bytes outside RAM are an error. */
function loadElfSegments(
  elf: Elf64Image,
  name: string,
  mem: ArmBootMemory,
): { entry: number; low: number; high: number } {
  const ramEnd = mem.ramBase + mem.ramSize;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const seg of elf.segments) {
    if (seg.memsz === 0) continue;
    // Linkers often put the ELF headers in a first segment below the load address: clip it.
    const start = Math.max(seg.paddr, mem.ramBase);
    const end = Math.min(seg.paddr + seg.memsz, ramEnd);
    if (end <= start) {
      throw axErr(
        "OutOfRange",
        `${name}: segment ${hex(seg.paddr)}..${hex(seg.paddr + seg.memsz)} is outside RAM ${hex(mem.ramBase)}..${hex(ramEnd)}`,
      );
    }
    const fileEnd = Math.min(seg.paddr + seg.filesz, end);
    if (fileEnd > start)
      mem.writeRam(start, seg.data.subarray(start - seg.paddr, fileEnd - seg.paddr));
    const zeroFrom = Math.max(start, fileEnd);
    zeroFill((a, b) => mem.writeRam(a, b), zeroFrom, end - zeroFrom);
    low = Math.min(low, start);
    high = Math.max(high, end);
  }
  if (low === Number.POSITIVE_INFINITY) throw axErr("InvalidData", `${name}: no loadable segment`);
  return { entry: elf.entry, low, high };
}

/**
 * Whether the blob goes where the layout puts it: true if it fits, false if it does not but
 * may be left out (bare ELF), an error otherwise.
 */
export function deviceTreeFits(layout: ArmBootLayout, fdtSize: number): boolean {
  if (layout.fdtAddr + fdtSize <= layout.fdtLimit) return true;
  if (layout.fdtOptional) return false;
  throw axErr(
    "OutOfRange",
    `the device tree (${fdtSize} bytes at ${hex(layout.fdtAddr)}) does not fit below ${hex(layout.fdtLimit)}; use a larger -m`,
  );
}

/** Puts bootargs and the initrd range into `/chosen` of a tree (user-supplied `-dtb` too). */
export function applyChosen(
  dt: DeviceTree,
  bootargs: string | undefined,
  initrd: { start: number; end: number } | undefined,
): void {
  const chosen = dt.root.ensureNode("chosen");
  if (bootargs !== undefined) chosen.setString("bootargs", bootargs);
  if (initrd !== undefined) {
    const set = (name: string, v: number) =>
      v < 2 ** 32 ? chosen.setU32(name, v) : chosen.setU64(name, v);
    set("linux,initrd-start", initrd.start);
    set("linux,initrd-end", initrd.end);
  }
}
