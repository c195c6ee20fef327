/**
 * AdvSIMD "two-register miscellaneous" (vector and scalar): reversals, counts, pairwise long
 * adds, saturating absolute/negate/accumulate, compares with zero, narrowing (XTN, SQXTN,
 * UQXTN, SQXTUN, FCVTN, FCVTXN), widening (SHLL, FCVTL), and the FP element operations
 * (FRINT*, FCVT* to integer, SCVTF/UCVTF, FABS/FNEG/FSQRT, estimates).
 */
import {
  exc,
  f32Bits,
  f64HiWord,
  f64LoWord,
  halfToNumber,
  I32,
  I64,
  intToD,
  intToS,
  isNanH,
  NX,
  nanSFromH,
  RDN,
  RMM,
  RNE,
  RTZ,
  RUP,
  U32,
} from "@axvisor/softfloat";
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { clearT, commit, getS, getU, sat, setT, T8, T32 } from "./elements.js";
import {
  frecpeD,
  frecpeS,
  frecpxD,
  frecpxS,
  frsqrteD,
  frsqrteS,
  urecpe,
  ursqrte,
} from "./estimate.js";
import {
  dOut,
  dToS,
  fp,
  intOut,
  rintD,
  rintS,
  sqrtBitsD,
  sqrtBitsS,
  sToD,
  toIntD,
  toIntS,
} from "./fp.js";
import { add64, sub64, w } from "./i64.js";
import { saturate64 } from "./intops.js";
import { FPSR_QC, type FpSimdRegs } from "./regs.js";
import { toHalf } from "./scalar-fp.js";
import { compareD, compareS } from "./three-same.js";

const SIGN = -0x80000000;
/** The 64-bit result of a narrowing operation before it goes to the low or high half of Vd. */
const NARROW = new Int32Array(2);
const NARROW8 = new Uint8Array(NARROW.buffer);
const NARROW16 = new Uint16Array(NARROW.buffer);

