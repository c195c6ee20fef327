/**
 * ESR_EL2 fields of the exceptions the hypervisor takes from its guests (ARM ARM D17.2.37),
 * and the system-register numbering AxVisor's exits use.
 */

/** Exception classes (ESR_ELx.EC) the vCPU distinguishes. */
export const ExceptionClass = {
  Unknown: 0x00,
  Wfx: 0x01,
  Hvc64: 0x16,
  Smc64: 0x17,
  SysReg: 0x18,
  InstructionAbortLower: 0x20,
  InstructionAbortSame: 0x21,
  DataAbortLower: 0x24,
  DataAbortSame: 0x25,
  /** BRK, taken to EL2 while MDCR_EL2.TDE routes debug exceptions there (a debugger). */
  Brk64: 0x3c,
} as const;

/** ESR.IL: the trapped instruction was 32 bits (always so in AArch64). */
export const ESR_IL = 1 << 25;

export function exceptionClass(esr: number): number {
  return esr >>> 26;
}

/** The fields of a data abort's ISS. */
export interface DataAbortIss {
  /** ISV: SAS/SSE/SRT/SF/AR describe the access. */
  readonly isv: boolean;
  /** Access size in bytes (1 << SAS). */
  readonly width: 1 | 2 | 4 | 8;
  readonly signExtend: boolean;
  /** Register transferred; 31 is XZR (stores write zero, loads are discarded). */
  readonly srt: number;
  /** The register is 64-bit (x) rather than 32-bit (w). */
  readonly sf: boolean;
  /** The fault happened on a stage-2 access of the guest's own stage-1 table walk. */
  readonly s1ptw: boolean;
  readonly write: boolean;
  /** Data fault status code: 0x04-0x07 translation, 0x08-0x0b access flag, 0x0c-0x0f permission. */
  readonly dfsc: number;
}

export function decodeDataAbortIss(esr: number): DataAbortIss {
  return {
    isv: ((esr >>> 24) & 1) !== 0,
    width: (1 << ((esr >>> 22) & 3)) as 1 | 2 | 4 | 8,
    signExtend: ((esr >>> 21) & 1) !== 0,
    srt: (esr >>> 16) & 31,
    sf: ((esr >>> 15) & 1) !== 0,
    s1ptw: ((esr >>> 7) & 1) !== 0,
    write: ((esr >>> 6) & 1) !== 0,
    dfsc: esr & 0x3f,
  };
}

/** An MSR/MRS/SYS trap (EC 0x18). */
export interface SysRegIss {
  /** AxVisor's numbering: the ISS with Rt and Direction cleared (Op0<<20 | Op2<<17 | Op1<<14 | CRn<<10 | CRm<<1). */
  readonly addr: number;
  readonly rt: number;
  /** MRS (a read) rather than MSR. */
  readonly read: boolean;
}

export function decodeSysRegIss(esr: number): SysRegIss {
  const iss = esr & 0x1ff_ffff;
  return { addr: iss & ~((31 << 5) | 1), rt: (iss >>> 5) & 31, read: (iss & 1) !== 0 };
}

/** AxVisor's numbering of a system register from its MRS/MSR operand fields. */
export function sysRegIssAddr(
  op0: number,
  op1: number,
  crn: number,
  crm: number,
  op2: number,
): number {
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (crm << 1);
}

/** ICC_SGI1R_EL1 (S3_0_C12_C11_5) in AxVisor's numbering: 0x3A3016. */
export const ICC_SGI1R_EL1_ADDR = sysRegIssAddr(3, 0, 12, 11, 5);
/** ICC_ASGI1R_EL1 (S3_0_C12_C11_6): SGIs for the other Security state. */
export const ICC_ASGI1R_EL1_ADDR = sysRegIssAddr(3, 0, 12, 11, 6);
/** ICC_SGI0R_EL1 (S3_0_C12_C11_7): group-0 SGIs. */
export const ICC_SGI0R_EL1_ADDR = sysRegIssAddr(3, 0, 12, 11, 7);

/** Guest-physical address of a stage-2 fault: HPFAR_EL2.FIPA holds IPA[55:12] at bits 43:4. */
export function faultIpa(hpfar: number, far: number): number {
  // HPFAR_EL2.FIPA is IPA[51:12] at bits 43:4 (below 2^44: exact as a number).
  return Math.floor(hpfar / 16) * 4096 + (far & 0xfff);
}
