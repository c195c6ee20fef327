/**
 * What the vCPU needs from its virtual local APIC (`@axvisor/x86-vlapic` implements it): the
 * interrupt to inject next, the INTA-like acknowledgement that moves it to in-service, and the
 * x2APIC MSRs and IA32_APIC_BASE / IA32_TSC_DEADLINE that RDMSR/WRMSR reach.
 */
export interface X86InterruptSource {
  /** The highest-priority pending vector the APIC would deliver now (above the PPR), or -1. */
  pendingVector(): number;
  /** The CPU took `vector` (IRR -> ISR, PPR raised). */
  acknowledge(vector: number): void;
  /** An interrupt message accepted (fixed delivery): sets the IRR bit. */
  accept(vector: number, level: boolean): void;
  /** The MSR's value, or null when the APIC does not implement it (#GP). */
  readMsr(msr: number): bigint | null;
  /** False when the write is not allowed (#GP). */
  writeMsr(msr: number, value: bigint): boolean;
  /** Whether `msr` belongs to the APIC (0x1B, 0x6E0, 0x800-0x8FF). */
  ownsMsr(msr: number): boolean;
  /** INIT: the APIC returns to its power-on state, except its ID. */
  initReset?(): void;
}

/** A vCPU without an APIC model: every vector is taken as soon as the guest can. */
export class SimpleInterruptQueue implements X86InterruptSource {
  private readonly pending: number[] = [];

  pendingVector(): number {
    return this.pending[0] ?? -1;
  }

  acknowledge(vector: number): void {
    const i = this.pending.indexOf(vector);
    if (i >= 0) this.pending.splice(i, 1);
  }

  accept(vector: number): void {
    if (!this.pending.includes(vector)) this.pending.push(vector);
  }

  readMsr(): bigint | null {
    return null;
  }

  writeMsr(): boolean {
    return false;
  }

  ownsMsr(): boolean {
    return false;
  }
}
