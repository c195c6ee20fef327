import { assertNotCompressed } from "./compression.js";
import { type Elf64Image, isElf, parseElf64 } from "./elf.js";
import {
  type Arm64ImageHeader,
  isArm64LinuxImage,
  isRiscvLinuxImage,
  parseArm64ImageHeader,
  parseRiscvImageHeader,
  type RiscvImageHeader,
} from "./linux-image.js";

/** What a guest image file turned out to be. */
export type IdentifiedImage =
  | { readonly kind: "elf"; readonly elf: Elf64Image }
  | { readonly kind: "linux-riscv64"; readonly header: RiscvImageHeader }
  | { readonly kind: "linux-arm64"; readonly header: Arm64ImageHeader }
  /** Anything else: a flat binary (firmware, U-Boot, bare-metal code) loaded as is. */
  | { readonly kind: "raw" };

export interface IdentifyOptions {
  name?: string;
  /** For ELF files: refuse other architectures (an ElfMachine value). */
  machine?: number;
}

/**
 * Tells ELF files, Linux RISC-V and arm64 Images and raw binaries apart. A compressed file
 * (gzip, xz, zstd, ...) is refused with a "compressed image" error instead of being taken for
 * a raw binary, which would otherwise boot garbage.
 */
export function identifyImage(bytes: Uint8Array, options: IdentifyOptions = {}): IdentifiedImage {
  const name = options.name ?? "guest image";
  if (isElf(bytes)) {
    const elfOptions =
      options.machine === undefined ? { name } : { name, machine: options.machine };
    return { kind: "elf", elf: parseElf64(bytes, elfOptions) };
  }
  if (isRiscvLinuxImage(bytes)) {
    return { kind: "linux-riscv64", header: parseRiscvImageHeader(bytes, name) };
  }
  if (isArm64LinuxImage(bytes)) {
    return { kind: "linux-arm64", header: parseArm64ImageHeader(bytes, name) };
  }
  assertNotCompressed(bytes, name);
  return { kind: "raw" };
}
