import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { MemoryBlockBacking, SECTOR_SIZE } from "@axvisor/device-virtio-mmio";
import { MappingFlags } from "@axvisor/memory-addr";
import { hostFiles } from "../../host/host-files.js";

/**
 * The demo guest's binary, found from this module's place in the app package (src/vmm or
 * dist/vmm), so `axvisor run --default-guest` works from a fresh clone without installing
 * anything else.
 */
export function defaultGuestBinary(): string {
  const path = decodeURIComponent(
    new URL("../../../../../guests/riscv64/demo/demo.bin", import.meta.url).pathname,
  );
  if (!hostFiles().exists(path)) {
    throw axErr(
      "NotFound",
      `the default guest ${path} is missing (it is part of the repository; rebuild it with guests/riscv64/build.sh)`,
    );
  }
  return path;
}

/**
 * The built-in config of `--default-guest`: the demo guest with two vCPUs (the second started
 * by the guest through SBI HSM), 64 MiB of RAM, the PLIC and a virtio-blk disk. Its console is
 * the SBI console, so it has no UART.
 */
export function defaultGuestConfig(binary = defaultGuestBinary()): AxVMCrateConfig {
  return {
    base: { id: 1, name: "demo", vmType: VmType.RTOS, cpuNum: 2, physCpuIds: [0, 1] },
    kernel: {
      entryPoint: 0x8020_0000,
      kernelPath: binary,
      kernelLoadAddr: 0x8020_0000,
      imageLocation: "memory",
      memoryRegions: [
        {
          gpa: 0x8000_0000,
          size: 64 << 20,
          flags: MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE | MappingFlags.USER,
          mapType: VmMemMappingType.MapAlloc,
        },
      ],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: [
        {
          name: "plic",
          baseGpa: 0x0c00_0000,
          length: 0x60_0000,
          irqId: 0,
          emuType: EmulatedDeviceType.PPPTGlobal,
          cfgList: [4],
        },
        {
          name: "virtio-blk",
          baseGpa: 0x1000_1000,
          length: 0x1000,
          irqId: 1,
          emuType: EmulatedDeviceType.VirtioBlk,
          cfgList: [],
        },
      ],
      passthroughDevices: [],
      passthroughAddresses: [],
      excludedDevices: [],
    },
  };
}

/**
 * The demo's disk: 1 MiB in memory whose first sector carries a greeting and the 0x55AA
 * boot signature, so the guest's boot-time sector read and `blk 0` show something readable.
 */
export function defaultGuestDisk(): MemoryBlockBacking {
  const bytes = new Uint8Array(1 << 20);
  const text = new TextEncoder().encode(
    "AxVisor.ts demo disk: sector 0 read through virtio-blk, emulated by the VMM.\n",
  );
  bytes.set(text, 0);
  bytes[SECTOR_SIZE - 2] = 0x55;
  bytes[SECTOR_SIZE - 1] = 0xaa;
  return new MemoryBlockBacking(bytes);
}
