/**
 * What the vCPU needs from its virtual local APIC (`@axvisor/x86-vlapic` implements it): the
 * CPU's INTR input and INTA cycle, message acceptance, the APIC's MSRs (IA32_APIC_BASE,
 * IA32_TSC_DEADLINE, x2APIC 0x800-0x8FF), an NMI line, and the start-up requests its INIT-SIPI
 * produced for other vCPUs.
 */
export interface X86InterruptSource {
  /** An interrupt the APIC would deliver now (above the processor priority). */
  hasInterrupt(): boolean;
  /** The INTA cycle: the vector, now in service (the spurious vector if nothing is left). */
  acknowledge(): number;
  /** A fixed interrupt message accepted into the IRR (`level`: TMR set, EOI broadcast). */
  accept(vector: number, level: boolean): void;
  /** The MSR's value, or null when the APIC does not implement it (#GP). */
  readMsr(msr: number): bigint | null;
  /** False when the write is not allowed (#GP). */
  writeMsr(msr: number, value: bigint): boolean;
  /** Whether `msr` belongs to the APIC. */
  ownsMsr(msr: number): boolean;
  /** A pending NMI, consumed. */
  takeNmi?(): boolean;
  /**
   * A vCPU that an INIT-SIPI of this VM started and that is not running yet: the backend
   * reports it as a `CpuUp` exit. Undefined when there is none.
   */
  takeStartRequest?(): { readonly apicId: number; readonly vector: number } | undefined;
  /** INIT: the APIC returns to its power-on state, except its ID. */
  initReset?(): void;
}

/** A vCPU without an APIC model: every vector is taken as soon as the guest can. */
export class SimpleInterruptQueue implements X86InterruptSource {
  private readonly pending: number[] = [];

  hasInterrupt(): boolean {
    return this.pending.length > 0;
  }

  acknowledge(): number {
    return this.pending.shift() ?? 0xff;
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
