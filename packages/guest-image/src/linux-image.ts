import { axErr } from "@axvisor/axerrno";
import { ByteReader } from "./byte-reader.js";
import { hex, ImageFormatError } from "./image-error.js";

/**
 * The header of a Linux RISC-V `Image` (Documentation/riscv/boot-image-header.rst):
 * code0/code1, text_offset @8, image_size @16, flags @24, version @32 (major << 16 | minor),
 * magic "RISCV\0\0\0" @48, magic2 "RSC\x05" @56, PE/COFF offset @60.
 */
export interface RiscvImageHeader {
  /** Offset from a 2 MiB aligned RAM base at which the kernel expects to be loaded. */
  readonly textOffset: number;
  /** Bytes of memory the kernel occupies from its load address (bss included). */
  readonly imageSize: number;
  readonly flags: bigint;
  readonly bigEndian: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** Offset of the PE/COFF header for EFI boot, 0 when there is none. */
  readonly peOffset: number;
}

/**
 * The header of a Linux arm64 `Image` (Documentation/arm64/booting.rst): text_offset @8,
 * image_size @16, flags @24, magic "ARM\x64" @56, PE/COFF offset @60.
 */
export interface Arm64ImageHeader {
  readonly textOffset: number;
  /** 0 for kernels older than 3.17, which predate the field. */
  readonly imageSize: number;
  readonly flags: bigint;
  readonly bigEndian: boolean;
  /** Kernel page size from flags bits 1-2, undefined when unspecified. */
  readonly pageSize: 4096 | 16384 | 65536 | undefined;
  /** flags bit 3: the kernel may sit anywhere in RAM, not only near its start. */
  readonly physPlacementAnywhere: boolean;
  readonly peOffset: number;
}

export const RISCV_IMAGE_MAGIC = "RISCV\0\0\0";
export const RISCV_IMAGE_MAGIC2 = "RSC\x05";
export const ARM64_IMAGE_MAGIC = "ARM\x64";

/** Header span both formats share: 64 bytes. */
const HEADER_SIZE = 64;

const hasAscii = (b: Uint8Array, at: number, s: string): boolean =>
  b.length >= at + s.length && [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

export const isRiscvLinuxImage = (bytes: Uint8Array): boolean =>
  hasAscii(bytes, 56, RISCV_IMAGE_MAGIC2) || hasAscii(bytes, 48, RISCV_IMAGE_MAGIC);

export const isArm64LinuxImage = (bytes: Uint8Array): boolean =>
  hasAscii(bytes, 56, ARM64_IMAGE_MAGIC);

/**
 * An x86 Linux bzImage: the boot protocol's setup header carries "HdrS" at offset 0x202
 * (Documentation/arch/x86/boot.rst) and the boot sector ends in 0x55 0xAA at 0x1FE.
 */
export const isX86LinuxBzImage = (bytes: Uint8Array): boolean =>
  bytes[0x1fe] === 0x55 && bytes[0x1ff] === 0xaa && hasAscii(bytes, 0x202, "HdrS");

/** Parses a RISC-V Linux Image header; throws naming the problem if the magic is absent. */
export function parseRiscvImageHeader(bytes: Uint8Array, name = "RISC-V Image"): RiscvImageHeader {
  const r = new ByteReader(bytes, name);
  r.need(0, HEADER_SIZE, "the RISC-V Image header");
  // magic2 is what the boot protocol says to check; the 8-byte magic is deprecated but still
  // written, so either identifies the file.
  if (!isRiscvLinuxImage(bytes)) {
    throw new ImageFormatError(
      "bad-magic",
      `${name}: not a Linux RISC-V Image: no "RSC\\x05" magic at offset 56 ` +
        `(found ${JSON.stringify(r.ascii(56, 4, "magic2"))}) and no "RISCV" magic at 48`,
    );
  }
  const flags = r.u64(24, "flags");
  const version = r.u32(32, "version");
  return {
    textOffset: r.u64Number(8, "text_offset"),
    imageSize: r.u64Number(16, "image_size"),
    flags,
    bigEndian: (flags & 1n) === 1n,
    versionMajor: version >>> 16,
    versionMinor: version & 0xffff,
    peOffset: r.u32(60, "PE/COFF offset"),
  };
}

const PAGE_SIZES = [undefined, 4096, 16384, 65536] as const;

/** Parses an arm64 Linux Image header; throws naming the problem if the magic is absent. */
export function parseArm64ImageHeader(bytes: Uint8Array, name = "arm64 Image"): Arm64ImageHeader {
  const r = new ByteReader(bytes, name);
  r.need(0, HEADER_SIZE, "the arm64 Image header");
  if (!isArm64LinuxImage(bytes)) {
    throw new ImageFormatError(
      "bad-magic",
      `${name}: not a Linux arm64 Image: no "ARM\\x64" magic at offset 56 ` +
        `(found ${JSON.stringify(r.ascii(56, 4, "magic"))})`,
    );
  }
  const flags = r.u64(24, "flags");
  const f = Number(flags & 0xfn);
  return {
    textOffset: r.u64Number(8, "text_offset"),
    imageSize: r.u64Number(16, "image_size"),
    flags,
    bigEndian: (f & 1) === 1,
    pageSize: PAGE_SIZES[(f >> 1) & 3],
    physPlacementAnywhere: (f & 8) !== 0,
    peOffset: r.u32(60, "PE/COFF offset"),
  };
}

/**
 * The address a RISC-V or arm64 Image must be loaded at for a given 2 MiB aligned RAM base:
 * base + text_offset. Throws if the base is misaligned, since the kernel's early page tables
 * assume the alignment.
 */
export function linuxImageLoadAddress(
  header: RiscvImageHeader | Arm64ImageHeader,
  ramBase: number,
): number {
  const TWO_MIB = 0x20_0000;
  if (ramBase % TWO_MIB !== 0) {
    throw axErr("InvalidInput", `Linux Image RAM base ${hex(ramBase)} is not 2 MiB aligned`);
  }
  return ramBase + header.textOffset;
}
