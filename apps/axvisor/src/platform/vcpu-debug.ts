import type { ArchVCpu } from "@axvisor/axvcpu";

/**
 * What a debugger needs from one architecture's vCPUs, so the gdb stub and the VMM's
 * debugger stay arch-neutral: the register file as GDB numbers it (with the target
 * description that says so), the breakpoint instruction, guest-virtual translation, and
 * the two execution controls (breakpoint exceptions to the VMM, one-instruction runs).
 *
 * Every method is called between slices, with the vCPU unbound.
 */
export interface VcpuDebugArch {
  /** The target description documents (`target.xml` and the files it includes). */
  features(annex: string): string | undefined;
  /** The registers of GDB's `g` packet, in order, target byte order. */
  readRegisters(vcpu: ArchVCpu): Uint8Array;
  writeRegisters(vcpu: ArchVCpu, data: Uint8Array): boolean;
  /** Register `regnum` of the target description; undefined if there is none. */
  readRegister(vcpu: ArchVCpu, regnum: number): Uint8Array | undefined;
  writeRegister(vcpu: ArchVCpu, regnum: number, data: Uint8Array): boolean;
  /** The guest-physical address behind guest-virtual `gva` as the vCPU translates now. */
  translate(vcpu: ArchVCpu, gva: bigint): number | null;
  /** The instruction bytes of a software breakpoint of GDB's `kind`; undefined if invalid. */
  breakpointInstruction(kind: number): Uint8Array | undefined;
  /** Breakpoint exceptions of this vCPU come to the VMM (on) or to the guest (off). */
  setTrapping(vcpu: ArchVCpu, on: boolean): void;
  /** The vCPU's next run executes one instruction. */
  setSingleStep(vcpu: ArchVCpu, on: boolean): void;
  /** What ended the vCPU's last run for the debugger (and forget it). */
  takeStop(vcpu: ArchVCpu): "breakpoint" | "step" | null;
  /** The program counter (for failure messages and watch checks). */
  pc(vcpu: ArchVCpu): bigint;
}
