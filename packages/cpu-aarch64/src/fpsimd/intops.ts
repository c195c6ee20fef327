/**
 * Integer lane operations shared by the AdvSIMD groups: shifts by a signed register amount
 * (plain, rounding, saturating), saturating add/subtract, doubling high multiplies, for lanes of
 * 8..32 bits as exact JS numbers and for 64-bit lanes as (lo, hi) pairs (result in i64.w).
 */
import { maxOf, minOf, sat, wrapU } from "./elements.js";
import { add64, bit64, ltU64, shl64, shr64, sub64, w } from "./i64.js";
import { FPSR_QC, type FpSimdRegs } from "./regs.js";

/** Signed shift amount from the low byte of a shift-register lane. */
export function shiftAmount(b: number): number {
  return (b << 24) >> 24;
}

/** Reinterprets an exact integer in [min, max] of the unsigned/signed esize range as a lane. */
function toSigned(v: number, esize: number): number {
  const m = 2 ** esize;
  const x = wrapU(v, esize);
  return x >= m / 2 ? x - m : x;
}

/**
 * a shifted by sh (left when positive, right when negative) for esize <= 32.
 * rounding: right shifts round to nearest (SRSHL); saturating: left shifts saturate (SQSHL).
 */
export function shiftLane(
  r: FpSimdRegs,
  a: number,
  sh: number,
  esize: number,
  unsigned: boolean,
  rounding: boolean,
  saturating: boolean,
): number {
  if (sh >= 0) {
    const v = a * 2 ** sh;
    if (saturating) return sat(r, v, esize, unsigned);
    if (sh >= esize) return 0;
    return unsigned ? wrapU(v, esize) : toSigned(v, esize);
  }
  const n = -sh;
  if (rounding) {
    if (n > esize) return 0;
    return Math.floor((a + 2 ** (n - 1)) / 2 ** n);
  }
  if (n >= esize) return !unsigned && a < 0 ? -1 : 0;
  return Math.floor(a / 2 ** n);
}

/** As shiftLane for a 64-bit lane (lo, hi); result in w. */
export function shiftLane64(
  r: FpSimdRegs,
  lo: number,
  hi: number,
  sh: number,
  unsigned: boolean,
  rounding: boolean,
  saturating: boolean,
): void {
  if (sh >= 0) {
    shl64(lo, hi, sh);
    if (!saturating) return;
    const rlo = w.lo;
    const rhi = w.hi;
    shr64(rlo, rhi, sh, unsigned);
    if (w.lo === lo && w.hi === hi && (unsigned || sh < 64 || (lo === 0 && hi === 0))) {
      w.lo = rlo;
      w.hi = rhi;
      return;
    }
    saturate64(r, unsigned, !unsigned && hi < 0);
    return;
  }
  const n = -sh;
  shr64(lo, hi, n, unsigned);
  if (rounding && bit64(lo, hi, n - 1, unsigned)) add64(w.lo, w.hi, 1, 0);
}

/** w = the saturation bound: unsigned all ones (or 0 when negative), signed min or max. */
export function saturate64(r: FpSimdRegs, unsigned: boolean, negative: boolean): void {
  r.fpsr |= FPSR_QC;
  if (unsigned) {
    w.lo = negative ? 0 : -1;
    w.hi = negative ? 0 : -1;
  } else {
    w.lo = negative ? 0 : -1;
    w.hi = negative ? -0x80000000 : 0x7fffffff;
  }
}

/** Saturating a + b (sub: a - b) on 64-bit lanes; result in w. */
export function qaddsub64(
  r: FpSimdRegs,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  unsigned: boolean,
  sub: boolean,
): void {
  if (sub) sub64(alo, ahi, blo, bhi);
  else add64(alo, ahi, blo, bhi);
  if (unsigned) {
    if (sub ? ltU64(alo, ahi, blo, bhi) : ltU64(w.lo, w.hi, alo, ahi)) {
      saturate64(r, true, sub);
    }
    return;
  }
  const overflow = sub ? (ahi ^ bhi) < 0 && (w.hi ^ ahi) < 0 : (ahi ^ bhi) >= 0 && (w.hi ^ ahi) < 0;
  if (overflow) saturate64(r, false, ahi < 0);
}

/**
 * floor((2*a*b [+ 2^(esize-1)]) / 2^esize) for signed esize-bit a, b (SQDMULH, SQRDMULH),
 * saturated; exact for esize 16 and 32.
 */
export function doublingMulHigh(
  r: FpSimdRegs,
  a: number,
  b: number,
  esize: number,
  round: boolean,
): number {
  let v: number;
  if (esize === 16) {
    v = Math.floor((a * b + (round ? 2 ** 14 : 0)) / 2 ** 15);
  } else {
    // a*b can exceed 2^53: split a into 16-bit halves so each partial product is exact.
    const al = a & 0xffff;
    const ah = (a - al) / 65536;
    const t1 = ah * b;
    const t2 = al * b + (round ? 2 ** 30 : 0);
    const q1 = Math.floor(t1 / 2 ** 15);
    const r1 = t1 - q1 * 2 ** 15;
    v = q1 + Math.floor((r1 * 65536 + t2) / 2 ** 31);
  }
  return sat(r, v, esize, false);
}

/** 2*a*b exactly for signed esize-bit lanes (SQDMULL and friends), as a double when esize is 16. */
export function satBounds(esize: number, unsigned: boolean): [number, number] {
  return [minOf(esize, unsigned), maxOf(esize, unsigned)];
}
