import type { Arch } from "@axvisor/arch";
import { axErr } from "@axvisor/axerrno";
import { identifyImage, isX86LinuxBzImage } from "@axvisor/guest-image";
import { formatHex, isAligned, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import { checkBzImage, KERNEL_ADDR, setupBytes } from "@axvisor/platform-x86_64-qemu-q35";
import type { ImageFile } from "./image-store.js";

/** How the kernel file was recognised. */
export type KernelFormat = "elf" | "linux-riscv64" | "linux-arm64" | "linux-x86" | "raw";

/** One contiguous piece of guest memory an image occupies. */
export interface ImagePiece {
  readonly gpa: number;
  /** Bytes copied from the file. */
  readonly data: Uint8Array;
  /**
   * Bytes the image claims after `data` (ELF bss, zero-filled; a Linux Image's BSS up to
   * image_size, left to the kernel to clear). They count in the overlap checks.
   */
  readonly tail: number;
  /** Whether the tail is written as zeros by the loader. */
  readonly zeroTail: boolean;
}

export interface KernelPlan {
  readonly format: KernelFormat;
  readonly pieces: readonly ImagePiece[];
  readonly entry: number;
  /** Linux Image header fields, for the report. */
  readonly textOffset?: number;
  readonly imageSize?: number;
  /** A bzImage's boot sector and setup code (the setup header boot_params copies). */
  readonly setup?: Uint8Array;
}

/**
 * Decides where the kernel's bytes go.
 *
 * - ELF: every PT_LOAD segment at its physical address (its bss zero-filled), entry from the
 *   ELF header. kernel_load_addr is not used: the ELF knows where it was linked. When an
 *   identical-mapped region moved the configured load address, the segments move by the same
 *   amount (`bias`), which suits position-independent images.
 * - Linux RISC-V Image: at the load address, which must be 2 MiB aligned (the RISC-V boot
 *   protocol for RV64); the header's image_size (text + data + BSS) is the footprint the
 *   overlap and fit checks use. text_offset is reported, not applied: it only tells a
 *   bootloader how far above the start of RAM the kernel likes to sit, and the config already
 *   says where it goes.
 * - Linux arm64 Image: at the load address, which must be text_offset above a 2 MiB-aligned
 *   address (arm64 booting.rst); footprint from image_size (0 in kernels before 3.17: the file
 *   size then).
 * - Linux x86 bzImage: the boot protocol's protected-mode part (after the setup sectors) at
 *   the load address, 1 MiB (code32_start) or, for a relocatable kernel, any address aligned
 *   to its kernel_alignment; footprint init_size; entry the load address (the 32-bit entry).
 *   The setup sectors are kept for the boot_params the platform builds.
 * - Anything else: a raw binary at the load address.
 *
 * For raw and Linux images the entry is the configured entry point (moved with its region).
 * With `arch`, an ELF of another machine or a Linux image of another architecture is refused
 * with an error naming both.
 */
export function planKernel(
  file: ImageFile,
  loadGpa: number,
  entryGpa: number,
  bias: number,
  arch?: Arch,
): KernelPlan {
  const bytes = file.bytes;
  if (bytes.length === 0) throw axErr("InvalidData", `the kernel image ${file.shown} is empty`);
  const id = identifyImage(bytes, { name: file.shown, ...(arch !== undefined ? { arch } : {}) });
  switch (id.kind) {
    case "elf": {
      const pieces = id.elf.segments
        .filter((s) => s.memsz > 0)
        .map((s) => ({
          gpa: s.paddr + bias,
          data: s.data.subarray(0, s.filesz),
          tail: s.memsz - s.filesz,
          zeroTail: true,
        }));
      if (pieces.length === 0) {
        throw axErr("InvalidData", `${file.shown}: the ELF file has no loadable (PT_LOAD) segment`);
      }
      return { format: "elf", pieces, entry: id.elf.entry + bias };
    }
    case "linux-riscv64": {
      const h = id.header;
      if (h.bigEndian) {
        throw axErr(
          "Unsupported",
          `${file.shown}: big-endian RISC-V kernel; the guest is little-endian`,
        );
      }
      if (!isAligned(loadGpa, PAGE_SIZE_2M)) {
        throw axErr(
          "InvalidInput",
          `${file.shown}: a RISC-V Linux Image must be loaded at a 2 MiB-aligned address, not ${formatHex(loadGpa)}`,
        );
      }
      return {
        format: "linux-riscv64",
        pieces: [linuxPiece(loadGpa, bytes, h.imageSize)],
        entry: entryGpa,
        textOffset: h.textOffset,
        imageSize: h.imageSize,
      };
    }
    case "linux-arm64": {
      const h = id.header;
      if (h.bigEndian) {
        throw axErr(
          "Unsupported",
          `${file.shown}: big-endian arm64 kernel; the guest is little-endian`,
        );
      }
      if (!isAligned(loadGpa - h.textOffset, PAGE_SIZE_2M)) {
        throw axErr(
          "InvalidInput",
          `${file.shown}: an arm64 Linux Image must be loaded text_offset (${formatHex(h.textOffset)}) above a 2 MiB-aligned address, not at ${formatHex(loadGpa)}`,
        );
      }
      return {
        format: "linux-arm64",
        pieces: [linuxPiece(loadGpa, bytes, h.imageSize)],
        entry: entryGpa,
        textOffset: h.textOffset,
        imageSize: h.imageSize,
      };
    }
    case "raw":
      if (isX86LinuxBzImage(bytes)) return planBzImage(file, loadGpa);
      return { format: "raw", pieces: [rawPiece(loadGpa, bytes)], entry: entryGpa };
    default: {
      const never: never = id;
      throw axErr("InvalidData", `unknown image kind ${JSON.stringify(never)}`);
    }
  }
}

function planBzImage(file: ImageFile, loadGpa: number): KernelPlan {
  const bytes = file.bytes;
  const hdr = checkBzImage(bytes, file.shown);
  const align = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    0x230,
    true,
  );
  const fits = loadGpa === KERNEL_ADDR || (hdr.relocatable && align > 0 && loadGpa % align === 0);
  if (!fits) {
    throw axErr(
      "InvalidInput",
      `${file.shown}: a bzImage's protected-mode kernel goes at ${formatHex(KERNEL_ADDR)}${hdr.relocatable ? ` or a multiple of its kernel_alignment ${formatHex(align)}` : ""}, not ${formatHex(loadGpa)}`,
    );
  }
  const setup = setupBytes(hdr);
  const pm = bytes.subarray(setup);
  return {
    format: "linux-x86",
    pieces: [
      { gpa: loadGpa, data: pm, tail: Math.max(0, hdr.initSize - pm.length), zeroTail: false },
    ],
    entry: loadGpa,
    imageSize: Math.max(pm.length, hdr.initSize),
    setup: bytes.subarray(0, setup),
  };
}

function linuxPiece(gpa: number, bytes: Uint8Array, imageSize: number): ImagePiece {
  return { gpa, data: bytes, tail: Math.max(0, imageSize - bytes.length), zeroTail: false };
}

export function rawPiece(gpa: number, bytes: Uint8Array): ImagePiece {
  return { gpa, data: bytes, tail: 0, zeroTail: false };
}

/** A BIOS is an ELF (loaded by segments, at its own addresses) or a raw binary. */
export function planBios(file: ImageFile, loadGpa: number, arch?: Arch): readonly ImagePiece[] {
  const id = identifyImage(file.bytes, {
    name: file.shown,
    ...(arch !== undefined ? { arch } : {}),
  });
  if (id.kind !== "elf") return [rawPiece(loadGpa, file.bytes)];
  return id.elf.segments
    .filter((s) => s.memsz > 0)
    .map((s) => ({
      gpa: s.paddr,
      data: s.data.subarray(0, s.filesz),
      tail: s.memsz - s.filesz,
      zeroTail: true,
    }));
}
