import { ARM_VIRT_MAX_CPUS, ARM_VIRT_TIMER_HZ } from "@axvisor/platform-aarch64-qemu-virt";
import type { HostPlatform } from "../../platform/host-platform.js";
import { armDefaultGuestConfig, armDefaultGuestDisk } from "./default-guest.js";
import { createArmEmuMachine } from "./emu-machine.js";
import { ArmHostBoard } from "./host-board.js";

/**
 * aarch64 on QEMU's virt board: ARMv8-A CPUs with EL2, GICv2 or GICv3 with their
 * virtualization interfaces, PL011, PL031, 32 virtio-mmio slots, PSCI from the board. The bare
 * machine runs under `axvisor emu`; under `axvisor run` the CPUs are in host-trap mode at
 * EL2 with arm-vcpu and a vGICv3 (or vGICv2) per VM; its default guest is
 * guests/aarch64/demo.
 */
export const aarch64QemuVirt: HostPlatform = {
  name: "aarch64-qemu-virt",
  aliases: ["arm-virt"],
  arch: "aarch64",
  description: "QEMU aarch64 virt: ARMv8-A + EL2 CPUs, GICv2/v3, PL011, PL031, virtio-mmio",
  maxCpus: ARM_VIRT_MAX_CPUS,
  timebaseHz: ARM_VIRT_TIMER_HZ,
  createHost: (options) => new ArmHostBoard(aarch64QemuVirt, options),
  defaultGuest: () => ({ config: armDefaultGuestConfig(), disk: armDefaultGuestDisk() }),
  createEmuMachine: createArmEmuMachine,
  // QEMU's virt board has no default firmware: without -bios the kernel is booted directly.
  resolveFirmware: (spec) => (spec === "none" || spec === "default" ? undefined : spec),
};

export { ArmHostBoard } from "./host-board.js";
