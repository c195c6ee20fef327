import { axErr } from "@axvisor/axerrno";
import { Csr, VsIrq } from "./csr.js";
import type { HostHart } from "./host-hart.js";

/** Exceptions the guest handles itself (hedeleg), as AxVisor's riscv_vcpu delegates them. */
const HEDELEG =
  (1n << 0n) | // instruction address misaligned
  (1n << 1n) | // instruction access fault
  (1n << 2n) | // illegal instruction
  (1n << 3n) | // breakpoint
  (1n << 4n) | // load address misaligned
  (1n << 5n) | // load access fault
  (1n << 6n) | // store address misaligned
  (1n << 7n) | // store access fault
  (1n << 8n) | // environment call from VU-mode
  (1n << 12n) | // instruction page fault
  (1n << 13n) | // load page fault
  (1n << 15n); // store page fault

/**
 * One physical hart the hypervisor runs on, with per-CPU virtualization state (AxVisor's
 * `AxArchPerCpu` for RISC-V). `hardwareEnable` programs the delegation registers once, as
 * riscv_vcpu's per-CPU setup does on silicon.
 */
export class RiscvPhysCpu {
  private enabled = false;
  /** The vCPU that last ran here, per VMID: switching vCPUs of one VM needs a VS-stage fence. */
  readonly lastVcpuByVmid = new Map<number, object>();

  constructor(
    readonly id: number,
    readonly hart: HostHart,
  ) {}

  isEnabled(): boolean {
    return this.enabled;
  }

  hardwareEnable(): void {
    const misa = this.hart.readCsr(Csr.misa);
    if ((misa & (1n << 7n)) === 0n) {
      throw axErr("Unsupported", `hart ${this.id} has no H extension (misa.H is clear)`);
    }
    this.hart.hostTrapMode = true;
    this.hart.writeCsr(Csr.hedeleg, HEDELEG);
    this.hart.writeCsr(Csr.hideleg, VsIrq.VSSIP | VsIrq.VSTIP | VsIrq.VSEIP);
    this.hart.writeCsr(Csr.hvip, 0n);
    this.hart.writeCsr(Csr.hcounteren, 0xffff_ffffn);
    this.enabled = true;
  }

  hardwareDisable(): void {
    this.hart.writeCsr(Csr.hedeleg, 0n);
    this.hart.writeCsr(Csr.hideleg, 0n);
    this.hart.hostTrapMode = false;
    this.enabled = false;
  }

  /** Sv48x4 is the deepest G-stage format the hart offers. */
  maxGuestPageTableLevels(): number {
    return 4;
  }
}

/**
 * The physical harts of the host and which one the scheduler is running on now. The
 * single-threaded VMM sets `current` before it binds and runs a vCPU, the way a per-CPU
 * variable names the current CPU on silicon.
 */
export class RiscvHostCpus {
  private currentIndex = 0;

  constructor(readonly cpus: readonly RiscvPhysCpu[]) {
    if (cpus.length === 0) throw axErr("InvalidInput", "a host needs at least one hart");
  }

  get current(): RiscvPhysCpu {
    return this.cpus[this.currentIndex] as RiscvPhysCpu;
  }

  setCurrent(id: number): void {
    if (id < 0 || id >= this.cpus.length) {
      throw axErr("InvalidInput", `no physical CPU ${id} (the host has ${this.cpus.length})`);
    }
    this.currentIndex = id;
  }
}
