import { type Arch, archOfElfMachine } from "@axvisor/arch";
import { type AxVMCrateConfig, resolveConfigPath } from "@axvisor/axvmconfig";
import { isArm64LinuxImage, isRiscvLinuxImage, isX86LinuxBzImage } from "@axvisor/guest-image";
import { hostFiles } from "../host/host-files.js";

/**
 * Enough of a kernel file to see its ELF header, Linux Image header, bzImage setup header or
 * multiboot header (which lies in the first 8 KiB).
 */
const HEAD_BYTES = 8192;
/** Multiboot v1's header magic: only x86 kernels carry one. */
const MULTIBOOT_MAGIC = 0x1bad_b002;
/** The xAPIC window: a config that places a device there describes a PC. */
const X86_LAPIC_BASE = 0xfee0_0000;

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
  if (hasMultibootHeader(head)) return "x86_64";
  return undefined;
}

/** A multiboot v1 header: magic, flags and a checksum summing to 0, 4-aligned in 8 KiB. */
function hasMultibootHeader(head: Uint8Array): boolean {
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (let at = 0; at + 12 <= head.length; at += 4) {
    if (dv.getUint32(at, true) !== MULTIBOOT_MAGIC) continue;
    const sum = (MULTIBOOT_MAGIC + dv.getUint32(at + 4, true) + dv.getUint32(at + 8, true)) >>> 0;
    if (sum === 0) return true;
  }
  return false;
}

/** A config whose devices sit at the local APIC's address is for a PC. */
function archOfDevices(config: AxVMCrateConfig): Arch | undefined {
  const d = config.devices;
  const at = (base: number, len: number) => base <= X86_LAPIC_BASE && X86_LAPIC_BASE < base + len;
  if (
    d.passthroughDevices.some((p) => at(p.baseGpa, p.length)) ||
    d.emuDevices.some((e) => at(e.baseGpa, e.length))
  ) {
    return "x86_64";
  }
  return undefined;
}

/**
 * The architecture of a VM, from its kernel as far as the file tells (an ELF's machine, a
 * Linux Image's or bzImage's header, a multiboot header), else from its devices (one at the
 * x86 local APIC's address). Undefined when it cannot tell: a raw binary without such devices,
 * or images inside a FAT32 disk (`image_location = "fs"`), which are only opened when the VM
 * is built.
 */
export function guestArchOf(config: AxVMCrateConfig): Arch | undefined {
  if (config.kernel.imageLocation === "memory") {
    const head = readHead(resolveConfigPath(config, config.kernel.kernelPath));
    const arch = head === undefined ? undefined : archOfKernel(head);
    if (arch !== undefined) return arch;
  }
  return archOfDevices(config);
}
