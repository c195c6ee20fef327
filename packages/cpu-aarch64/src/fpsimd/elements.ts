/**
 * Vector element access for the AdvSIMD groups. Elements of 8, 16 and 32 bits are JS numbers
 * (signed or unsigned as asked); 64-bit elements are (lo, hi) int32 pairs. Results are built in
 * a scratch register `T` (32 bytes, so that long results of two halves fit) and committed to
 * Vd at the end, so that Vd may alias the sources and an UNDEFINED decode writes nothing.
 */
import type { FpSimdRegs } from "./regs.js";
import { FPSR_QC } from "./regs.js";

const SCRATCH = new ArrayBuffer(64);
export const T8 = new Uint8Array(SCRATCH);
export const T16 = new Uint16Array(SCRATCH);
export const T32 = new Int32Array(SCRATCH);

/** Element idx (signed) of a register for esize 8/16/32. */
export function getS(r: FpSimdRegs, reg: number, idx: number, esize: number): number {
  if (esize === 8) return r.i8[reg * 16 + idx]!;
  if (esize === 16) return r.i16[reg * 8 + idx]!;
  return r.i32[reg * 4 + idx]!;
}

/** Element idx (unsigned) of a register for esize 8/16/32. */
export function getU(r: FpSimdRegs, reg: number, idx: number, esize: number): number {
  if (esize === 8) return r.u8[reg * 16 + idx]!;
  if (esize === 16) return r.u16[reg * 8 + idx]!;
  return r.u32[reg * 4 + idx]!;
}

export function get(r: FpSimdRegs, reg: number, idx: number, esize: number, unsigned: boolean) {
  return unsigned ? getU(r, reg, idx, esize) : getS(r, reg, idx, esize);
}

/** Writes element idx of the scratch register (the value is truncated to esize bits). */
export function setT(idx: number, esize: number, v: number): void {
  if (esize === 8) T8[idx] = v;
  else if (esize === 16) T16[idx] = v;
  else if (esize === 32) T32[idx] = v;
}

/** Truncates a (possibly large, exact) integer to esize bits, unsigned. */
export function wrapU(v: number, esize: number): number {
  const m = 2 ** esize;
  const x = v % m;
  return x < 0 ? x + m : x;
}

/** Starts a result: clears the scratch register. */
export function clearT(): void {
  T32.fill(0);
}

/** Copies the scratch register into Vd: 16 bytes, or 8 with the upper half cleared. */
export function commit(r: FpSimdRegs, d: number, q: boolean): void {
  const i = r.i32;
  i[d * 4] = T32[0]!;
  i[d * 4 + 1] = T32[1]!;
  if (q) {
    i[d * 4 + 2] = T32[2]!;
    i[d * 4 + 3] = T32[3]!;
  } else {
    i[d * 4 + 2] = 0;
    i[d * 4 + 3] = 0;
  }
}

/** Saturation bounds per esize (8, 16, 32) and signedness. */
export function minOf(esize: number, unsigned: boolean): number {
  return unsigned ? 0 : -(2 ** (esize - 1));
}
export function maxOf(esize: number, unsigned: boolean): number {
  return unsigned ? 2 ** esize - 1 : 2 ** (esize - 1) - 1;
}

/** Clamps an exact integer to the esize range, setting FPSR.QC when it saturates. */
export function sat(r: FpSimdRegs, v: number, esize: number, unsigned: boolean): number {
  const lo = minOf(esize, unsigned);
  const hi = maxOf(esize, unsigned);
  if (v < lo) {
    r.fpsr |= FPSR_QC;
    return lo;
  }
  if (v > hi) {
    r.fpsr |= FPSR_QC;
    return hi;
  }
  return v;
}
