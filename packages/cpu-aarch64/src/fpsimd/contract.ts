/**
 * The contract between the A64 core (decode, integer, system, MMU: the rest of this package)
 * and the FP/AdvSIMD unit (this folder). The core decodes the top-level encoding groups; every
 * instruction in the "Data Processing -- Scalar Floating-Point and Advanced SIMD" group and
 * every SIMD&FP load/store goes to the functions below, after the core has checked that
 * FP/SIMD access is enabled (CPACR_EL1.FPEN, CPTR_EL2) and raised the trap otherwise.
 *
 * 64-bit values cross the boundary as two int32 halves (lo, hi): no BigInt on this path.
 */

/** What the unit returns: the instruction ran, or its encoding is unallocated (UNDEFINED). */
export const FPSIMD_OK = 0;
export const FPSIMD_UNDEFINED = 1;
/** A memory access faulted: the core has already raised the exception; nothing was written back. */
export const FPSIMD_FAULT = 2;
export type FpSimdResult = typeof FPSIMD_OK | typeof FPSIMD_UNDEFINED | typeof FPSIMD_FAULT;

/** The general-purpose registers as the unit sees them. */
export interface GprPort {
  /** X register n (0..30), or XZR (n = 31) which reads as zero. */
  getLo(n: number): number;
  getHi(n: number): number;
  /** Writes X register n (0..30); n = 31 (XZR) discards. */
  set(n: number, lo: number, hi: number): void;
  /** For address bases: X register n, where n = 31 means the current stack pointer. */
  getBaseLo(n: number): number;
  getBaseHi(n: number): number;
  /** Base register writeback (n = 31: the current stack pointer). */
  setBase(n: number, lo: number, hi: number): void;
  /** PSTATE.NZCV as a 4-bit number (N = 8, Z = 4, C = 2, V = 1), for FCCMP and FCSEL. */
  getNzcv(): number;
  /** Sets PSTATE.NZCV (FCMP, FCMPE, FCCMP, FCCMPE). */
  setNzcv(nzcv: number): void;
  /** The address of the instruction being executed (LDR literal). */
  getPcLo(): number;
  getPcHi(): number;
}

/**
 * Memory as the SIMD&FP loads and stores see it: virtual addresses (lo, hi), translated and
 * checked by the core (stage 1 and 2, permissions, alignment rules, watchpoints). A false
 * return means the access faulted and the core has raised the exception; the unit then
 * stops and returns FPSIMD_FAULT without writing any register.
 */
export interface SimdMemPort {
  /** Reads `len` bytes (1, 2, 4, 8 or 16) at va into out[off..off+len). */
  read(vaLo: number, vaHi: number, len: number, out: Uint8Array, off: number): boolean;
  /** Writes `len` bytes from src[off..off+len) to va. */
  write(vaLo: number, vaHi: number, len: number, src: Uint8Array, off: number): boolean;
}
