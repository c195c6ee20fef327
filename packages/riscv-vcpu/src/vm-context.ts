import { type SavedRecord, StateReader } from "@axvisor/axdevice-base";
import { axErr, err } from "@axvisor/axerrno";
import type { GuestPhysMemory } from "./guest-memory.js";
import { HsmState } from "./sbi/consts.js";

/** A VM's console as seen by the SBI console calls (legacy putchar/getchar and DBCN). */
export interface GuestConsole {
  write(bytes: Uint8Array): void;
  /** Up to `max` bytes of pending input, possibly none. Never blocks. */
  read(max: number): Uint8Array;
}

const NO_MEMORY: GuestPhysMemory = {
  read: () => err("BadAddress", "the VM's memory is not attached yet"),
  write: () => err("BadAddress", "the VM's memory is not attached yet"),
};

/** Remote fences another vCPU must apply on its next entry (SBI RFENCE). */
export const PendingFence = { None: 0, FenceI: 1, VvmaAll: 2 } as const;

interface HartRecord {
  readonly vcpuId: number;
  state: HsmState;
  fences: number;
}

/**
 * What the vCPUs of one VM share: the hardware VMID that tags the VM's translations, the guest
 * hart ids and their SBI HSM states, pending remote fences, the console and guest memory.
 * SBI calls that name other harts (IPI, RFENCE, HSM) resolve them here, the way firmware
 * keeps per-hart state on silicon.
 */
export class RiscvVmContext {
  private readonly harts = new Map<number, HartRecord>();

  /** Guest memory; a VMM attaches the VM's address space once the VM exists. */
  memory: GuestPhysMemory;

  constructor(
    readonly vmId: number,
    readonly vmid: number,
    readonly console: GuestConsole,
    memory?: GuestPhysMemory,
  ) {
    this.memory = memory ?? NO_MEMORY;
  }

  /** Registers a guest hart; the boot hart starts Started, the others Stopped. */
  addHart(hartId: number, vcpuId: number, boot: boolean): void {
    if (this.harts.has(hartId)) {
      throw axErr("AlreadyExists", `VM ${this.vmId} already has a hart ${hartId}`);
    }
    this.defineHart(hartId, vcpuId, boot);
  }

  /** Registers or re-registers a guest hart in its power-on state (also on VM restart). */
  defineHart(hartId: number, vcpuId: number, boot: boolean): void {
    this.harts.set(hartId, {
      vcpuId,
      state: boot ? HsmState.Started : HsmState.Stopped,
      fences: 0,
    });
  }

  /** Each guest hart's SBI HSM state and pending remote fences, for a VM snapshot. */
  saveState(): SavedRecord {
    return {
      harts: this.hartIds().map((id) => {
        const h = this.harts.get(id)!;
        return { hartId: id, vcpuId: h.vcpuId, state: h.state, fences: h.fences };
      }),
    };
  }

  /** Puts saved HSM states back; the snapshot must name the same harts as this VM has. */
  loadState(state: SavedRecord): void {
    const ids = this.hartIds();
    const rows = new StateReader(state, `VM ${this.vmId} SBI state`).records("harts", ids.length);
    const parsed = rows.map((h) => ({
      hartId: h.int("hartId"),
      vcpuId: h.int("vcpuId"),
      state: h.int("state", 0, 6) as HsmState,
      fences: h.int("fences", 0, 3),
    }));
    parsed.forEach((h, i) => {
      if (h.hartId !== ids[i] || h.vcpuId !== this.harts.get(h.hartId)?.vcpuId) {
        throw axErr(
          "InvalidData",
          `VM ${this.vmId}: the snapshot has hart ${h.hartId} on vCPU ${h.vcpuId}, this VM does not`,
        );
      }
    });
    for (const h of parsed)
      this.harts.set(h.hartId, { vcpuId: h.vcpuId, state: h.state, fences: h.fences });
  }

  hartIds(): number[] {
    return [...this.harts.keys()].sort((a, b) => a - b);
  }

  hasHart(hartId: number): boolean {
    return this.harts.has(hartId);
  }

  vcpuOf(hartId: number): number | undefined {
    return this.harts.get(hartId)?.vcpuId;
  }

  hsmState(hartId: number): HsmState | undefined {
    return this.harts.get(hartId)?.state;
  }

  setHsmState(hartId: number, state: HsmState): void {
    const h = this.harts.get(hartId);
    if (h) h.state = state;
  }

  requestFence(hartId: number, fence: number): void {
    const h = this.harts.get(hartId);
    if (h) h.fences |= fence;
  }

  /** Returns and clears the fences pending for a hart. */
  takeFences(hartId: number): number {
    const h = this.harts.get(hartId);
    if (!h) return 0;
    const f = h.fences;
    h.fences = 0;
    return f;
  }

  /**
   * Resolves an SBI hart mask (`mask` of harts counted from `base`; base -1 = all harts) to hart
   * ids; null when it names a hart the VM does not have.
   */
  resolveHartMask(mask: bigint, base: bigint): number[] | null {
    if (base === -1n || BigInt.asIntN(64, base) === -1n) return this.hartIds();
    const out: number[] = [];
    for (let bit = 0; bit < 64; bit++) {
      if (((mask >> BigInt(bit)) & 1n) === 0n) continue;
      const id = Number(base) + bit;
      if (!this.harts.has(id)) return null;
      out.push(id);
    }
    return out;
  }
}
