/**
 * Scalar writes to SIMD&FP registers (a scalar write clears the rest of the 128-bit register)
 * and the A64 condition test shared by FCCMP and FCSEL.
 */
import type { FpSimdRegs } from "./regs.js";

export function writeS(r: FpSimdRegs, d: number, bits: number): void {
  const i = r.i32;
  i[d * 4] = bits;
  i[d * 4 + 1] = 0;
  i[d * 4 + 2] = 0;
  i[d * 4 + 3] = 0;
}

export function writeD(r: FpSimdRegs, d: number, lo: number, hi: number): void {
  const i = r.i32;
  i[d * 4] = lo;
  i[d * 4 + 1] = hi;
  i[d * 4 + 2] = 0;
  i[d * 4 + 3] = 0;
}

export function writeH(r: FpSimdRegs, d: number, bits: number): void {
  writeS(r, d, bits & 0xffff);
}

/** ConditionHolds(cond) for NZCV given as N=8, Z=4, C=2, V=1. */
export function conditionHolds(cond: number, nzcv: number): boolean {
  const n = (nzcv >>> 3) & 1;
  const z = (nzcv >>> 2) & 1;
  const c = (nzcv >>> 1) & 1;
  const v = nzcv & 1;
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = z === 1;
      break;
    case 1:
      r = c === 1;
      break;
    case 2:
      r = n === 1;
      break;
    case 3:
      r = v === 1;
      break;
    case 4:
      r = c === 1 && z === 0;
      break;
    case 5:
      r = n === v;
      break;
    case 6:
      r = n === v && z === 0;
      break;
    default:
      r = true;
  }
  // cond 1111 is "always" like 1110.
  return (cond & 1) === 1 && cond !== 15 ? !r : r;
}
