import type { PhysBus, TimeSource } from "@axvisor/machine";
import type { JitOptions } from "./jit/jit.js";

export type { PhysBus, TimeSource };

/** Why `Aarch64Cpu.run()` returned. */
export type RunExit = "budget" | "wfi" | "host-trap";

/** The CPU models whose ID registers the CPU reports. */
export type CpuModel = "cortex-a57" | "max";

/** What a system register device learns about an access (GICv3 CPU interface). */
export interface SysRegAccessContext {
  /** Exception level of the access (0..2). */
  readonly el: number;
  /** HCR_EL2.IMO (or TGE) is in effect for this access: ICC_* at EL1 are virtual (ICV_*). */
  readonly irqVirtual: boolean;
  /** HCR_EL2.FMO in effect. */
  readonly fiqVirtual: boolean;
}

/**
 * Serves system registers the CPU does not implement itself (the GICv3 CPU interface:
 * ICC_*_EL1/EL2, ICH_*_EL2). `undefined`/`false` means the register does not exist there and
 * the access is UNDEFINED. `enc` is `sysreg(op0, op1, crn, crm, op2)`.
 */
export interface SysRegDevice {
  read(cpuId: number, enc: number, ctx: SysRegAccessContext): bigint | undefined;
  write(cpuId: number, enc: number, value: bigint, ctx: SysRegAccessContext): boolean;
}

/** Firmware calls (PSCI) served by the emulator: true = handled (it set x0..x3). */
export type FirmwareHandler<C> = (cpu: C, conduit: "hvc" | "smc", imm16: number) => boolean;

/** Which exception made run() return "host-trap". */
export type TrapKind = "sync" | "irq" | "fiq" | "serror";

export interface CpuOptions<C> {
  cpuId: number;
  /** MPIDR_EL1 affinity value (bit 31, RES1, is added). */
  mpidr: number | bigint;
  /** MIDR_EL1 (default: QEMU cortex-a57's 0x411fd070, for both models). */
  midr?: number;
  bus: PhysBus;
  time: TimeSource;
  /** ID register values of QEMU's model (default "cortex-a57"). */
  model?: CpuModel;
  /** EL2 implemented (default true). */
  el2?: boolean;
  /**
   * Compile hot code to WebAssembly (default: on unless the environment has AXVISOR_JIT=0).
   * Works only when `bus.ram` came from machine's `allocateRam` (the registers and TLB then
   * live in its wasm memory); on other RAM the CPU interprets.
   */
  jit?: boolean;
  /** Tuning of the JIT (tests use a low hot threshold so short programs are compiled). */
  jitOptions?: JitOptions;
  sysRegDevice?: SysRegDevice;
  firmware?: FirmwareHandler<C>;
}
