import type { Arch } from "@axvisor/arch";
import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { alignDown, MappingFlags, PAGE_SIZE_2M } from "@axvisor/memory-addr";
import {
  type AxVMCrateConfig,
  type ImageLocation,
  type VmDevicesConfig,
  VmMemMappingType,
  VmType,
} from "./types.js";

/** Re-exported from @axvisor/arch, the one place that names architectures. */
export { ARCHES, type Arch, isArch } from "@axvisor/arch";

/** Where each architecture's QEMU-style board puts RAM and where a kernel usually goes. */
export interface ArchDefaults {
  memoryBase: number;
  memorySize: number;
  /** MappingFlags for guest RAM. */
  memoryFlags: number;
  kernelLoadAddr: number;
  kernelPath: string;
  /** x86 guests start in a small BIOS that then jumps to the kernel. */
  bios?: { path: string; loadAddr: number };
}

const RWX = MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE;

export const ARCH_DEFAULTS: Record<Arch, ArchDefaults> = {
  // QEMU virt: RAM at 2 GiB; the kernel 2 MiB in (where OpenSBI leaves room and Linux wants
  // a 2 MiB-aligned start). G-stage leaf entries must have U set: every guest access counts as
  // a user access in the second stage, so RAM gets R|W|X|U.
  riscv64: {
    memoryBase: 0x8000_0000,
    memorySize: 256 * 1024 * 1024,
    memoryFlags: RWX | MappingFlags.USER,
    kernelLoadAddr: 0x8020_0000,
    kernelPath: "kernel-riscv64.bin",
  },
  // QEMU virt: RAM at 1 GiB; arm64 Linux needs a 2 MiB-aligned image start.
  aarch64: {
    memoryBase: 0x4000_0000,
    memorySize: 256 * 1024 * 1024,
    memoryFlags: RWX,
    kernelLoadAddr: 0x4020_0000,
    kernelPath: "kernel-aarch64.bin",
  },
  // PC: low RAM from 0; axvm-bios at 0x8000 switches to long mode and enters the kernel.
  x86_64: {
    memoryBase: 0,
    memorySize: 16 * 1024 * 1024,
    memoryFlags: RWX,
    kernelLoadAddr: 0x20_0000,
    kernelPath: "kernel-x86_64.bin",
    bios: { path: "axvm-bios.bin", loadAddr: 0x8000 },
  },
};

export interface TemplateParams {
  id?: number;
  name?: string;
  vmType?: VmType;
  cpuNum?: number;
  /** Default: the BIOS load address when the arch boots through one, else the kernel's. */
  entryPoint?: number;
  kernelPath?: string;
  kernelLoadAddr?: number;
  imageLocation?: ImageLocation;
  cmdline?: string;
  memorySize?: number;
  /** Default: the arch's RAM base, or the kernel's 2 MiB-aligned address if that is outside. */
  memoryBase?: number;
}

/**
 * A complete, valid config for `arch` with the given values filled in: one RAM region holding
 * the kernel, and the devices a guest on that board expects.
 */
export function vmConfigTemplate(arch: Arch, params: TemplateParams = {}): AxVMCrateConfig {
  const d = ARCH_DEFAULTS[arch];
  const cpuNum = params.cpuNum ?? 1;
  const kernelLoadAddr = params.kernelLoadAddr ?? d.kernelLoadAddr;
  const memorySize = params.memorySize ?? d.memorySize;
  const memoryBase =
    params.memoryBase ??
    (kernelLoadAddr >= d.memoryBase && kernelLoadAddr < d.memoryBase + memorySize
      ? d.memoryBase
      : alignDown(kernelLoadAddr, PAGE_SIZE_2M));
  const config: AxVMCrateConfig = {
    base: {
      id: params.id ?? 1,
      name: params.name ?? `GuestVM-${arch}`,
      vmType: params.vmType ?? VmType.RTOS,
      cpuNum,
      physCpuIds: Array.from({ length: cpuNum }, (_, i) => i),
    },
    kernel: {
      entryPoint: params.entryPoint ?? d.bios?.loadAddr ?? kernelLoadAddr,
      kernelPath: params.kernelPath ?? d.kernelPath,
      kernelLoadAddr,
      imageLocation: params.imageLocation ?? "memory",
      memoryRegions: [
        {
          gpa: memoryBase,
          size: memorySize,
          flags: d.memoryFlags,
          mapType: VmMemMappingType.MapAlloc,
        },
      ],
    },
    devices: archDevices(arch, cpuNum),
  };
  if (d.bios !== undefined) {
    config.kernel.biosPath = d.bios.path;
    config.kernel.biosLoadAddr = d.bios.loadAddr;
  }
  if (params.cmdline !== undefined) config.kernel.cmdline = params.cmdline;
  return config;
}

function archDevices(arch: Arch, cpuNum: number): VmDevicesConfig {
  switch (arch) {
    case "riscv64":
      // What the emulated board gives a guest: a 16550 console and a virtual PLIC with an
      // M- and an S-mode context per hart, as QEMU's virt lays them out.
      return {
        emuDevices: [
          {
            name: "uart",
            baseGpa: 0x1000_0000,
            length: 0x100,
            irqId: 10,
            emuType: EmulatedDeviceType.Console,
            cfgList: [],
          },
          {
            name: "plic",
            baseGpa: 0x0c00_0000,
            length: 0x60_0000,
            irqId: 0,
            emuType: EmulatedDeviceType.PPPTGlobal,
            cfgList: [2 * cpuNum],
          },
        ],
        passthroughDevices: [],
        passthroughAddresses: [],
        excludedDevices: [],
        interruptMode: "emu",
      };
    case "aarch64":
      // AxVisor's QEMU shape: pass the host's device tree through, minus PCIe.
      return {
        emuDevices: [],
        passthroughDevices: [{ name: "/", baseGpa: 0, baseHpa: 0, length: 0, irqId: 0 }],
        passthroughAddresses: [],
        excludedDevices: [["/pcie@10000000"]],
        interruptMode: "passthrough",
      };
    case "x86_64":
      // AxVisor's q35 shape: the interrupt controllers and timer passed through. (The stale
      // template also listed these windows as memory regions; they are devices, not RAM.)
      return {
        emuDevices: [],
        passthroughDevices: [
          { name: "IO APIC", baseGpa: 0xfec0_0000, baseHpa: 0xfec0_0000, length: 0x1000, irqId: 0 },
          { name: "HPET", baseGpa: 0xfed0_0000, baseHpa: 0xfed0_0000, length: 0x1000, irqId: 0 },
          {
            name: "Local APIC",
            baseGpa: 0xfee0_0000,
            baseHpa: 0xfee0_0000,
            length: 0x1000,
            irqId: 0,
          },
        ],
        passthroughAddresses: [],
        excludedDevices: [],
        interruptMode: "passthrough",
      };
  }
}
