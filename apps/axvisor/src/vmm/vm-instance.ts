import type { AxVM, VMStatus } from "@axvisor/axvm";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import type { VmArchParts } from "../platform/host-platform.js";
import type { VmConsole } from "./vm-console.js";
import type { VmDebugger } from "./vm-debugger.js";
import { VmStats } from "./vm-stats.js";

/**
 * Where a vCPU is as far as the scheduler goes: `stopped` (never started, or powered off by
 * the guest: SBI hart_stop, PSCI CPU_OFF), `runnable`, or `halted` (WFI / HSM suspend: waits
 * for an interrupt).
 */
export type VcpuRunState = "stopped" | "runnable" | "halted";

/**
 * The scheduler's record of one vCPU. Whether it is powered on is the VMM's business (CPU
 * up/down exits); whether it is halted is the VM's (`AxVM.haltVcpu` / `wakeVcpu`), so there
 * is one halt model, not two.
 */
export class VcpuSlot {
  /** Powered on: started at boot (the boot vCPU) or by a CPU-up exit. */
  started: boolean;
  /** The host CPU it last ran on (-1: none), preferred next time. */
  lastHart = -1;

  constructor(
    private readonly axvm: AxVM,
    readonly vcpuId: number,
    /** Host CPUs it may run on, bit i = CPU i; null = any. */
    readonly allowed: bigint | null,
    started: boolean,
  ) {
    this.started = started;
  }

  get state(): VcpuRunState {
    if (!this.started) return "stopped";
    return this.axvm.isHalted(this.vcpuId) ? "halted" : "runnable";
  }
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
  /** A device powered the machine off (VmBuildContext.powerOff); the VMM ends the VM. */
  powerOffRequested = false;
  /** Reboots the guest asked for (SRST) plus `vm restart`s. */
  restarts = 0;
  /** Where the kernel was entered and what was loaded, for `vm show`. */
  imageSummary: string[] = [];
  /** The attached debugger (gdb stub); while it holds the VM stopped, no vCPU runs. */
  debug: VmDebugger | undefined;
  /** What its vCPUs did since creation (restarts included): `vm stats`, `--stats`. */
  readonly stats: VmStats;
  /**
   * The host time its state was restored at, until it runs its first slice: a snapshot taken
   * before then saves the same instant (the guest has not observed time since), so restore
   * followed by snapshot reproduces the file byte for byte.
   */
  restoredAt: number | undefined;
  /** The disk it was given instead of its config's disk_path (the demo's in-memory disk). */
  readonly disk: BlockBacking | undefined;

  constructor(init: {
    config: AxVMCrateConfig;
    axvm: AxVM;
    parts: VmArchParts;
    console: VmConsole;
    disk?: BlockBacking;
  }) {
    this.id = init.config.base.id;
    this.name = init.config.base.name;
    this.config = init.config;
    this.axvm = init.axvm;
    this.parts = init.parts;
    this.console = init.console;
    this.disk = init.disk;
    this.slots = this.freshSlots();
    this.stats = new VmStats(init.config.base.cpuNum);
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
      return new VcpuSlot(this.axvm, i, set === undefined ? null : BigInt(set), i === 0);
    });
  }

  /** A short summary of the vCPUs' states, e.g. "1 runnable, 1 halted". */
  vcpuSummary(): string {
    const counts = new Map<string, number>();
    for (const s of this.slots) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  }
}
