/**
 * What the x86-64 CPU needs from the board around it, and what `run()` reports back. A board
 * (or the test machine in src/testing) implements these.
 */
import type { PhysBus, TimeSource } from "@axvisor/machine";

export type { PhysBus, TimeSource };

/** Why `X86Cpu.run()` returned. */
export type RunExit =
  /** The instruction budget is used up. */
  | "budget"
  /** HLT with nothing pending, or an AP waiting for a SIPI: the board may sleep until an event. */
  | "hlt"
  /** Host-trap mode: a VM exit happened; the exit fields of the current VMCS are set. */
  | "host-trap"
  /** Triple fault (or a shutdown the CPU entered): the board decides (QEMU resets). */
  | "shutdown";

/** The I/O port space (IN/OUT/INS/OUTS). Unclaimed ports read all ones, writes are dropped. */
export interface PortIo {
  in(port: number, size: 1 | 2 | 4): number;
  out(port: number, size: 1 | 2 | 4, value: number): void;
}

/**
 * The CPU's interrupt inputs as the board's local APIC (which also routes the 8259's INTR in
 * ExtINT mode) presents them. NMI, INIT, SIPI and SMI are calls on the CPU
 * (`X86Cpu.nmi()`, `init()`, `startupIpi()`), since they are edges, not levels.
 */
export interface InterruptController {
  /** A maskable interrupt is pending with a priority the APIC would deliver now (INTR). */
  hasInterrupt(): boolean;
  /** The interrupt acknowledge cycle: the vector, which the controller moves to in-service. */
  acknowledge(): number;
  /**
   * The APIC's MSRs: IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and the x2APIC range
   * (0x800-0x8FF). null = not handled here (the CPU raises #GP for an unknown MSR).
   */
  readMsr?(msr: number): bigint | null;
  /** false = not handled (#GP). */
  writeMsr?(msr: number, value: bigint): boolean;
}

/** Which CPU model CPUID reports. */
export interface CpuModel {
  /** CPUID vendor string (12 characters), default "GenuineIntel". */
  vendor?: string;
  /** The brand string for leaves 0x80000002-4 (at most 48 characters). */
  brand?: string;
  /** Advertise VMX in CPUID.1:ECX[5] (default true). */
  vmx?: boolean;
}

export interface X86CpuOptions {
  /** Index of this CPU on the board (0 = the BSP). */
  cpuId: number;
  /** Initial local APIC id (CPUID.1:EBX[31:24], leaf 0xB). */
  apicId: number;
  bus: PhysBus;
  io: PortIo;
  /** The TSC source: RDTSC reads now() plus the guest's offset. */
  time: TimeSource;
  model?: CpuModel;
  /** Reserved for the JIT tier; the interpreter runs either way. */
  jit?: boolean;
  lapic?: InterruptController;
  /**
   * An AP (cpuId != 0 by default) starts in wait-for-SIPI after reset, as on a real board;
   * the BSP starts at F000:FFF0.
   */
  bsp?: boolean;
}

/** One segment register as software sees it (selector and the hidden descriptor cache). */
export interface SegmentState {
  selector: number;
  base: bigint;
  limit: number;
  /**
   * Access rights in the VMCS layout: type[3:0], S[4], DPL[6:5], P[7], AVL[12], L[13], D/B[14],
   * G[15], unusable[16].
   */
  attributes: number;
}
