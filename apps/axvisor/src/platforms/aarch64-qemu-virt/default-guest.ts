import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { MemoryBlockBacking, SECTOR_SIZE } from "@axvisor/device-virtio-mmio";
import { MappingFlags } from "@axvisor/memory-addr";
import { ARM_VIRT } from "@axvisor/platform-aarch64-qemu-virt";
import { hostFiles } from "../../host/host-files.js";

/** Where the demo's arm64 Image goes: 2 MiB into RAM, as QEMU and Linux place it. */
const DEMO_LOAD = ARM_VIRT.ram.base + 0x20_0000;
const DEMO_RAM = 64 << 20;

/** guests/aarch64/demo/demo.bin, found from this module's place in the app (src or dist). */
export function armDefaultGuestBinary(): string {
  const path = decodeURIComponent(
    new URL("../../../../../guests/aarch64/demo/demo.bin", import.meta.url).pathname,
  );
  if (!hostFiles().exists(path)) {
    throw axErr(
      "NotFound",
      `the default guest ${path} is missing (it is part of the repository; rebuild it with guests/aarch64/build.sh)`,
    );
  }
  return path;
}

/**
 * The built-in config of `--default-guest` on aarch64: the demo guest with two vCPUs (the
 * second started by the guest with PSCI CPU_ON), 64 MiB of RAM, the vGIC (`gicVersion`: 3,
 * or 2 for a vGICv2), the PL011 console and a virtio-blk disk in QEMU virt's first slot.
 */
export function armDefaultGuestConfig(
  binary = armDefaultGuestBinary(),
  gicVersion: 2 | 3 = 3,
): AxVMCrateConfig {
  return {
    base: { id: 1, name: "demo", vmType: VmType.RTOS, cpuNum: 2, physCpuIds: [0, 1] },
    kernel: {
      entryPoint: DEMO_LOAD,
      kernelPath: binary,
      kernelLoadAddr: DEMO_LOAD,
      imageLocation: "memory",
      dtbLoadAddr: ARM_VIRT.ram.base + DEMO_RAM - 0x20_0000,
      memoryRegions: [
        {
          gpa: ARM_VIRT.ram.base,
          size: DEMO_RAM,
          flags: MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE,
          mapType: VmMemMappingType.MapAlloc,
        },
      ],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: [
        {
          name: "gic",
          baseGpa: ARM_VIRT.gicDist.base,
          length: ARM_VIRT.gicDist.size,
          irqId: 0,
          emuType: EmulatedDeviceType.InterruptController,
          cfgList: [gicVersion],
        },
        {
          name: "uart",
          baseGpa: ARM_VIRT.uart.base,
          length: ARM_VIRT.uart.size,
          irqId: 1,
          emuType: EmulatedDeviceType.Console,
          cfgList: [],
        },
        {
          name: "virtio-blk",
          baseGpa: ARM_VIRT.virtio.base,
          length: ARM_VIRT.virtio.size,
          irqId: 16,
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
export function armDefaultGuestDisk(): MemoryBlockBacking {
  const bytes = new Uint8Array(1 << 20);
  const text = new TextEncoder().encode(
    "AxVisor.ts demo disk: sector 0 read through virtio-blk, emulated by the VMM.\n",
  );
  bytes.set(text, 0);
  bytes[SECTOR_SIZE - 2] = 0x55;
  bytes[SECTOR_SIZE - 1] = 0xaa;
  return new MemoryBlockBacking(bytes);
}
