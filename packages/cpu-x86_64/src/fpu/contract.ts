/**
 * The contract between the x86-64 core (prefixes, opcode maps, ModRM/SIB/displacement decode,
 * integer, system, paging, VMX: the rest of this package) and the floating-point unit (this
 * folder: x87, MMX, SSE..SSSE3/SSE4.x, MXCSR, FXSAVE/FXRSTOR). The core decodes the instruction
 * (its length, operands, effective address), checks CR0.EM/TS/CR4.OSFXSR and raises #UD/#NM
 * itself, then calls the unit. 64-bit values cross as two int32 halves: no BigInt here.
 */

export const FPU_OK = 0;
/** #UD: the encoding is not implemented / not advertised by CPUID. */
export const FPU_UD = 1;
/** A memory access faulted: the core has raised the exception; the unit wrote nothing. */
export const FPU_FAULT = 2;
/** #XM (SIMD floating-point exception unmasked in MXCSR, CR4.OSXMMEXCPT=1) or #UD when it is 0. */
export const FPU_SIMD_EXCEPTION = 3;
/** #MF: an unmasked x87 exception is pending (reported at the next waiting x87 instruction). */
export const FPU_X87_EXCEPTION = 4;
/** #GP(0): e.g. a misaligned 16-byte operand of an aligned SSE access, a reserved MXCSR bit. */
export const FPU_GP = 5;
export type FpuResult =
  | typeof FPU_OK
  | typeof FPU_UD
  | typeof FPU_FAULT
  | typeof FPU_SIMD_EXCEPTION
  | typeof FPU_X87_EXCEPTION
  | typeof FPU_GP;

/** General-purpose registers RAX..R15 (0..15) as the unit sees them. */
export interface GprPort {
  getLo(n: number): number;
  getHi(n: number): number;
  /** Writes all 64 bits (the core's rules for 32-bit writes zero-extending are the caller's). */
  set(n: number, lo: number, hi: number): void;
  /** RFLAGS (its low 32 bits), for FCMOVcc. */
  getFlags(): number;
  /**
   * RFLAGS bits the unit sets (COMISS/UCOMISS, FCOMI, PTEST...): ZF, PF, CF, and SF/OF as given
   * (PCMPxSTRx; absent means cleared); AF cleared.
   */
  setFlags(zf: boolean, pf: boolean, cf: boolean, sf?: boolean, of?: boolean): void;
}

/** Memory at an effective (linear) address (lo, hi), translated and checked by the core. */
export interface MemPort {
  read(eaLo: number, eaHi: number, len: number, out: Uint8Array, off: number): boolean;
  write(eaLo: number, eaHi: number, len: number, src: Uint8Array, off: number): boolean;
}

/** One decoded SSE/MMX instruction (opcode maps 0F, 0F38, 0F3A) as the core hands it over. */
export interface SseInsn {
  /** The mandatory/operand-size prefix in effect: 0 (none), 0x66, 0xF3 or 0xF2. */
  prefix: number;
  /** 1 = 0F, 2 = 0F 38, 3 = 0F 3A. */
  map: number;
  opcode: number;
  /** ModRM.reg extended by REX.R (0..15). */
  reg: number;
  /** With mod = 3: ModRM.rm extended by REX.B (0..15); with a memory operand: -1. */
  rm: number;
  /** The memory operand's effective address when rm = -1. */
  eaLo: number;
  eaHi: number;
  rexW: boolean;
  /** The imm8 when the encoding has one (see `sseHasImm8`), else 0. */
  imm8: number;
}
