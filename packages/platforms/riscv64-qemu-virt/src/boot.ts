import { axErr } from "@axvisor/axerrno";
import type { DeviceTree } from "@axvisor/fdt";
import {
  type Elf64Image,
  ElfMachine,
  findSymbol,
  identifyImage,
  type LoadedImage,
  loadRaw,
  zeroFill,
} from "@axvisor/guest-image";
import { alignDown, alignUp, PAGE_SIZE_2M, PAGE_SIZE_4K } from "@axvisor/memory-addr";
import { buildResetRom, type FwDynamicInfo } from "./reset-rom.js";

/** A file handed to the board: its bytes and the name used in error messages. */
export interface BootFile {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface BootImages {
  /** M-mode firmware (OpenSBI), loaded at the start of RAM; absent = `-bios none`. */
  readonly firmware?: BootFile;
  /** ELF, Linux Image or raw binary. */
  readonly kernel?: BootFile;
  readonly initrd?: BootFile;
}

/** Where the images went. */
export interface BootLayout {
  /** Where the reset stub jumps: the firmware's entry, or the kernel's with no firmware. */
  readonly startAddr: number;
  readonly firmware?: LoadedImage;
  readonly kernel?: LoadedImage & { readonly kind: string };
  readonly initrd?: { readonly start: number; readonly end: number };
  /** HTIF words found in an ELF's symbol table. */
  readonly htif?: { readonly tohost: number; readonly fromhost: number | undefined };
}

export interface RamWriter {
  readonly ramBase: number;
  readonly ramSize: number;
  writeRam(paddr: number, bytes: Uint8Array): void;
}

const hex = (n: number) => `0x${n.toString(16)}`;
const MiB = 1024 * 1024;

function loadImage(
  file: BootFile,
  loadAddr: number,
  mem: RamWriter,
): { loaded: LoadedImage; kind: string; tohost?: number; fromhost?: number } {
  const id = identifyImage(file.data, { name: file.name, machine: ElfMachine.RISCV });
  const ramEnd = mem.ramBase + mem.ramSize;
  const check = (low: number, high: number) => {
    if (low < mem.ramBase || high > ramEnd) {
      throw axErr(
        "OutOfRange",
        `${file.name}: needs memory ${hex(low)}..${hex(high)}, outside RAM ` +
          `${hex(mem.ramBase)}..${hex(ramEnd)} (use a larger -m?)`,
      );
    }
  };
  if (id.kind === "elf") {
    const loaded = loadElfClipped(id.elf, file.name, mem);
    const sym = (n: string) => {
      const s = findSymbol(id.elf, n);
      return s === undefined ? undefined : Number(s.value);
    };
    const tohost = sym("tohost");
    const fromhost = sym("fromhost");
    return {
      loaded,
      kind: "elf",
      ...(tohost !== undefined ? { tohost } : {}),
      ...(fromhost !== undefined ? { fromhost } : {}),
    };
  }
  if (id.kind === "linux-arm64") {
    throw axErr("InvalidInput", `${file.name}: an arm64 Linux Image cannot boot on riscv64`);
  }
  const size = id.kind === "linux-riscv64" ? Math.max(id.header.imageSize, file.data.length) : 0;
  check(loadAddr, loadAddr + Math.max(size, file.data.length));
  return {
    loaded: loadRaw(file.data, loadAddr, (a, b) => mem.writeRam(a, b)),
    kind: id.kind,
  };
}

/**
 * Loads an ELF's PT_LOAD segments at their physical addresses. Like QEMU, bytes of a segment
 * that fall outside RAM are dropped (linkers often put the ELF headers in the first segment,
 * one page below the load address); a segment entirely outside RAM is an error.
 */
function loadElfClipped(elf: Elf64Image, name: string, mem: RamWriter): LoadedImage {
  const ramEnd = mem.ramBase + mem.ramSize;
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const seg of elf.segments) {
    const start = Math.max(seg.paddr, mem.ramBase);
    const end = Math.min(seg.paddr + seg.memsz, ramEnd);
    if (end <= start) {
      throw axErr(
        "OutOfRange",
        `${name}: segment ${hex(seg.paddr)}..${hex(seg.paddr + seg.memsz)} is outside RAM ` +
          `${hex(mem.ramBase)}..${hex(ramEnd)} (use a larger -m?)`,
      );
    }
    const fileEnd = Math.min(seg.paddr + seg.filesz, end);
    if (fileEnd > start) {
      mem.writeRam(start, seg.data.subarray(start - seg.paddr, fileEnd - seg.paddr));
    }
    zeroFill(
      (a, b) => mem.writeRam(a, b),
      Math.max(start, fileEnd),
      end - Math.max(start, fileEnd),
    );
    low = Math.min(low, start);
    high = Math.max(high, end);
  }
  if (low === Number.POSITIVE_INFINITY) throw axErr("InvalidData", `${name}: no loadable segment`);
  if (elf.entry < mem.ramBase || elf.entry >= ramEnd) {
    throw axErr("OutOfRange", `${name}: entry point ${hex(elf.entry)} is outside RAM`);
  }
  return { entry: elf.entry, low, high };
}

