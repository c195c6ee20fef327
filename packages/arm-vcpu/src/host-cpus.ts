import { axErr } from "@axvisor/axerrno";
import { type Aarch64Cpu, SysReg } from "@axvisor/cpu-aarch64";
import { HcrEl2 } from "./hcr.js";

/** ID_AA64PFR0_EL1.EL2 (bits 11:8): 1 = EL2 implemented, AArch64 only. */
const PFR0_EL2_SHIFT = 8n;

/**
 * One physical CPU the hypervisor runs on (AxVisor's `Aarch64PerCpu`). `hardwareEnable`
 * makes the TypeScript hypervisor the CPU's EL2 (host-trap mode) and sets the per-CPU part of
 * HCR_EL2 as arm_vcpu does: stage 2 on, EL1 is AArch64, SMC trapped.
 */
export class ArmPhysCpu {
  private enabled = false;
  /** The vCPU that last ran here, per VMID: another vCPU of the same VM needs a TLB flush. */
  readonly lastVcpuByVmid = new Map<number, object>();

  constructor(
    readonly id: number,
    readonly cpu: Aarch64Cpu,
  ) {}

  isEnabled(): boolean {
    return this.enabled;
  }

  hardwareEnable(): void {
    const pfr0 = this.cpu.readSysReg(SysReg.ID_AA64PFR0_EL1);
    if (((pfr0 >> PFR0_EL2_SHIFT) & 0xfn) === 0n) {
      throw axErr("Unsupported", `CPU ${this.id} has no EL2 (ID_AA64PFR0_EL1.EL2 is 0)`);
    }
    this.cpu.hostTrapMode = true;
    this.cpu.writeSysReg(SysReg.HCR_EL2, HcrEl2.VM | HcrEl2.RW | HcrEl2.TSC);
    this.enabled = true;
  }

  hardwareDisable(): void {
    this.cpu.writeSysReg(SysReg.HCR_EL2, 0n);
    this.cpu.hostTrapMode = false;
    this.enabled = false;
  }
}

/**
 * The host's physical CPUs and which one the single-threaded scheduler runs on now (what a
 * per-CPU variable says on silicon).
 */
export class ArmHostCpus {
  private currentIndex = 0;

  constructor(readonly cpus: readonly ArmPhysCpu[]) {
    if (cpus.length === 0) throw axErr("InvalidInput", "a host needs at least one CPU");
  }

  get current(): ArmPhysCpu {
    return this.cpus[this.currentIndex] as ArmPhysCpu;
  }

  setCurrent(id: number): void {
    if (id < 0 || id >= this.cpus.length) {
      throw axErr("InvalidInput", `no physical CPU ${id} (the host has ${this.cpus.length})`);
    }
    this.currentIndex = id;
  }
}
