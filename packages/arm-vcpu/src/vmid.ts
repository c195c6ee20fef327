import { axErr } from "@axvisor/axerrno";

/**
 * Hands out the VMIDs that tag each VM's stage-2 translations (VTTBR_EL2.VMID, 8 bits with
 * VTCR_EL2.VS = 0), so switching VMs needs no TLB flush (AxVisor uses VMID 0 for every VM and
 * flushes on each entry instead). VMID 0 stays with the host. A freed VMID comes back only
 * after every other one was used, and the caller flushes it before reuse.
 */
export class ArmVmidAllocator {
  private readonly inUse = new Set<number>();
  private next = 1;

  constructor(readonly bits: 8 | 16 = 8) {}

  allocate(): number {
    const limit = 2 ** this.bits;
    for (let tries = 0; tries < limit; tries++) {
      const vmid = this.next;
      this.next = this.next + 1 >= limit ? 1 : this.next + 1;
      if (!this.inUse.has(vmid)) {
        this.inUse.add(vmid);
        return vmid;
      }
    }
    throw axErr("NoMemory", `all ${limit - 1} VMIDs are in use`);
  }

  release(vmid: number): void {
    if (!this.inUse.delete(vmid)) throw axErr("InvalidInput", `VMID ${vmid} is not allocated`);
  }
}
