import type { AxVM, VMStatus } from "@axvisor/axvm";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import type { VmArchParts } from "../platform/host-platform.js";
import type { VmConsole } from "./vm-console.js";

/**
 * Where a vCPU is as far as the scheduler goes: `stopped` (never started, or SBI hart_stop),
 * `runnable`, or `halted` (WFI / HSM suspend: waits for an interrupt).
 */
export type VcpuRunState = "stopped" | "runnable" | "halted";

export interface VcpuSlot {
  readonly vcpuId: number;
  state: VcpuRunState;
  /** The hart it last ran on (-1: none), preferred next time. */
  lastHart: number;
  /** Physical harts it may run on, bit i = hart i; null = any. */
  readonly allowed: bigint | null;
}

/** How a VM's last run ended. */
export type VmEnd =
  /** SBI SRST / legacy shutdown; `reason` is SRST's reset_reason (0 none, 1 system failure). */
  | { readonly kind: "poweroff"; readonly reason: number }
  /** Stopped from the shell or the command line. */
  | { readonly kind: "stopped" }
  /** The VMM could not keep running it (a host-side failure); other VMs are unaffected. */
  | { readonly kind: "crashed"; readonly message: string };

/** One VM the VMM manages: the AxVM plus everything the VMM keeps for it. */
export class VmInstance {
  readonly id: number;
  readonly name: string;
  /** The config as the user wrote it (device rows in file order). */
  readonly config: AxVMCrateConfig;
  readonly axvm: AxVM;
  /** The architecture's half of the VM (backend, devices, VMID, boot information). */
  readonly parts: VmArchParts;
  readonly console: VmConsole;
  slots: VcpuSlot[];
  end: VmEnd | undefined;
  /** Reboots the guest asked for (SRST) plus `vm restart`s. */
  restarts = 0;
  /** Where the kernel was entered and what was loaded, for `vm show`. */
  imageSummary: string[] = [];

  constructor(init: {
    config: AxVMCrateConfig;
    axvm: AxVM;
    parts: VmArchParts;
    console: VmConsole;
  }) {
    this.id = init.config.base.id;
    this.name = init.config.base.name;
    this.config = init.config;
    this.axvm = init.axvm;
    this.parts = init.parts;
    this.console = init.console;
    this.slots = this.freshSlots();
  }

  /** The hardware VM tag (VMID / VPID). */
  get vmid(): number {
    return this.parts.vmid;
  }

  get status(): VMStatus {
    return this.axvm.status;
  }

  /** `vm1 linux`, the label of its console lines. */
  get label(): string {
    return `vm${this.id} ${this.name}`;
  }

  /** Power-on scheduling state: the boot vCPU runnable, the others stopped until hart_start. */
  freshSlots(): VcpuSlot[] {
    const sets = this.config.base.physCpuSets;
    return Array.from({ length: this.config.base.cpuNum }, (_, i) => {
      const set = sets?.[i];
      return {
        vcpuId: i,
        state: i === 0 ? "runnable" : "stopped",
        lastHart: -1,
        allowed: set === undefined ? null : BigInt(set),
      } satisfies VcpuSlot;
    });
  }

  /** A short summary of the vCPUs' states, e.g. "1 runnable, 1 halted". */
  vcpuSummary(): string {
    const counts = new Map<string, number>();
    for (const s of this.slots) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  }
}
