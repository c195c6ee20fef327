import type { HostServices } from "@axvisor/axvisor-api";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";

/**
 * Guest-physical memory as a device doing DMA sees it (the `DmaMemory` contract), through the
 * VM's address space. Throws an AxError (BadAddress) when the span is not guest memory: a
 * device model catches it and reports a DMA error to the guest the way its hardware would.
 */
export interface GuestMemory {
  read(gpa: number, len: number): Uint8Array;
  write(gpa: number, data: Uint8Array): void;
}

/** What every device factory of a VM receives alongside its config row. */
export interface VmDeviceContext {
  readonly vmId: number;
  readonly config: AxVMCrateConfig;
  readonly host: HostServices;
  /** Always the VM's current memory, also after a restart rebuilt it. */
  readonly memory: GuestMemory;
  readonly cpuNum: number;
  /** Queues virtual interrupt `vector` on vCPU `vcpuId` of this VM (and wakes it from halt). */
  injectInterrupt(vcpuId: number, vector: number): void;
}
