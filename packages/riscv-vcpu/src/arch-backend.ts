/**
 * The RISC-V `ArchBackend` that `@axvisor/axvm` builds a VM with: one per VM, because the
 * vCPUs of a VM share its `RiscvVmContext` (VMID, HSM states, console, guest memory).
 */

import type { HostServices } from "@axvisor/axvisor-api";
import type { ArchBackend, VCpuPlacement } from "@axvisor/axvm";
import { gpa } from "@axvisor/memory-addr";
import type { PageTableFormat } from "@axvisor/page-table";
import type { RiscvHostCpus } from "./host-cpus.js";
import { RiscvVCpu, type RiscvVCpuCreateConfig } from "./vcpu.js";
import type { RiscvVmContext } from "./vm-context.js";

/** Where the device tree goes when the config names no dtb_load_addr (AxVisor's default). */
export const DEFAULT_DTB_ADDR = 0x9000_0000;

export interface RiscvArchBackend extends ArchBackend<RiscvVCpuCreateConfig, void> {
  /** The vCPUs built so far, by vCPU id (the VMM needs them for IPIs and the vPLIC). */
  readonly vcpus: ReadonlyMap<number, RiscvVCpu>;
}

export interface RiscvArchBackendOptions {
  readonly cpus: RiscvHostCpus;
  readonly vm: RiscvVmContext;
  readonly format?: Extract<PageTableFormat, "sv39x4" | "sv48x4">;
  readonly sliceInstructions?: number;
  /** Give the guests Sstc (timers through stimecmp, no SBI exit); the harts must have it. */
  readonly guestSstc?: boolean;
  /** The guests' PAUSE ends their vCPU's slice (RiscvVCpuCreateConfig.pauseEndsSlice). */
  readonly pauseEndsSlice?: boolean;
}

export function createRiscvArchBackend(opts: RiscvArchBackendOptions): RiscvArchBackend {
  const vcpus = new Map<number, RiscvVCpu>();
  const format = opts.format ?? "sv39x4";
  return {
    arch: "riscv64",
    pageTableFormat: format,
    vcpus,
    createConfig(p: VCpuPlacement): RiscvVCpuCreateConfig {
      // AxVisor passes hart_id = vcpu_id; a configured phys_cpu_id is the hart id the guest sees.
      opts.vm.defineHart(p.physCpuId, p.vcpuId, p.vcpuId === 0);
      return {
        hartId: p.physCpuId,
        dtbAddr: gpa(p.config.kernel.dtbLoadAddr ?? DEFAULT_DTB_ADDR),
        vm: opts.vm,
        cpus: opts.cpus,
        gstageLevels: format === "sv48x4" ? 4 : 3,
        ...(opts.guestSstc ? { sstc: true } : {}),
        ...(opts.pauseEndsSlice ? { pauseEndsSlice: true } : {}),
        ...(opts.sliceInstructions !== undefined
          ? { sliceInstructions: opts.sliceInstructions }
          : {}),
      };
    },
    setupConfig(): void {},
    vcpuFactory(vmId: number, vcpuId: number, cfg: RiscvVCpuCreateConfig, host: HostServices) {
      vcpus.get(vcpuId)?.dispose();
      const vcpu = new RiscvVCpu(vmId, vcpuId, cfg, host);
      vcpus.set(vcpuId, vcpu);
      return vcpu;
    },
  };
}
