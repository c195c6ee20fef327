import { axErr } from "@axvisor/axerrno";
import type { InterruptController, X86Cpu } from "@axvisor/cpu-x86_64";

/** The vector the host's own preemption interrupt arrives with (a host IDT vector). */
export const HOST_PREEMPT_VECTOR = 0xec;

/**
 * The host CPU's interrupt input: the board's local APIC plus the hypervisor's own preemption
 * interrupt, which takes a guest off the CPU at the end of a time slice the way a host timer
 * interrupt does on silicon (pin-based external-interrupt exiting makes it a VM exit).
 */
class HostInterruptInput implements InterruptController {
  preempt = false;
  /** Host vectors acknowledged at VM exits, for the host's interrupt handling (passthrough). */
  readonly taken: number[] = [];

  constructor(private readonly board: InterruptController | undefined) {}

  hasInterrupt(): boolean {
    return this.preempt || (this.board?.hasInterrupt() ?? false);
  }

  acknowledge(): number {
    if (this.preempt) {
      this.preempt = false;
      return HOST_PREEMPT_VECTOR;
    }
    const v = this.board?.acknowledge() ?? 0;
    this.taken.push(v);
    return v;
  }

  readMsr(msr: number): bigint | null {
    return this.board?.readMsr?.(msr) ?? null;
  }

  writeMsr(msr: number, value: bigint): boolean {
    return this.board?.writeMsr?.(msr, value) ?? false;
  }
}

/**
 * One physical CPU the hypervisor runs on (x86_vcpu's `VmxPerCpuState`). `hardwareEnable`
 * checks VMX and makes the TypeScript hypervisor the CPU's VMX root (host-trap mode).
 */
export class X86PhysCpu {
  private enabled = false;
  private readonly input: HostInterruptInput;
  /** The VMCS (host-physical address) current on this CPU, as VMPTRLD left it. */
  currentVmcs = -1;

  constructor(
    readonly id: number,
    readonly cpu: X86Cpu,
  ) {
    this.input = new HostInterruptInput(cpu.lapic);
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  hardwareEnable(): void {
    if (!this.cpu.model.vmx) {
      throw axErr("Unsupported", `CPU ${this.id} has no VMX (CPUID.1:ECX.VMX is 0)`);
    }
    this.cpu.setInterruptController(this.input);
    this.cpu.hostTrapMode = true;
    this.enabled = true;
  }

  hardwareDisable(): void {
    this.cpu.hostTrapMode = false;
    this.enabled = false;
  }

  /** The next host interrupt vector a VM exit acknowledged, or -1. */
  takeHostVector(): number {
    return this.input.taken.shift() ?? -1;
  }

  /** Raises the host preemption interrupt: the running guest exits before its next instruction. */
  preempt(): void {
    this.input.preempt = true;
  }
}

/** The host's physical CPUs and which one the single-threaded scheduler runs on now. */
export class X86HostCpus {
  private currentIndex = 0;

  constructor(readonly cpus: readonly X86PhysCpu[]) {
    if (cpus.length === 0) throw axErr("InvalidInput", "a host needs at least one CPU");
  }

  get current(): X86PhysCpu {
    return this.cpus[this.currentIndex] as X86PhysCpu;
  }

  setCurrent(id: number): void {
    if (id < 0 || id >= this.cpus.length) {
      throw axErr("InvalidInput", `no physical CPU ${id} (the host has ${this.cpus.length})`);
    }
    this.currentIndex = id;
  }

  /** INVVPID for a VPID on every CPU (it is about to tag another vCPU's translations). */
  invalidateVpid(vpid: number): void {
    for (const c of this.cpus) c.cpu.vmx.invalidateVpid(vpid);
  }
}

/** VPIDs 1..65535, one per vCPU (0 is the host's). */
export class VpidAllocator {
  private readonly used = new Set<number>();
  private next = 1;

  constructor(private readonly cpus: X86HostCpus) {}

  allocate(): number {
    for (let n = 0; n < 0xffff; n++) {
      const v = this.next;
      this.next = v === 0xffff ? 1 : v + 1;
      if (!this.used.has(v)) {
        this.used.add(v);
        // A recycled VPID may still tag a deleted vCPU's translations.
        this.cpus.invalidateVpid(v);
        return v;
      }
    }
    throw axErr("NoMemory", "all 65535 VPIDs are in use");
  }

  release(vpid: number): void {
    this.used.delete(vpid);
  }

  get inUse(): number {
    return this.used.size;
  }
}
