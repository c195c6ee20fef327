import type { Arch } from "@axvisor/arch";
import type { ArchVCpuFactory } from "@axvisor/axvcpu";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import type { PageTableFormat } from "@axvisor/page-table";

/** What a backend needs to know to build the create/setup config of one vCPU. */
export interface VCpuPlacement {
  readonly vmId: number;
  readonly vcpuId: number;
  /** Hardware CPU id the guest sees: `phys_cpu_ids[i]`, else the vCPU index. */
  readonly physCpuId: number;
  /** Allowed physical CPUs (bit i = CPU i), null = any. */
  readonly physCpuSet: bigint | null;
  readonly config: AxVMCrateConfig;
  /** The nested page-table format the VM's address space uses (the G-stage mode to program). */
  readonly pageTableFormat: PageTableFormat;
}

/**
 * Everything architecture-specific a VM needs, bundled so the VM itself stays neutral (AxVisor
 * picks these at compile time by target arch; here the app picks a backend object).
 */
export interface ArchBackend<CreateConfig = unknown, SetupConfig = unknown> {
  /** "riscv64", "aarch64", "x86_64": checked against the page-table format. */
  readonly arch: Arch;
  readonly vcpuFactory: ArchVCpuFactory<CreateConfig, SetupConfig>;
  /** e.g. RISC-V `{ hartId, dtbAddr }`, ARM `{ mpidr, dtbAddr }`. */
  createConfig(placement: VCpuPlacement): CreateConfig;
  /** e.g. ARM `{ passthroughInterrupt, passthroughTimer }` from the interrupt mode. */
  setupConfig(placement: VCpuPlacement): SetupConfig;
  /** The nested page-table format the hardware walks (Sv39x4, Sv48x4, ARM stage 2, EPT). */
  readonly pageTableFormat: PageTableFormat;
}