export function twoRegMisc(insn: number, r: FpSimdRegs, scalar: boolean): FpSimdResult {
  const q = scalar ? false : ((insn >>> 30) & 1) === 1;
  const u = ((insn >>> 29) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const opcode = (insn >>> 12) & 31;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  if (opcode >= 12 && opcode !== 18 && opcode !== 19 && opcode !== 20) {
    if (opcode >= 22 || size >= 2) return fpMisc(r, scalar, q, u, size, opcode, rd, rn);
    if (opcode <= 15) return FPSIMD_UNDEFINED;
  }
  if (opcode >= 18 && opcode <= 20) return narrowOrShll(r, scalar, q, u, size, opcode, rd, rn);
  if (scalar) {
    const any = opcode === 3 || opcode === 7;
    const only64 = opcode >= 8 && opcode <= 11 && !(opcode === 10 && u);
    if (!(any || (only64 && size === 3))) return FPSIMD_UNDEFINED;
  }
  const esize = 8 << size;
  const elements = scalar ? 1 : (q ? 128 : 64) / esize;
  clearT();
  switch (opcode) {
    case 0:
    case 1: {
      // REV64, REV32 (U), REV16
      const container = opcode === 1 ? (u ? 0 : 16) : u ? 32 : 64;
      if (container === 0 || esize >= container) return FPSIMD_UNDEFINED;
      const bytes = esize / 8;
      const per = container / esize;
      const total = q ? 16 : 8;
      for (let e = 0; e < total / bytes; e++) {
        const src = e - (e % per) + (per - 1 - (e % per));
        copyBytes(r, rn, src * bytes, e * bytes, bytes);
      }
      break;
    }
    case 2:
    case 6: {
      // SADDLP/UADDLP, SADALP/UADALP
      if (size === 3) return FPSIMD_UNDEFINED;
      const out = (q ? 64 : 32) / esize;
      for (let e = 0; e < out; e++) {
        if (esize === 32) {
          pairSum64(r, rn, e, u);
          if (opcode === 6) add64(w.lo, w.hi, r.i32[rd * 4 + e * 2]!, r.i32[rd * 4 + e * 2 + 1]!);
          T32[e * 2] = w.lo;
          T32[e * 2 + 1] = w.hi;
        } else {
          let v = get(r, rn, e * 2, esize, u) + get(r, rn, e * 2 + 1, esize, u);
          if (opcode === 6) v += getU(r, rd, e, esize * 2);
          setT(e, esize * 2, v);
        }
      }
      break;
    }
    case 3: {
      // SUQADD / USQADD: accumulate a lane of the other signedness into Vd, saturating.
      if (size === 3 && !q && !scalar) return FPSIMD_UNDEFINED;
      for (let e = 0; e < elements; e++) {
        if (esize === 64) {
          uqsAdd64(r, e, rd, rn, u);
          T32[e * 2] = w.lo;
          T32[e * 2 + 1] = w.hi;
        } else {
          const d = get(r, rd, e, esize, u);
          const n = get(r, rn, e, esize, !u);
          setT(e, esize, sat(r, d + n, esize, u));
        }
      }
      break;
    }
    case 4: {
      // CLS / CLZ
      if (size === 3) return FPSIMD_UNDEFINED;
      for (let e = 0; e < elements; e++) {
        const a = getU(r, rn, e, esize);
        setT(e, esize, u ? clz(a, esize) : cls(a, esize));
      }
      break;
    }
    case 5: {
      // CNT, NOT, RBIT
      if (!u ? size !== 0 : size > 1) return FPSIMD_UNDEFINED;
      for (let e = 0; e < (q ? 16 : 8); e++) {
        const a = r.u8[rn * 16 + e]!;
        setT(e, 8, !u ? popcount8(a) : size === 0 ? ~a : rbit8(a));
      }
      break;
    }
    case 7:
    case 8:
    case 9:
    case 10:
    case 11: {
      // SQABS/SQNEG, CMGT/CMGE #0, CMEQ/CMLE #0, CMLT #0, ABS/NEG
      if (opcode === 10 && u) return FPSIMD_UNDEFINED;
      if (size === 3 && !q && !scalar) return FPSIMD_UNDEFINED;
      for (let e = 0; e < elements; e++) {
        if (esize === 64) {
          lane64(r, opcode, u, rn, e);
          T32[e * 2] = w.lo;
          T32[e * 2 + 1] = w.hi;
          continue;
        }
        const a = getS(r, rn, e, esize);
        let v: number;
        switch (opcode) {
          case 7:
            v = sat(r, u ? -a : Math.abs(a), esize, false);
            break;
          case 8:
            v = (u ? a >= 0 : a > 0) ? -1 : 0;
            break;
          case 9:
            v = (u ? a <= 0 : a === 0) ? -1 : 0;
            break;
          case 10:
            v = a < 0 ? -1 : 0;
            break;
          default:
            v = u ? -a : Math.abs(a);
        }
        setT(e, esize, v);
      }
      break;
    }
    default:
      return FPSIMD_UNDEFINED;
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

function get(r: FpSimdRegs, reg: number, e: number, esize: number, u: boolean): number {
  return u ? getU(r, reg, e, esize) : getS(r, reg, e, esize);
}

function copyBytes(r: FpSimdRegs, rn: number, from: number, to: number, n: number): void {
  for (let b = 0; b < n; b++) T8[to + b] = r.u8[rn * 16 + from + b]!;
}

function pairSum64(r: FpSimdRegs, rn: number, e: number, u: boolean): void {
  const a = r.i32[rn * 4 + e * 2]!;
  const b = r.i32[rn * 4 + e * 2 + 1]!;
  add64(a, u ? 0 : a >> 31, b, u ? 0 : b >> 31);
}

/** SUQADD (u = false: signed Vd + unsigned Vn) / USQADD (unsigned Vd + signed Vn), 64-bit. */
function uqsAdd64(r: FpSimdRegs, e: number, rd: number, rn: number, u: boolean): void {
  const dlo = r.i32[rd * 4 + e * 2]!;
  const dhi = r.i32[rd * 4 + e * 2 + 1]!;
  const nlo = r.i32[rn * 4 + e * 2]!;
  const nhi = r.i32[rn * 4 + e * 2 + 1]!;
  add64(dlo, dhi, nlo, nhi);
  if (!u) {
    // signed d + unsigned n can only overflow upwards.
    const over = nhi < 0 ? dhi >= 0 || w.hi < 0 : dhi >= 0 && w.hi < 0;
    if (over) saturate64(r, false, false);
    return;
  }
  // unsigned d + signed n
  if (nhi < 0) {
    // Adding a negative number: underflow when |n| > d.
    if (w.hi >>> 0 > dhi >>> 0 || (w.hi >>> 0 === dhi >>> 0 && w.lo >>> 0 > dlo >>> 0)) {
      saturate64(r, true, true);
    }
  } else if (w.hi >>> 0 < dhi >>> 0 || (w.hi >>> 0 === dhi >>> 0 && w.lo >>> 0 < dlo >>> 0)) {
    saturate64(r, true, false);
  }
}

function lane64(r: FpSimdRegs, opcode: number, u: boolean, rn: number, e: number): void {
  const lo = r.i32[rn * 4 + e * 2]!;
  const hi = r.i32[rn * 4 + e * 2 + 1]!;
  let t: boolean;
  switch (opcode) {
    case 7:
    case 11: {
      const neg = u ? true : hi < 0;
      if (neg) sub64(0, 0, lo, hi);
      else {
        w.lo = lo;
        w.hi = hi;
      }
      if (opcode === 7 && lo === 0 && hi === -0x80000000 && (u || hi < 0))
        saturate64(r, false, false);
      return;
    }
    case 8:
      t = u ? hi >= 0 : hi > 0 || (hi === 0 && lo !== 0);
      break;
    case 9:
      t = u ? hi < 0 || (hi === 0 && lo === 0) : hi === 0 && lo === 0;
      break;
    default:
      t = hi < 0;
  }
  w.lo = w.hi = t ? -1 : 0;
}

function clz(a: number, esize: number): number {
  return Math.clz32(a) - (32 - esize);
}

function cls(a: number, esize: number): number {
  const top = (a >>> (esize - 1)) & 1;
  const x = top ? ~a & (esize === 32 ? -1 : (1 << esize) - 1) : a;
  return clz(x >>> 0, esize) - 1;
}

function popcount8(a: number): number {
  let v = a - ((a >>> 1) & 0x55);
  v = (v & 0x33) + ((v >>> 2) & 0x33);
  return (v + (v >>> 4)) & 0x0f;
}

function rbit8(a: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) v |= ((a >>> i) & 1) << (7 - i);
  return v;
}

/** XTN/SQXTN/UQXTN/SQXTUN (opcodes 18 and 20) and SHLL (19). */
function narrowOrShll(
  r: FpSimdRegs,
  scalar: boolean,
  q: boolean,
  u: boolean,
  size: number,
  opcode: number,
  rd: number,
  rn: number,
): FpSimdResult {
  if (size === 3) return FPSIMD_UNDEFINED;
  const esize = 8 << size;
  if (opcode === 19) {
    if (!u || scalar) return FPSIMD_UNDEFINED;
    clearT();
    const base = q ? 64 / esize : 0;
    for (let e = 0; e < 64 / esize; e++) {
      const a = getU(r, rn, base + e, esize);
      if (esize === 32) {
        T32[e * 2] = 0;
        T32[e * 2 + 1] = a | 0;
      } else setT(e, esize * 2, a * 2 ** esize);
    }
    commit(r, rd, true);
    return FPSIMD_OK;
  }
  if (scalar && opcode === 18 && !u) return FPSIMD_UNDEFINED; // XTN has no scalar form
  // Source lanes are 2*esize wide; the kind: XTN (18, !u), SQXTUN (18, u), SQXTN (20, !u), UQXTN (20, u).
  const wide = esize * 2;
  const elements = scalar ? 1 : 64 / esize;
  const saturating = !(opcode === 18 && !u);
  const srcUnsigned = opcode === 20 && u;
  const dstUnsigned = u;
  const out = NARROW;
  const outBytes = NARROW8;
  out[0] = 0;
  out[1] = 0;
  for (let e = 0; e < elements; e++) {
    let v: number;
    if (wide === 64) {
      const lo = r.i32[rn * 4 + e * 2]!;
      const hi = r.i32[rn * 4 + e * 2 + 1]!;
      v = narrow64(r, lo, hi, srcUnsigned, dstUnsigned, saturating);
    } else {
      const a = srcUnsigned ? getU(r, rn, e, wide) : getS(r, rn, e, wide);
      v = saturating ? sat(r, a, esize, dstUnsigned) : a;
    }
    if (esize === 8) outBytes[e] = v;
    else if (esize === 16) {
      outBytes[e * 2] = v;
      outBytes[e * 2 + 1] = v >> 8;
    } else out[e] = v;
  }
  writeNarrow(r, rd, out, q);
  return FPSIMD_OK;
}

/** Writes a 64-bit narrowed result: low half (clearing the top) or high half for the "2" forms. */
export function writeNarrow(r: FpSimdRegs, rd: number, out: Int32Array, q: boolean): void {
  const i = r.i32;
  if (q) {
    i[rd * 4 + 2] = out[0]!;
    i[rd * 4 + 3] = out[1]!;
    return;
  }
  i[rd * 4] = out[0]!;
  i[rd * 4 + 1] = out[1]!;
  i[rd * 4 + 2] = 0;
  i[rd * 4 + 3] = 0;
}

/** A 64-bit lane narrowed to 32 bits, saturating when asked. */
export function narrow64(
  r: FpSimdRegs,
  lo: number,
  hi: number,
  srcUnsigned: boolean,
  dstUnsigned: boolean,
  saturating: boolean,
): number {
  if (!saturating) return lo;
  if (srcUnsigned) {
    if (hi !== 0) {
      r.fpsr |= FPSR_QC;
      return -1;
    }
    return lo;
  }
  if (dstUnsigned) {
    if (hi < 0) {
      r.fpsr |= FPSR_QC;
      return 0;
    }
    if (hi !== 0) {
      r.fpsr |= FPSR_QC;
      return -1;
    }
    return lo;
  }
  if (hi !== lo >> 31) {
    r.fpsr |= FPSR_QC;
    return hi < 0 ? SIGN : 0x7fffffff;
  }
  return lo;
}

// ---------------------------------------------------------------- floating point

/** FRINT and FCVT* rounding by opcode bit 0 and size<1>: N, M (a=0) / P, Z (a=1). */
function fpMisc(
  r: FpSimdRegs,
  scalar: boolean,
  q: boolean,
  u: boolean,
  size: number,
  opcode: number,
  rd: number,
  rn: number,
): FpSimdResult {
  const a = size >>> 1;
  const double = (size & 1) === 1;
  const key = ((u ? 1 : 0) << 6) | (a << 5) | opcode;
  const i = r.i32;
  // Narrowing and widening conversions first: their lanes differ in size.
  if (!a && (opcode === 22 || opcode === 23)) {
    if (opcode === 23) {
      if (u || scalar) return FPSIMD_UNDEFINED;
      return fcvtl(r, q, double, rd, rn);
    }
    if (u && !double) return FPSIMD_UNDEFINED; // FCVTXN is D -> S only
    if (scalar && !u) return FPSIMD_UNDEFINED;
    return fcvtn(r, q, scalar, double, u, rd, rn);
  }
  if (!scalar && double && !q) return FPSIMD_UNDEFINED;
  const elements = scalar ? 1 : double ? 2 : q ? 4 : 2;
  let kind = -1;
  switch (key) {
    case 0b0011000: // FRINTN
    case 0b0011001: // FRINTM
    case 0b0111000: // FRINTP
    case 0b0111001: // FRINTZ
    case 0b1011000: // FRINTA
    case 0b1011001: // FRINTX
    case 0b1111001: // FRINTI
      if (scalar) return FPSIMD_UNDEFINED;
      kind = 0;
      break;
    case 0b0011010: // FCVTNS
    case 0b0011011: // FCVTMS
    case 0b0011100: // FCVTAS
    case 0b0111010: // FCVTPS
    case 0b0111011: // FCVTZS
    case 0b1011010: // FCVTNU
    case 0b1011011: // FCVTMU
    case 0b1011100: // FCVTAU
    case 0b1111010: // FCVTPU
    case 0b1111011: // FCVTZU
      kind = 1;
      break;
    case 0b0011101: // SCVTF
    case 0b1011101: // UCVTF
      kind = 2;
      break;
    case 0b0101100: // FCMGT #0
    case 0b0101101: // FCMEQ #0
    case 0b0101110: // FCMLT #0
    case 0b1101100: // FCMGE #0
    case 0b1101101: // FCMLE #0
      kind = 3;
      break;
    case 0b0101111: // FABS
    case 0b1101111: // FNEG
    case 0b1111111: // FSQRT
      if (scalar) return FPSIMD_UNDEFINED;
      kind = 4;
      break;
    case 0b0111101: // FRECPE
    case 0b1111101: // FRSQRTE
      kind = 5;
      break;
    case 0b0111100: // URECPE
    case 0b1111100: // URSQRTE
      if (scalar || double) return FPSIMD_UNDEFINED;
      kind = 6;
      break;
    case 0b0111111: // FRECPX
      if (!scalar) return FPSIMD_UNDEFINED;
      kind = 7;
      break;
    default:
      return FPSIMD_UNDEFINED;
  }
  clearT();
  for (let e = 0; e < elements; e++) {
    const lo = double ? i[rn * 4 + e * 2]! : i[rn * 4 + e]!;
    const hi = double ? i[rn * 4 + e * 2 + 1]! : 0;
    let s = 0;
    switch (kind) {
      case 0: {
        const mode = roundingOf(u, a, opcode);
        const exact = u && !a && opcode === 25;
        if (double) rintD(lo, hi, mode, exact);
        else s = rintS(lo, mode, exact);
        break;
      }
      case 1: {
        const mode = opcode === 28 ? RMM : a ? (opcode & 1 ? RTZ : RUP) : opcode & 1 ? RDN : RNE;
        if (double) {
          toIntD(lo, hi, mode, u ? 3 : I64, 0);
          dOut.lo = intOut.lo;
          dOut.hi = intOut.hi;
        } else {
          toIntS(lo, mode, u ? U32 : I32, 0);
          s = intOut.lo;
        }
        break;
      }
      case 2:
        if (double) setDValue(intToD(lo, hi, u ? 3 : I64, fp.rm));
        else s = f32Bits(intToS(lo, 0, u ? U32 : I32, fp.rm));
        break;
      case 3: {
        // Compare with zero: GT, EQ, LT (u = 0) / GE, LE (u = 1).
        let t: boolean;
        const cmp = opcode === 12 ? (u ? 2 : 3) : opcode === 13 ? (u ? 2 : 1) : 3;
        const swap = opcode === 14 || (opcode === 13 && u);
        if (double) t = swap ? compareD(cmp, 0, 0, lo, hi) : compareD(cmp, lo, hi, 0, 0);
        else t = swap ? compareS(cmp, 0, lo) : compareS(cmp, lo, 0);
        s = t ? -1 : 0;
        dOut.lo = dOut.hi = s;
        break;
      }
      case 4:
        if (opcode === 31) {
          if (double) sqrtBitsD(lo, hi);
          else s = sqrtBitsS(lo);
        } else if (u) {
          dOut.lo = lo;
          dOut.hi = hi ^ SIGN;
          s = lo ^ SIGN;
        } else {
          dOut.lo = lo;
          dOut.hi = hi & 0x7fffffff;
          s = lo & 0x7fffffff;
        }
        break;
      case 5:
        if (u) {
          if (double) frsqrteD(lo, hi);
          else s = frsqrteS(lo);
        } else if (double) frecpeD(lo, hi);
        else s = frecpeS(lo);
        break;
      case 6:
        s = u ? ursqrte(lo) : urecpe(lo);
        break;
      default:
        if (double) frecpxD(lo, hi);
        else s = frecpxS(lo);
    }
    if (double) {
      T32[e * 2] = dOut.lo;
      T32[e * 2 + 1] = dOut.hi;
    } else T32[e] = s;
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

function roundingOf(u: boolean, a: number, opcode: number): number {
  if (!u) return a ? (opcode & 1 ? RTZ : RUP) : opcode & 1 ? RDN : RNE;
  if (!a) return opcode & 1 ? fp.rm : RMM; // FRINTX uses FPCR, FRINTA ties away
  return fp.rm; // FRINTI
}

function setDValue(v: number): void {
  dOut.lo = f64LoWord(v);
  dOut.hi = f64HiWord(v);
}

/** FCVTL/FCVTL2: half -> single (sz = 0) or single -> double (sz = 1), from the low or high half. */
function fcvtl(r: FpSimdRegs, q: boolean, double: boolean, rd: number, rn: number): FpSimdResult {
  clearT();
  const i = r.i32;
  if (double) {
    for (let e = 0; e < 2; e++) {
      sToD(i[rn * 4 + (q ? 2 : 0) + e]!);
      T32[e * 2] = dOut.lo;
      T32[e * 2 + 1] = dOut.hi;
    }
  } else {
    for (let e = 0; e < 4; e++) {
      const h = r.u16[rn * 8 + (q ? 4 : 0) + e]!;
      if (!fp.ahp && isNanH(h)) T32[e] = nanSFromH(h);
      else T32[e] = f32Bits(halfToNumber(h, fp.ahp));
    }
  }
  commit(r, rd, true);
  return FPSIMD_OK;
}

/** FCVTN(2): single -> half or double -> single; FCVTXN(2): double -> single rounding to odd. */
function fcvtn(
  r: FpSimdRegs,
  q: boolean,
  scalar: boolean,
  double: boolean,
  odd: boolean,
  rd: number,
  rn: number,
): FpSimdResult {
  const i = r.i32;
  const out = NARROW;
  const o16 = NARROW16;
  out[0] = 0;
  out[1] = 0;
  if (double) {
    const n = scalar ? 1 : 2;
    for (let e = 0; e < n; e++) {
      const lo = i[rn * 4 + e * 2]!;
      const hi = i[rn * 4 + e * 2 + 1]!;
      out[e] = odd ? roundOddS(lo, hi) : dToS(lo, hi, fp.rm);
    }
  } else {
    for (let e = 0; e < 4; e++) o16[e] = toHalf(0, i[rn * 4 + e]!, 0);
  }
  writeNarrow(r, rd, out, q);
  return FPSIMD_OK;
}

/** binary64 -> binary32 with round-to-odd (FCVTXN): truncate, then set the last bit if inexact. */
function roundOddS(lo: number, hi: number): number {
  const saved = exc.flags;
  exc.flags = 0;
  let s = dToS(lo, hi, RTZ);
  const inexact = (exc.flags & NX) !== 0;
  if (inexact && (s & 0x7f800000) !== 0x7f800000) s |= 1;
  exc.flags |= saved;
  return s;
}
