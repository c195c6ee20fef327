import type { EmulatedDeviceType } from "@axvisor/axdevice-base";
import type { MappingFlags } from "@axvisor/memory-addr";

/**
 * The typed form of an AxVisor VM config file (`AxVMCrateConfig` in the axvmconfig crate). Field
 * names are the TOML names in camelCase; every number is a plain integer below 2^53.
 */
export interface AxVMCrateConfig {
  base: VmBaseConfig;
  kernel: VmKernelConfig;
  devices: VmDevicesConfig;
  /** The file the config was read from; relative image paths resolve against its folder. */
  source?: string;
}

/** What the VMM may assume about the guest. AxVisor itself does not act on it yet. */
export enum VmType {
  /** The host OS itself, booted in a VM afterwards ("type 1.5", as Jailhouse does). */
  HostVM = 0,
  /** A small OS that gets most devices passed through. AxVisor's default. */
  RTOS = 1,
  /** A full-featured OS that expects emulated devices. */
  Linux = 2,
}

export interface VmBaseConfig {
  id: number;
  name: string;
  vmType: VmType;
  cpuNum: number;
  /** Per-vCPU hardware CPU id (hartid, MPIDR, APIC id); absent means "vCPU index". */
  physCpuIds?: number[];
  /** Per-vCPU bitmask of the physical CPUs allowed to run it; absent means "any". */
  physCpuSets?: number[];
}

export type ImageLocation = "memory" | "fs";

export interface VmKernelConfig {
  entryPoint: number;
  kernelPath: string;
  kernelLoadAddr: number;
  biosPath?: string;
  biosLoadAddr?: number;
  dtbPath?: string;
  dtbLoadAddr?: number;
  ramdiskPath?: string;
  ramdiskLoadAddr?: number;
  /**
   * "memory": images are files on the host that runs the VMM (AxVisor embeds them at build
   * time); "fs": images are read from the hypervisor's own root filesystem.
   */
  imageLocation: ImageLocation;
  cmdline?: string;
  diskPath?: string;
  memoryRegions: VmMemConfig[];
}

export enum VmMemMappingType {
  /** The VMM allocates host memory and maps it at `gpa`. */
  MapAlloc = 0,
  /** The VMM allocates host memory and maps it at GPA = HPA (the configured gpa is a hint). */
  MapIdentical = 1,
  /** Host memory reserved for this guest: mapped gpa -> gpa, nothing allocated. */
  MapReserved = 2,
}

export interface VmMemConfig {
  gpa: number;
  size: number;
  /** MappingFlags bits: R=1 W=2 X=4 U=8 DEVICE=0x10 UNCACHED=0x20. */
  flags: MappingFlags;
  mapType: VmMemMappingType;
}

export type VmInterruptMode = "no_irq" | "emu" | "passthrough";

export interface VmDevicesConfig {
  emuDevices: EmulatedDeviceConfig[];
  passthroughDevices: PassThroughDeviceConfig[];
  passthroughAddresses: PassThroughAddressConfig[];
  /** FDT node paths (each row a list of paths) removed from the passthrough set. */
  excludedDevices: string[][];
  interruptMode: VmInterruptMode;
}

export interface EmulatedDeviceConfig {
  name: string;
  baseGpa: number;
  length: number;
  irqId: number;
  emuType: EmulatedDeviceType;
  /** Device-specific parameters, e.g. `[context_num]` for the PLIC (see EmulatedDeviceType). */
  cfgList: number[];
}

/**
 * A device identity-mapped into the guest. A name-only row (`["/soc/uart@..."]`, length 0) names
 * a device-tree node whose `reg` windows the VMM passes through.
 */
export interface PassThroughDeviceConfig {
  name: string;
  baseGpa: number;
  baseHpa: number;
  length: number;
  irqId: number;
}

export interface PassThroughAddressConfig {
  baseGpa: number;
  length: number;
}
