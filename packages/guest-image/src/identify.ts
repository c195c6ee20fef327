import { type Arch, ELF_MACHINE } from "@axvisor/arch";
import { assertNotCompressed } from "./compression.js";
import { type Elf64Image, isElf, parseElf64 } from "./elf.js";
import { ImageFormatError } from "./image-error.js";
import {
  type Arm64ImageHeader,
  isArm64LinuxImage,
  isRiscvLinuxImage,
  isX86LinuxBzImage,
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
  /**
   * The architecture the image must be for: an ELF of another machine, or a Linux kernel
   * image of another architecture (RISC-V or arm64 Image, x86 bzImage), is refused with a
   * "wrong-machine" error naming both.
   */
  arch?: Arch;
}

function wrongArch(name: string, what: string, arch: Arch): ImageFormatError {
  return new ImageFormatError(
    "wrong-machine",
    `${name}: wrong architecture: it is ${what}, but the VM is ${arch}`,
  );
}

/**
 * Tells ELF files, Linux RISC-V and arm64 Images and raw binaries apart. A compressed file
 * (gzip, xz, zstd, ...) is refused with a "compressed image" error instead of being taken for
 * a raw binary, which would otherwise boot garbage.
 */
export function identifyImage(bytes: Uint8Array, options: IdentifyOptions = {}): IdentifiedImage {
  const name = options.name ?? "guest image";
  const arch = options.arch;
  if (isElf(bytes)) {
    const machine = options.machine ?? (arch === undefined ? undefined : ELF_MACHINE[arch]);
    const elfOptions = machine === undefined ? { name } : { name, machine };
    return { kind: "elf", elf: parseElf64(bytes, elfOptions) };
  }
  if (isRiscvLinuxImage(bytes)) {
    if (arch !== undefined && arch !== "riscv64")
      throw wrongArch(name, "a Linux riscv64 Image", arch);
    return { kind: "linux-riscv64", header: parseRiscvImageHeader(bytes, name) };
  }
  if (isArm64LinuxImage(bytes)) {
    if (arch !== undefined && arch !== "aarch64")
      throw wrongArch(name, "a Linux arm64 Image", arch);
    return { kind: "linux-arm64", header: parseArm64ImageHeader(bytes, name) };
  }
  if (arch !== undefined && arch !== "x86_64" && isX86LinuxBzImage(bytes)) {
    throw wrongArch(name, "a Linux x86 bzImage", arch);
  }
  assertNotCompressed(bytes, name);
  return { kind: "raw" };
}
