import { VIRT_MAX_HARTS, VIRT_TIMEBASE_HZ } from "@axvisor/platform-riscv64-qemu-virt";
import type { HostPlatform } from "../../platform/host-platform.js";
import { defaultGuestConfig, defaultGuestDisk } from "./default-guest.js";
import { createRiscvEmuMachine } from "./emu-machine.js";
import { resolveBios } from "./firmware.js";
import { RiscvHostBoard } from "./host-board.js";

/**
 * riscv64 on QEMU's virt board: RV64GC harts with the H extension driven in host-trap mode,
 * the board PLIC for passthrough interrupts, riscv-vcpu (SBI 2.0) and riscv-vplic per VM, a
 * generated device tree for guests, OpenSBI as the bare machine's default firmware.
 */
export const riscv64QemuVirt: HostPlatform = {
  name: "riscv64-qemu-virt",
  aliases: ["virt"],
  arch: "riscv64",
  description: "QEMU riscv64 virt: RV64GC + H harts, CLINT, PLIC, NS16550A, virtio-mmio",
  maxCpus: VIRT_MAX_HARTS,
  timebaseHz: VIRT_TIMEBASE_HZ,
  createHost: (options) => new RiscvHostBoard(riscv64QemuVirt, options),
  defaultGuest: () => ({ config: defaultGuestConfig(), disk: defaultGuestDisk() }),
  createEmuMachine: createRiscvEmuMachine,
  resolveFirmware: (spec) => resolveBios(spec),
};

export { RiscvHostBoard } from "./host-board.js";
export { guestHartIds } from "./vm-parts.js";
