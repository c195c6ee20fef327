import { type SavedRecord, StateReader } from "@axvisor/axdevice-base";
import { axErr, err } from "@axvisor/axerrno";
import type { GuestPhysMemory } from "./guest-memory.js";
import { AffinityState } from "./psci.js";

const NO_MEMORY: GuestPhysMemory = {
  read: () => err("BadAddress", "the VM's memory is not attached yet"),
  write: () => err("BadAddress", "the VM's memory is not attached yet"),
};

interface CpuRecord {
  readonly vcpuId: number;
  state: AffinityState;
}

/**
 * What the vCPUs of one VM share: the VMID tagging its stage-2 translations, the virtual
 * counter offset, the guest CPUs by MPIDR with their PSCI power states, and guest memory.
 * PSCI calls that name another CPU (CPU_ON, AFFINITY_INFO) resolve it here, the way firmware
 * keeps per-core state on silicon.
 */
export class ArmVmContext {
  private readonly cpus = new Map<number, CpuRecord>();
  memory: GuestPhysMemory;

  constructor(
    readonly vmId: number,
    readonly vmid: number,
    /** CNTVOFF_EL2 of every vCPU: the guest's virtual count is the physical count minus it. */
    readonly cntvoff = 0n,
    memory?: GuestPhysMemory,
  ) {
    this.memory = memory ?? NO_MEMORY;
  }

  /** Registers (or re-registers on restart) a guest CPU; the boot CPU starts on. */
  defineCpu(mpidr: number, vcpuId: number, boot: boolean): void {
    this.cpus.set(mpidr, { vcpuId, state: boot ? AffinityState.On : AffinityState.Off });
  }

  vcpuOf(mpidr: number): number | undefined {
    return this.cpus.get(mpidr)?.vcpuId;
  }

  mpidrs(): number[] {
    return [...this.cpus.keys()].sort((a, b) => a - b);
  }

  state(mpidr: number): AffinityState | undefined {
    return this.cpus.get(mpidr)?.state;
  }

  setState(mpidr: number, state: AffinityState): void {
    const c = this.cpus.get(mpidr);
    if (!c) throw axErr("NotFound", `VM ${this.vmId} has no CPU with MPIDR ${mpidr.toString(16)}`);
    c.state = state;
  }

  /**
   * The vCPUs an SGI from ICC_SGI1R_EL1 reaches: those in cluster Aff3.Aff2.Aff1 whose Aff0 is
   * in the target list, or with IRM every CPU but the sender.
   */
  sgiTargets(cluster: number, targetList: number, irm: boolean, self: number): number[] {
    const out: number[] = [];
    for (const [mpidr, c] of this.cpus) {
      if (irm) {
        if (mpidr !== self) out.push(c.vcpuId);
        continue;
      }
      if ((mpidr & ~0xff) !== cluster) continue;
      const aff0 = mpidr & 0xff;
      if (aff0 < 16 && ((targetList >>> aff0) & 1) !== 0) out.push(c.vcpuId);
    }
    return out.sort((a, b) => a - b);
  }

  // ---- snapshot ----

  /** The PSCI power state of every guest CPU, by MPIDR (CNTVOFF is each vCPU's own state). */
  saveState(): SavedRecord {
    return {
      cpus: this.mpidrs().map((mpidr) => {
        const c = this.cpus.get(mpidr)!;
        return { mpidr, vcpuId: c.vcpuId, state: c.state };
      }),
    };
  }

  /** Puts back what `saveState` returned on a VM built from the same config. */
  loadState(state: SavedRecord): void {
    const r = new StateReader(state, `VM ${this.vmId} PSCI`);
    const cpus = r.records("cpus", this.cpus.size).map((c) => ({
      mpidr: c.int("mpidr", 0, Number.MAX_SAFE_INTEGER),
      vcpuId: c.int("vcpuId", 0, 1023),
      state: c.int("state", 0, 2) as AffinityState,
    }));
    for (const c of cpus) {
      if (this.cpus.get(c.mpidr)?.vcpuId !== c.vcpuId) {
        throw axErr(
          "InvalidData",
          `VM ${this.vmId}: the snapshot has vCPU ${c.vcpuId} at MPIDR 0x${c.mpidr.toString(16)}, this VM does not`,
        );
      }
    }
    for (const c of cpus) this.cpus.get(c.mpidr)!.state = c.state;
  }
}
