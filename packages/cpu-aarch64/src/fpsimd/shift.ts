/**
 * AdvSIMD "shift by immediate" (vector and scalar): right shifts (plain, rounding,
 * accumulating, inserting), left shifts (plain, inserting, saturating), narrowing right shifts
 * with saturation, long left shifts (SSHLL/USHLL) and fixed-point conversions.
 */
import {
  f32Bits,
  f64HiWord,
  f64LoWord,
  I32,
  I64,
  intToD,
  intToS,
  RTZ,
  U32,
} from "@axvisor/softfloat";
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { clearT, commit, getS, getU, sat, setT, T32, wrapU } from "./elements.js";
import { fp, intOut, toIntD, toIntS } from "./fp.js";
import { add64, bit64, shl64, shr64, w } from "./i64.js";
import { shiftLane64 } from "./intops.js";
import { narrow64, writeNarrow } from "./misc.js";
import type { FpSimdRegs } from "./regs.js";

const NARROW = new Int32Array(2);
const NARROW8 = new Uint8Array(NARROW.buffer);
const NARROW16 = new Uint16Array(NARROW.buffer);

export function shiftImmediate(insn: number, r: FpSimdRegs, scalar: boolean): FpSimdResult {
  const q = scalar ? false : ((insn >>> 30) & 1) === 1;
  const u = ((insn >>> 29) & 1) === 1;
  const immh = (insn >>> 19) & 15;
  const immhb = (insn >>> 16) & 127;
  const opcode = (insn >>> 11) & 31;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  if (immh === 0) return FPSIMD_UNDEFINED;
  const esize = immh & 8 ? 64 : immh & 4 ? 32 : immh & 2 ? 16 : 8;
  const right = 2 * esize - immhb;
  const left = immhb - esize;
  switch (opcode) {
    case 0:
    case 2:
    case 4:
    case 6:
    case 8:
    case 10:
    case 12:
    case 14:
      break;
    case 16:
    case 17:
    case 18:
    case 19:
      return narrowShift(r, scalar, q, u, opcode, esize, right, rd, rn);
    case 20:
      if (scalar || esize === 64) return FPSIMD_UNDEFINED;
      return longShift(r, q, u, esize, left, rd, rn);
    case 28:
    case 31:
      return fixedPoint(r, scalar, q, u, opcode === 31, immh, immhb, rd, rn);
    default:
      return FPSIMD_UNDEFINED;
  }
  if (opcode === 8 && !u) return FPSIMD_UNDEFINED;
  if (opcode === 12 && !u) return FPSIMD_UNDEFINED;
  const saturating = opcode === 12 || opcode === 14;
  if (scalar ? !saturating && esize !== 64 : esize === 64 && !q) return FPSIMD_UNDEFINED;
  const elements = scalar ? 1 : (q ? 128 : 64) / esize;
  const rounding = opcode === 4 || opcode === 6;
  const accumulate = opcode === 2 || opcode === 6;
  clearT();
  for (let e = 0; e < elements; e++) {
    if (esize === 64) {
      lane64(r, opcode, u, e, rd, rn, right, left, rounding, accumulate);
      T32[e * 2] = w.lo;
      T32[e * 2 + 1] = w.hi;
      continue;
    }
    let v: number;
    if (opcode === 10 || opcode === 12 || opcode === 14) {
      // SHL / SLI, SQSHLU, SQSHL / UQSHL
      if (opcode === 10) {
        const a = getU(r, rn, e, esize);
        const shifted = wrapU(a * 2 ** left, esize);
        if (u) {
          const mask = wrapU((2 ** esize - 1) * 2 ** left, esize);
          v = (getU(r, rd, e, esize) & ~mask) | shifted;
        } else v = shifted;
      } else {
        const signedSrc = opcode === 12 || !u;
        const a = signedSrc ? getS(r, rn, e, esize) : getU(r, rn, e, esize);
        v = sat(r, a * 2 ** left, esize, opcode === 12 || u);
      }
    } else if (opcode === 8) {
      // SRI: shift right and insert, keeping Vd's top `right` bits.
      const a = getU(r, rn, e, esize);
      if (right === esize) v = getU(r, rd, e, esize);
      else {
        const mask = Math.floor((2 ** esize - 1) / 2 ** right);
        v = (getU(r, rd, e, esize) & ~mask) | Math.floor(a / 2 ** right);
      }
    } else {
      const a = u ? getU(r, rn, e, esize) : getS(r, rn, e, esize);
      v = rounding ? Math.floor((a + 2 ** (right - 1)) / 2 ** right) : Math.floor(a / 2 ** right);
      if (accumulate) v += getU(r, rd, e, esize);
    }
    setT(e, esize, v);
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

function lane64(
  r: FpSimdRegs,
  opcode: number,
  u: boolean,
  e: number,
  rd: number,
  rn: number,
  right: number,
  left: number,
  rounding: boolean,
  accumulate: boolean,
): void {
  const lo = r.i32[rn * 4 + e * 2]!;
  const hi = r.i32[rn * 4 + e * 2 + 1]!;
  const dlo = r.i32[rd * 4 + e * 2]!;
  const dhi = r.i32[rd * 4 + e * 2 + 1]!;
  switch (opcode) {
    case 8: {
      // SRI
      if (right === 64) {
        w.lo = dlo;
        w.hi = dhi;
        return;
      }
      shr64(-1, -1, right, true);
      const mlo = w.lo;
      const mhi = w.hi;
      shr64(lo, hi, right, true);
      w.lo = (dlo & ~mlo) | w.lo;
      w.hi = (dhi & ~mhi) | w.hi;
      return;
    }
    case 10: {
      shl64(-1, -1, left);
      const mlo = w.lo;
      const mhi = w.hi;
      shl64(lo, hi, left);
      if (u) {
        w.lo = (dlo & ~mlo) | w.lo;
        w.hi = (dhi & ~mhi) | w.hi;
      }
      return;
    }
    case 12:
      // SQSHLU: a signed lane saturated to unsigned.
      if (hi < 0) {
        r.fpsr |= 1 << 27;
        w.lo = w.hi = 0;
        return;
      }
      shiftLane64(r, lo, hi, left, true, false, true);
      return;
    case 14:
      shiftLane64(r, lo, hi, left, u, false, true);
      return;
  }
  shr64(lo, hi, right, u);
  if (rounding && bit64(lo, hi, right - 1, u)) add64(w.lo, w.hi, 1, 0);
  if (accumulate) add64(w.lo, w.hi, dlo, dhi);
}

/** SHRN, RSHRN, SQSHRN, SQRSHRN, UQSHRN, UQRSHRN, SQSHRUN, SQRSHRUN. */
function narrowShift(
  r: FpSimdRegs,
  scalar: boolean,
  q: boolean,
  u: boolean,
  opcode: number,
  esize: number,
  right0: number,
  rd: number,
  rn: number,
): FpSimdResult {
  if (esize === 64) return FPSIMD_UNDEFINED;
  if (scalar && opcode <= 17 && !u) return FPSIMD_UNDEFINED; // SHRN/RSHRN have no scalar form
  const wide = esize * 2;
  // The immediate encodes the shift for the narrow size: right = 2*esize - immh:immb.
  const right = right0;
  const rounding = (opcode & 1) === 1;
  const saturating = u || opcode >= 18;
  const srcUnsigned = u && opcode >= 18;
  const dstUnsigned = u;
  const elements = scalar ? 1 : 64 / esize;
  NARROW[0] = 0;
  NARROW[1] = 0;
  for (let e = 0; e < elements; e++) {
    let v: number;
    if (wide === 64) {
      const lo = r.i32[rn * 4 + e * 2]!;
      const hi = r.i32[rn * 4 + e * 2 + 1]!;
      shr64(lo, hi, right, srcUnsigned);
      if (rounding && bit64(lo, hi, right - 1, srcUnsigned)) add64(w.lo, w.hi, 1, 0);
      v = narrow64(r, w.lo, w.hi, srcUnsigned, dstUnsigned, saturating);
    } else {
      const a = srcUnsigned || (!saturating && !u) ? getU(r, rn, e, wide) : getS(r, rn, e, wide);
      const s = rounding
        ? Math.floor((a + 2 ** (right - 1)) / 2 ** right)
        : Math.floor(a / 2 ** right);
      v = saturating ? sat(r, s, esize, dstUnsigned) : s;
    }
    if (esize === 8) NARROW8[e] = v;
    else if (esize === 16) NARROW16[e] = v;
    else NARROW[e] = v;
  }
  writeNarrow(r, rd, NARROW, q);
  return FPSIMD_OK;
}

/** SSHLL/USHLL (SXTL/UXTL when the shift is 0), from the low or (Q) high half. */
function longShift(
  r: FpSimdRegs,
  q: boolean,
  u: boolean,
  esize: number,
  left: number,
  rd: number,
  rn: number,
): FpSimdResult {
  const elements = 64 / esize;
  const base = q ? elements : 0;
  clearT();
  for (let e = 0; e < elements; e++) {
    const a = u ? getU(r, rn, base + e, esize) : getS(r, rn, base + e, esize);
    if (esize === 32) {
      shl64(a | 0, u ? 0 : a < 0 ? -1 : 0, left);
      T32[e * 2] = w.lo;
      T32[e * 2 + 1] = w.hi;
    } else setT(e, esize * 2, a * 2 ** left);
  }
  commit(r, rd, true);
  return FPSIMD_OK;
}

/** SCVTF/UCVTF and FCVTZS/FCVTZU (vector and scalar, fixed point). */
function fixedPoint(
  r: FpSimdRegs,
  scalar: boolean,
  q: boolean,
  u: boolean,
  toInt: boolean,
  immh: number,
  immhb: number,
  rd: number,
  rn: number,
): FpSimdResult {
  if ((immh & 12) === 0) return FPSIMD_UNDEFINED; // half precision or invalid
  const double = (immh & 8) !== 0;
  if (!scalar && double && !q) return FPSIMD_UNDEFINED;
  const esize = double ? 64 : 32;
  const fbits = 2 * esize - immhb;
  const elements = scalar ? 1 : double ? 2 : q ? 4 : 2;
  const i = r.i32;
  clearT();
  for (let e = 0; e < elements; e++) {
    if (double) {
      const lo = i[rn * 4 + e * 2]!;
      const hi = i[rn * 4 + e * 2 + 1]!;
      if (toInt) {
        toIntD(lo, hi, RTZ, u ? 3 : I64, fbits);
        T32[e * 2] = intOut.lo;
        T32[e * 2 + 1] = intOut.hi;
      } else {
        const v = intToD(lo, hi, u ? 3 : I64, fpRm()) * 2 ** -fbits;
        T32[e * 2] = f64LoWord(v);
        T32[e * 2 + 1] = f64HiWord(v);
      }
    } else {
      const a = i[rn * 4 + e]!;
      if (toInt) {
        toIntS(a, RTZ, u ? U32 : I32, fbits);
        T32[e] = intOut.lo;
      } else T32[e] = f32Bits(intToS(a, 0, u ? U32 : I32, fpRm()) * 2 ** -fbits);
    }
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

function fpRm(): number {
  return fp.rm;
}
