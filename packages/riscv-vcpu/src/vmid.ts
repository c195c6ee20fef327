import { axErr } from "@axvisor/axerrno";

/**
 * Hands out the VMIDs that tag each VM's G-stage translations in the hart's TLB, so switching
 * between VMs needs no full flush (AxVisor always uses VMID 0: §11.2). VMID 0 is kept for the
 * host itself. A freed VMID is handed out again only after every other one was used once,
 * which keeps stale TLB entries of a dead VM from matching a new VM for as long as possible;
 * the caller still fences the VMID before reuse.
 */
export class VmidAllocator {
  private readonly inUse = new Set<number>();
  private next = 1;

  /** `bits` is VMIDLEN (up to 14 for Sv39x4/Sv48x4 on RV64). */
  constructor(readonly bits = 14) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 14) {
      throw axErr("InvalidInput", `VMIDLEN must be 1..14, got ${bits}`);
    }
  }

  get capacity(): number {
    return (1 << this.bits) - 1;
  }

  allocate(): number {
    const limit = 1 << this.bits;
    for (let tries = 0; tries < limit; tries++) {
      const vmid = this.next;
      this.next = this.next + 1 >= limit ? 1 : this.next + 1;
      if (!this.inUse.has(vmid)) {
        this.inUse.add(vmid);
        return vmid;
      }
    }
    throw axErr("NoMemory", `all ${this.capacity} VMIDs are in use`);
  }

  release(vmid: number): void {
    if (!this.inUse.delete(vmid)) throw axErr("InvalidInput", `VMID ${vmid} is not allocated`);
  }
}
