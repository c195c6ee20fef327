import { axErr } from "@axvisor/axerrno";
import { type AxVMCrateConfig, VmMemMappingType, VmType } from "@axvisor/axvmconfig";
import { MappingFlags } from "@axvisor/memory-addr";
import { hostFiles } from "../../host/host-files.js";

/** A file of guests/x86_64, found from this module's place in the app package (src or dist). */
function guestFile(rel: string): string {
  const path = decodeURIComponent(
    new URL(`../../../../../guests/x86_64/${rel}`, import.meta.url).pathname,
  );
  if (!hostFiles().exists(path)) {
    throw axErr(
      "NotFound",
      `the x86_64 demo guest ${path} is missing (it is part of the repository; rebuild it with guests/x86_64/build.sh)`,
    );
  }
  return path;
}

/**
 * The x86_64 `--default-guest`: the RVM-Tutorial scenario with our own guests, axvm-bios at
 * 0x8000 (flat real mode) and NimbOS-x86 at 2 MiB, 16 MiB of RAM, two vCPUs (NimbOS's `smp`
 * starts the second by INIT-SIPI-SIPI), the console on COM1.
 */
export function x86DefaultGuestConfig(): AxVMCrateConfig {
  return {
    base: { id: 1, name: "nimbos", vmType: VmType.RTOS, cpuNum: 2, physCpuIds: [0, 1] },
    kernel: {
      entryPoint: 0x8000,
      kernelPath: guestFile("nimbos/nimbos.bin"),
      kernelLoadAddr: 0x20_0000,
      biosPath: guestFile("bios/axvm-bios.bin"),
      biosLoadAddr: 0x8000,
      imageLocation: "memory",
      memoryRegions: [
        {
          gpa: 0,
          size: 16 << 20,
          flags: MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE,
          mapType: VmMemMappingType.MapAlloc,
        },
      ],
    },
    devices: {
      interruptMode: "emu",
      emuDevices: [],
      passthroughDevices: [],
      passthroughAddresses: [],
      excludedDevices: [],
    },
  };
}
