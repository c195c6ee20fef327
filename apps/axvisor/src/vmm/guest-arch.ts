import { type Arch, archOfElfMachine } from "@axvisor/arch";
import { type AxVMCrateConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { isArm64LinuxImage, isRiscvLinuxImage, isX86LinuxBzImage } from "@axvisor/guest-image";
import { hostFiles } from "../host/host-files.js";

/** Enough of a kernel file to see its ELF header, Linux Image header or bzImage setup header. */
const HEAD_BYTES = 4096;

function readHead(path: string): Uint8Array | undefined {
  try {
    return hostFiles().readHead(path, HEAD_BYTES);
  } catch {
    // Unreadable here: the image loader reports it with the full story later.
    return undefined;
  }
}

/** The architecture a kernel file is built for, from its header; undefined for a raw binary. */
export function archOfKernel(head: Uint8Array): Arch | undefined {
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    if (head.length < 20) return undefined;
    return archOfElfMachine(head[18]! | (head[19]! << 8));
  }
  if (isRiscvLinuxImage(head)) return "riscv64";
  if (isArm64LinuxImage(head)) return "aarch64";
  if (isX86LinuxBzImage(head)) return "x86_64";
  return undefined;
}

/**
 * The architecture of a VM, from its kernel as far as the file tells (an ELF's machine, a
 * Linux Image's or bzImage's header). Undefined when it cannot tell: a raw binary, or images
 * inside a FAT32 disk (`image_location = "fs"`), which are only opened when the VM is built.
 */
export function guestArchOf(config: AxVMCrateConfig): Arch | undefined {
  if (config.kernel.imageLocation !== "memory") return undefined;
  const head = readHead(resolveConfigPath(config, config.kernel.kernelPath));
  return head === undefined ? undefined : archOfKernel(head);
}