/**
 * Loads firmware, kernel and initrd the way QEMU 7.2's virt machine does:
 * - firmware (ELF at its addresses, raw at the RAM base);
 * - the kernel (ELF at its own addresses; Image or raw at the first 2 MiB boundary after the
 *   firmware: 0x80200000 behind OpenSBI, the RAM base with no firmware);
 * - the initrd at kernel + min(RAM/2, 128 MiB), moved past the kernel if that overlaps.
 */
export function loadBootImages(images: BootImages, mem: RamWriter): BootLayout {
  let firmware: LoadedImage | undefined;
  let htif: BootLayout["htif"];
  const noteHtif = (r: { tohost?: number; fromhost?: number }) => {
    if (htif === undefined && r.tohost !== undefined) {
      htif = { tohost: r.tohost, fromhost: r.fromhost };
    }
  };
  if (images.firmware !== undefined) {
    const r = loadImage(images.firmware, mem.ramBase, mem);
    firmware = r.loaded;
    noteHtif(r);
  }
  let kernel: BootLayout["kernel"];
  if (images.kernel !== undefined) {
    const start = firmware === undefined ? mem.ramBase : alignUp(firmware.high, PAGE_SIZE_2M);
    if (firmware !== undefined) {
      // A kernel over the firmware would be overwritten by it (or overwrite it): refuse.
      const k = identifyImage(images.kernel.data, { name: images.kernel.name });
      if (k.kind === "elf") {
        for (const s of k.elf.segments) {
          if (s.paddr < firmware.high && s.paddr + s.memsz > firmware.low) {
            throw axErr(
              "InvalidInput",
              `${images.kernel.name}: segment at ${hex(s.paddr)} overlaps the firmware ` +
                `(${hex(firmware.low)}..${hex(firmware.high)}); use -bios none for M-mode programs`,
            );
          }
        }
      }
    }
    const r = loadImage(images.kernel, start, mem);
    kernel = { ...r.loaded, kind: r.kind };
    noteHtif(r);
  }
  let initrd: BootLayout["initrd"];
  if (images.initrd !== undefined) {
    if (kernel === undefined) throw axErr("InvalidInput", "an initrd needs a kernel (-kernel)");
    let start = alignUp(kernel.entry + Math.min(mem.ramSize / 2, 128 * MiB), PAGE_SIZE_4K);
    if (start < kernel.high) start = alignUp(kernel.high, PAGE_SIZE_2M);
    const end = start + images.initrd.data.length;
    if (end > mem.ramBase + mem.ramSize) {
      throw axErr(
        "OutOfRange",
        `${images.initrd.name}: ${images.initrd.data.length} bytes do not fit in RAM above ` +
          `${hex(start)} (use a larger -m)`,
      );
    }
    mem.writeRam(start, images.initrd.data);
    initrd = { start, end };
  }
  const startAddr = firmware?.entry ?? kernel?.entry;
  if (startAddr === undefined) {
    throw axErr("InvalidInput", "nothing to run: give a firmware (-bios) or a kernel (-kernel)");
  }
  return {
    startAddr,
    ...(firmware !== undefined ? { firmware } : {}),
    ...(kernel !== undefined ? { kernel } : {}),
    ...(initrd !== undefined ? { initrd } : {}),
    ...(htif !== undefined ? { htif } : {}),
  };
}

/**
 * QEMU's device tree address: as high as possible so the kernel and initrd do not clobber it,
 * below 3 GiB for 32-bit software, 2 MiB aligned.
 */
export function fdtLoadAddress(ramBase: number, ramSize: number, fdtSize: number): number {
  const ramEnd = ramBase + ramSize;
  const top = ramBase < 3072 * MiB ? Math.min(ramEnd, 3072 * MiB) : ramEnd;
  const addr = alignDown(top - fdtSize, PAGE_SIZE_2M);
  if (addr < ramBase) throw axErr("OutOfRange", "RAM too small for the device tree");
  return addr;
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

/** The reset ROM for a layout: every hart runs it, hart ids in a0, the tree in a1. */
export function resetRomFor(layout: BootLayout, fdtAddr: number): Uint8Array {
  const fw: FwDynamicInfo = { nextAddr: layout.firmware ? (layout.kernel?.entry ?? 0) : 0 };
  return buildResetRom({ startAddr: layout.startAddr, fdtAddr, fwDynamic: fw });
}
