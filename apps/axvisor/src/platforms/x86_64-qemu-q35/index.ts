import { axErr } from "@axvisor/axerrno";
import { PC_MAX_CPUS, PC_TIMEBASE_HZ } from "@axvisor/platform-x86_64-qemu-q35";
import { hostFiles } from "../../host/host-files.js";
import type { HostPlatform } from "../../platform/host-platform.js";
import { x86DefaultGuestConfig } from "./default-guest.js";
import { createX86EmuMachine } from "./emu-machine.js";
import { X86HostBoard } from "./host-board.js";

/** Debian's SeaBIOS (package `seabios`), what `-bios default` means on a PC. */
export const SEABIOS = "/usr/share/seabios/bios-256k.bin";

/**
 * x86_64 on a QEMU-like q35 PC: x86-64 CPUs with VMX, i8259/i8254/CMOS/LAPIC/IOAPIC/HPET,
 * ACPI, fw_cfg, COM1, virtio-mmio; direct Linux, multiboot and PVH boot, or a BIOS ROM. The
 * bare machine runs under `axvisor emu`; under `axvisor run` the CPUs are VMX root in
 * host-trap mode with x86-vcpu and a vLAPIC per vCPU, a vIOAPIC and 8259 and COM1 per VM
 * (issue #13).
 */
export const x86_64QemuQ35: HostPlatform = {
  name: "x86_64-qemu-q35",
  aliases: ["q35", "pc"],
  arch: "x86_64",
  description:
    "QEMU-like x86_64 q35 PC: x86-64 + VMX CPUs, PIC, PIT, RTC, LAPIC, IOAPIC, HPET, ACPI",
  maxCpus: PC_MAX_CPUS,
  timebaseHz: PC_TIMEBASE_HZ,
  createHost: (options) => new X86HostBoard(x86_64QemuQ35, options),
  defaultGuest: () => ({ config: x86DefaultGuestConfig() }),
  createEmuMachine: createX86EmuMachine,
  resolveFirmware(spec, hasKernel) {
    if (spec === "none") return undefined;
    if (spec !== "default") return spec;
    if (hasKernel) return undefined;
    if (!hostFiles().exists(SEABIOS)) {
      throw axErr(
        "NotFound",
        `-bios default: ${SEABIOS} is not installed; install it with 'apt-get install seabios', or pass -bios FILE, or -bios none with -kernel`,
      );
    }
    return SEABIOS;
  },
};

export { X86HostBoard } from "./host-board.js";
