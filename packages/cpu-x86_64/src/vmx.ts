/**
 * VMX (Intel SDM vol. 3 ch. 23-33): the state of VMX operation and the hooks the CPU calls
 * while a guest runs (VMX non-root operation). The VMX instructions themselves decode in
 * exec.ts and land here.
 */
import type { X86Cpu } from "./cpu.js";

export class Vmx {
  /** In VMX operation (after VMXON). */
  on = false;
  /** VMX non-root operation: a guest is running under the current VMCS. */
  guestMode = false;

  constructor(readonly cpu: X86Cpu) {}

  reset(): void {
    this.on = false;
    this.guestMode = false;
  }

  /** Pending VMX events (preemption timer, interrupt window) at an instruction boundary. */
  checkEvents(): boolean {
    return false;
  }

  exitOnNmi(): boolean {
    return false;
  }

  exitOnExternalInterrupt(): boolean {
    return false;
  }

  exitOnTripleFault(): boolean {
    return false;
  }

  /** A SIPI that a guest in wait-for-SIPI receives as a VM exit. */
  onSipi(_vector: number): boolean {
    return false;
  }

  flushGuestTlb(): void {}

  /** The IA32_VMX_* capability MSRs (0x480-0x491); false = not one of them. */
  readCapabilityMsr(_msr: number): boolean {
    return false;
  }

  /** Exits for I/O instructions (I/O bitmaps / unconditional I/O exiting). */
  ioExit(_port: number, _size: number, _isIn: boolean, _string: boolean, _rep: boolean): boolean {
    return false;
  }

  pauseExit(_len: number): boolean {
    return false;
  }

  hltExit(_len: number): boolean {
    return false;
  }

  msrExit(_msr: number, _write: boolean, _len: number): boolean {
    return false;
  }

  /** Unconditional exits (CPUID = 10, ...). */
  simpleExit(_reason: number, _len: number): boolean {
    return false;
  }

  crExit(_cr: number, _write: boolean, _reg: number, _len: number): boolean {
    return false;
  }

  /** An event the exception bitmap (or the interrupt controls) turns into a VM exit. */
  interceptEvent(_kind: number, _vector: number, _err: number): boolean {
    return false;
  }

  /** Guest paging walk (the guest's tables are guest-physical). */
  walkGuest(_lin: number, _acc: number, _user: boolean): number {
    return -1;
  }

  /** EPT translation of a guest-physical address. */
  gpaToHpa(gpa: number, _acc: number, _lin: number): number {
    return gpa;
  }
}
