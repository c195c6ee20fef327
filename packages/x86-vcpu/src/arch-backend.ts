/**
 * The x86_64 `ArchBackend` that `@axvisor/axvm` builds a VM with: one per VM, because the
 * vCPUs of a VM share its `X86VmContext` (guest memory, APIC ids).
 */

import { axErr } from "@axvisor/axerrno";
import type { HostServices } from "@axvisor/axvisor-api";
import type { ArchBackend, VCpuPlacement } from "@axvisor/axvm";
import type { VpidAllocator, X86HostCpus } from "./host-cpus.js";
import type { X86InterruptSource } from "./interrupts.js";
import { X86VCpu, type X86VCpuCreateConfig } from "./vcpu.js";
import type { X86VmContext } from "./vm-context.js";

export interface X86ArchBackend extends ArchBackend<X86VCpuCreateConfig, void> {
  /** The vCPUs built so far, by vCPU id. */
  readonly vcpus: ReadonlyMap<number, X86VCpu>;
  /** Each vCPU's VPID, by vCPU id (allocated when the backend is made). */
  readonly vpidList: readonly number[];
  /** Frees every vCPU's VMCS/bitmap frames and VPID (the VM is deleted). */
  release(): void;
}

export interface X86ArchBackendOptions {
  readonly cpus: X86HostCpus;
  readonly vpids: VpidAllocator;
  readonly vm: X86VmContext;
  /** The VM's vCPU count: one VPID each. */
  readonly vcpuCount: number;
  readonly sliceInstructions?: number;
  /** The virtual local APIC of a vCPU (x86-vlapic's); default: a plain vector queue. */
  readonly interrupts?: (vcpuId: number) => X86InterruptSource;
  readonly bootGdt?: { readonly base: number; readonly limit: number };
  /** Ticks per second of the host clock (the guest's TSC). */
  readonly tscHz?: number;
}

export function createX86ArchBackend(opts: X86ArchBackendOptions): X86ArchBackend {
  const vcpus = new Map<number, X86VCpu>();
  const vpidList = Array.from({ length: opts.vcpuCount }, () => opts.vpids.allocate());
  let released = false;
  return {
    arch: "x86_64",
    pageTableFormat: "ept-l4",
    vcpus,
    vpidList,
    createConfig(p: VCpuPlacement): X86VCpuCreateConfig {
      // AxVisor: APIC id = phys_cpu_ids[i], else the vCPU index.
      opts.vm.defineCpu(p.physCpuId, p.vcpuId);
      const vpid = vpidList[p.vcpuId];
      if (vpid === undefined) {
        throw axErr(
          "InvalidInput",
          `vCPU ${p.vcpuId} is beyond the ${opts.vcpuCount} this backend was made for`,
        );
      }
      return {
        apicId: p.physCpuId,
        vm: opts.vm,
        cpus: opts.cpus,
        vpid,
        ...(opts.interrupts ? { interrupts: opts.interrupts(p.vcpuId) } : {}),
        ...(opts.sliceInstructions !== undefined
          ? { sliceInstructions: opts.sliceInstructions }
          : {}),
        ...(opts.bootGdt !== undefined ? { bootGdt: opts.bootGdt } : {}),
        ...(opts.tscHz !== undefined ? { tscHz: opts.tscHz } : {}),
      };
    },
    setupConfig(): void {},
    vcpuFactory(vmId: number, vcpuId: number, cfg: X86VCpuCreateConfig, host: HostServices) {
      vcpus.get(vcpuId)?.release();
      const vcpu = new X86VCpu(vmId, vcpuId, cfg, host);
      vcpus.set(vcpuId, vcpu);
      return vcpu;
    },
    release(): void {
      if (released) return;
      released = true;
      for (const v of vcpus.values()) v.release();
      vcpus.clear();
      for (const v of vpidList) opts.vpids.release(v);
    },
  };
}
