import { err } from "@axvisor/axerrno";
import type { GuestPhysMemory } from "./guest-walk.js";

const NO_MEMORY: GuestPhysMemory = {
  read: () => err("BadAddress", "the VM's memory is not attached yet"),
  write: () => err("BadAddress", "the VM's memory is not attached yet"),
};

/**
 * What the vCPUs of one VM share: guest memory (for instruction fetches behind exits and
 * string I/O) and the guest CPUs by APIC id, which INIT-SIPI and IPIs name.
 */
export class X86VmContext {
  memory: GuestPhysMemory = NO_MEMORY;
  private readonly byApicId = new Map<number, number>();

  constructor(readonly vmId: number) {}

  defineCpu(apicId: number, vcpuId: number): void {
    this.byApicId.set(apicId, vcpuId);
  }

  /** The VM's vCPUs (CPUID's logical-processor count). */
  get cpuCount(): number {
    return this.byApicId.size;
  }

  vcpuOf(apicId: number): number | undefined {
    return this.byApicId.get(apicId);
  }
}
