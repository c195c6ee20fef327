/**
 * The AArch64 `ArchBackend` that `@axvisor/axvm` builds a VM with: one per VM, because the
 * vCPUs of a VM share its `ArmVmContext` (VMID, CNTVOFF, PSCI power states, guest memory).
 */

import type { HostServices } from "@axvisor/axvisor-api";
import type { ArchBackend, VCpuPlacement } from "@axvisor/axvm";
import { gpa } from "@axvisor/memory-addr";
import type { PageTableFormat } from "@axvisor/page-table";
import type { ArmHostCpus } from "./host-cpus.js";
import { ArmVCpu, type ArmVCpuCreateConfig } from "./vcpu.js";
import type { VirtualInterrupts } from "./virtual-interrupts.js";
import type { ArmVmContext } from "./vm-context.js";

/** Where the device tree goes when the config names no dtb_load_addr. */
export const DEFAULT_DTB_ADDR = 0x4000_0000 + 0x1000_0000 - 0x20_0000;

export interface ArmArchBackend extends ArchBackend<ArmVCpuCreateConfig, void> {
  /** The vCPUs built so far, by vCPU id (the VMM needs them for IPIs and the vGIC). */
  readonly vcpus: ReadonlyMap<number, ArmVCpu>;
}

export interface ArmArchBackendOptions {
  readonly cpus: ArmHostCpus;
  readonly vm: ArmVmContext;
  readonly format?: Extract<PageTableFormat, "arm-s2-l3" | "arm-s2-l4">;
  readonly sliceInstructions?: number;
  /** The virtual interrupt interface of a vCPU (the vGIC's); default: the VI line. */
  readonly interrupts?: (vcpuId: number) => VirtualInterrupts;
}

export function createArmArchBackend(opts: ArmArchBackendOptions): ArmArchBackend {
  const vcpus = new Map<number, ArmVCpu>();
  const format = opts.format ?? "arm-s2-l3";
  return {
    arch: "aarch64",
    pageTableFormat: format,
    vcpus,
    createConfig(p: VCpuPlacement): ArmVCpuCreateConfig {
      // AxVisor: mpidr = phys_cpu_ids[i], else the vCPU index; vCPU 0 boots, the others wait for CPU_ON.
      opts.vm.defineCpu(p.physCpuId, p.vcpuId, p.vcpuId === 0);
      return {
        mpidr: p.physCpuId,
        dtbAddr: gpa(p.config.kernel.dtbLoadAddr ?? DEFAULT_DTB_ADDR),
        vm: opts.vm,
        cpus: opts.cpus,
        stage2Levels: format === "arm-s2-l4" ? 4 : 3,
        ...(opts.interrupts ? { interrupts: opts.interrupts(p.vcpuId) } : {}),
        ...(opts.sliceInstructions !== undefined
          ? { sliceInstructions: opts.sliceInstructions }
          : {}),
      };
    },
    setupConfig(): void {},
    vcpuFactory(vmId: number, vcpuId: number, cfg: ArmVCpuCreateConfig, host: HostServices) {
      vcpus.get(vcpuId)?.dispose();
      const vcpu = new ArmVCpu(vmId, vcpuId, cfg, host);
      vcpus.set(vcpuId, vcpu);
      return vcpu;
    },
  };
}
