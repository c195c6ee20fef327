/**
 * The scalar floating-point groups of "Data Processing -- Scalar Floating-Point and Advanced
 * SIMD" (bits 28:24 = 11110 or 11111, bit 30 = 0): conversions to and from fixed point and
 * integers, FMOV (register, general, immediate, top half), 1-source (FMOV FABS FNEG FSQRT FCVT
 * FRINT*), 2-source, 3-source (FMADD family), compare, conditional compare and select.
 * Half-precision arithmetic (FEAT_FP16) is not implemented, as on QEMU's cortex-a57: only the
 * FCVT conversions accept ftype = 11.
 */
import {
  exc,
  f32Bits,
  f32FromBits,
  f64FromWords,
  f64HiWord,
  f64LoWord,
  halfToNumber,
  I32,
  I64,
  intToD,
  intToS,
  isNanH,
  isNanS,
  NV,
  nanDFromH,
  nanHFromD,
  nanHFromS,
  nanOut,
  nanSFromH,
  numberToHalf,
  policy,
  RDN,
  RMM,
  RNE,
  RTZ,
  RUP,
  U32,
} from "@axvisor/softfloat";
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult, type GprPort } from "./contract.js";
import {
  binD,
  binS,
  cmpD,
  cmpS,
  dOut,
  dToS,
  fmaBitsD,
  fmaBitsS,
  fp,
  inS,
  intOut,
  OP_ADD,
  OP_DIV,
  OP_MAX,
  OP_MAXNM,
  OP_MIN,
  OP_MINNM,
  OP_MUL,
  OP_SUB,
  rintD,
  rintS,
  sqrtBitsD,
  sqrtBitsS,
  sToD,
  toIntD,
  toIntS,
} from "./fp.js";
import type { FpSimdRegs } from "./regs.js";
import { conditionHolds, writeD, writeH, writeS } from "./vreg.js";

const SIGN = -0x80000000;

/** FRINT* and FCVT*: the rounding direction of each rmode-style code, -1 = FPCR's. */
const RINT_MODE = [RNE, RUP, RDN, RTZ, RMM, -1, -1, -1];

export function executeScalarFp(insn: number, r: FpSimdRegs, gpr: GprPort): FpSimdResult {
  if ((insn & 0x01000000) === 0 && ((insn & 0x00200000) === 0 || (insn & 0xfc00) === 0)) {
    return executeFpIntConversion(insn, r, gpr);
  }
  if ((insn & 0xa0000000) !== 0) return FPSIMD_UNDEFINED; // M and S
  const ftype = (insn >>> 22) & 3;
  if (insn & 0x01000000) return dataProcessing3(insn, r, ftype);
  if ((insn & 0x00200000) === 0) return FPSIMD_UNDEFINED;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  switch ((insn >>> 10) & 3) {
    case 1:
      return condCompare(insn, r, gpr, ftype, rn, rm);
    case 2:
      return dataProcessing2(insn, r, ftype, rd, rn, rm);
    case 3:
      return condSelect(insn, r, gpr, ftype, rd, rn, rm);
  }
  if (insn & 0x1000) return immediate(insn, r, ftype, rd);
  if (insn & 0x2000) return compare(insn, r, gpr, ftype, rn, rm);
  if (insn & 0x4000) return dataProcessing1(insn, r, ftype, rd, rn);
  return FPSIMD_UNDEFINED;
}

function dataProcessing3(insn: number, r: FpSimdRegs, ftype: number): FpSimdResult {
  if (ftype > 1) return FPSIMD_UNDEFINED;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const ra = (insn >>> 10) & 31;
  const rm = (insn >>> 16) & 31;
  const o0 = (insn >>> 15) & 1;
  const o1 = (insn >>> 21) & 1;
  // FMADD Ra+Rn*Rm, FMSUB Ra-Rn*Rm, FNMADD -Ra-Rn*Rm, FNMSUB -Ra+Rn*Rm; a negated NaN
  // operand keeps its flipped sign.
  const negA = o1 ? SIGN : 0;
  const negN = o0 !== o1 ? SIGN : 0;
  const i = r.i32;
  if (ftype === 0) {
    writeS(r, rd, fmaBitsS(i[rn * 4]! ^ negN, i[rm * 4]!, i[ra * 4]! ^ negA));
  } else {
    fmaBitsD(
      i[rn * 4]!,
      i[rn * 4 + 1]! ^ negN,
      i[rm * 4]!,
      i[rm * 4 + 1]!,
      i[ra * 4]!,
      i[ra * 4 + 1]! ^ negA,
    );
    writeD(r, rd, dOut.lo, dOut.hi);
  }
  return FPSIMD_OK;
}

const OP2 = [OP_MUL, OP_DIV, OP_ADD, OP_SUB, OP_MAX, OP_MIN, OP_MAXNM, OP_MINNM, OP_MUL];

function dataProcessing2(
  insn: number,
  r: FpSimdRegs,
  ftype: number,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  const opcode = (insn >>> 12) & 15;
  if (ftype > 1 || opcode > 8) return FPSIMD_UNDEFINED;
  const op = OP2[opcode]!;
  const i = r.i32;
  if (ftype === 0) {
    let v = binS(op, i[rn * 4]!, i[rm * 4]!);
    if (opcode === 8) v ^= SIGN; // FNMUL negates the product, NaN included
    writeS(r, rd, v);
  } else {
    binD(op, i[rn * 4]!, i[rn * 4 + 1]!, i[rm * 4]!, i[rm * 4 + 1]!);
    writeD(r, rd, dOut.lo, opcode === 8 ? dOut.hi ^ SIGN : dOut.hi);
  }
  return FPSIMD_OK;
}

function dataProcessing1(
  insn: number,
  r: FpSimdRegs,
  ftype: number,
  rd: number,
  rn: number,
): FpSimdResult {
  const opcode = (insn >>> 15) & 63;
  const i = r.i32;
  if (opcode >= 4 && opcode <= 7) return convertPrecision(r, ftype, opcode & 3, rd, rn);
  if (ftype > 1) return FPSIMD_UNDEFINED;
  const s = ftype === 0;
  const lo = i[rn * 4]!;
  const hi = i[rn * 4 + 1]!;
  switch (opcode) {
    case 0: // FMOV
      if (s) writeS(r, rd, lo);
      else writeD(r, rd, lo, hi);
      return FPSIMD_OK;
    case 1: // FABS
      if (s) writeS(r, rd, lo & 0x7fffffff);
      else writeD(r, rd, lo, hi & 0x7fffffff);
      return FPSIMD_OK;
    case 2: // FNEG
      if (s) writeS(r, rd, lo ^ SIGN);
      else writeD(r, rd, lo, hi ^ SIGN);
      return FPSIMD_OK;
    case 3: // FSQRT
      if (s) writeS(r, rd, sqrtBitsS(lo));
      else {
        sqrtBitsD(lo, hi);
        writeD(r, rd, dOut.lo, dOut.hi);
      }
      return FPSIMD_OK;
  }
  if (opcode < 8 || opcode > 15 || opcode === 13) return FPSIMD_UNDEFINED;
  // FRINTN P M Z A (8..12), X (14), I (15).
  const mode = RINT_MODE[opcode - 8]!;
  const rm = mode < 0 ? fp.rm : mode;
  const exact = opcode === 14;
  if (s) writeS(r, rd, rintS(lo, rm, exact));
  else {
    rintD(lo, hi, rm, exact);
    writeD(r, rd, dOut.lo, dOut.hi);
  }
  return FPSIMD_OK;
}

/** FCVT between half, single and double (opc: 0 single, 1 double, 3 half). */
function convertPrecision(
  r: FpSimdRegs,
  ftype: number,
  opc: number,
  rd: number,
  rn: number,
): FpSimdResult {
  if (ftype === 2 || opc === 2 || opc === ftype) return FPSIMD_UNDEFINED;
  const i = r.i32;
  const lo = i[rn * 4]!;
  const hi = i[rn * 4 + 1]!;
  if (ftype === 3) {
    const h = r.u16[rn * 8]!;
    if (!fp.ahp && isNanH(h)) {
      if (opc === 0) writeS(r, rd, nanSFromH(h));
      else {
        nanDFromH(h);
        writeD(r, rd, nanOut.lo, nanOut.hi);
      }
      return FPSIMD_OK;
    }
    const v = halfToNumber(h, fp.ahp);
    if (opc === 0) writeS(r, rd, f32Bits(v));
    else writeD(r, rd, f64LoWord(v), f64HiWord(v));
    return FPSIMD_OK;
  }
  if (opc === 3) {
    writeH(r, rd, toHalf(ftype, lo, hi));
    return FPSIMD_OK;
  }
  if (ftype === 0) {
    sToD(lo);
    writeD(r, rd, dOut.lo, dOut.hi);
  } else {
    writeS(r, rd, dToS(lo, hi, fp.rm));
  }
  return FPSIMD_OK;
}

/**
 * A single (ftype 0, bits in lo) or double (lo, hi) rounded to half precision under FPCR
 * (AHP selects the alternative format). The output is never flushed (QEMU ignores FZ here),
 * but a single or double input is.
 */
export function toHalf(ftype: number, lo: number, hi: number): number {
  let v: number;
  if (ftype === 0) {
    const b = inS(lo);
    if (isNanS(b)) return halfFromNan(fp.ahp ? b : nanHFromS(b), b);
    v = f32FromBits(b);
  } else {
    v = f64FromWords(lo, hi);
    if (fp.fz && (hi & 0x7ff00000) === 0 && v !== 0) {
      exc.flags |= 64; // INPUT_DENORMAL
      v = hi < 0 ? -0 : 0;
    }
    if (Number.isNaN(v)) return halfFromNan(fp.ahp ? hi : nanHFromD(lo, hi), hi);
  }
  const saved = policy.flushToZero;
  policy.flushToZero = false;
  const h = numberToHalf(v, fp.rm, fp.ahp);
  policy.flushToZero = saved;
  return h;
}

/** AHP has no NaN: a NaN converts to a zero of its sign with Invalid. */
function halfFromNan(converted: number, signWord: number): number {
  if (!fp.ahp) return converted;
  exc.flags |= NV;
  return signWord < 0 ? 0x8000 : 0;
}

function compare(
  insn: number,
  r: FpSimdRegs,
  gpr: GprPort,
  ftype: number,
  rn: number,
  rm: number,
): FpSimdResult {
  if (ftype > 1 || (insn & 0xc007) !== 0) return FPSIMD_UNDEFINED;
  const withZero = (insn & 8) !== 0;
  const signalling = (insn & 16) !== 0;
  const i = r.i32;
  let nzcv: number;
  if (ftype === 0) nzcv = cmpS(i[rn * 4]!, withZero ? 0 : i[rm * 4]!, signalling);
  else {
    nzcv = withZero
      ? cmpD(i[rn * 4]!, i[rn * 4 + 1]!, 0, 0, signalling)
      : cmpD(i[rn * 4]!, i[rn * 4 + 1]!, i[rm * 4]!, i[rm * 4 + 1]!, signalling);
  }
  gpr.setNzcv(nzcv);
  return FPSIMD_OK;
}

function condCompare(
  insn: number,
  r: FpSimdRegs,
  gpr: GprPort,
  ftype: number,
  rn: number,
  rm: number,
): FpSimdResult {
  if (ftype > 1) return FPSIMD_UNDEFINED;
  const cond = (insn >>> 12) & 15;
  if (!conditionHolds(cond, gpr.getNzcv())) {
    gpr.setNzcv(insn & 15);
    return FPSIMD_OK;
  }
  const signalling = (insn & 16) !== 0;
  const i = r.i32;
  gpr.setNzcv(
    ftype === 0
      ? cmpS(i[rn * 4]!, i[rm * 4]!, signalling)
      : cmpD(i[rn * 4]!, i[rn * 4 + 1]!, i[rm * 4]!, i[rm * 4 + 1]!, signalling),
  );
  return FPSIMD_OK;
}

function condSelect(
  insn: number,
  r: FpSimdRegs,
  gpr: GprPort,
  ftype: number,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  if (ftype > 1) return FPSIMD_UNDEFINED;
  const src = conditionHolds((insn >>> 12) & 15, gpr.getNzcv()) ? rn : rm;
  const i = r.i32;
  if (ftype === 0) writeS(r, rd, i[src * 4]!);
  else writeD(r, rd, i[src * 4]!, i[src * 4 + 1]!);
  return FPSIMD_OK;
}

function immediate(insn: number, r: FpSimdRegs, ftype: number, rd: number): FpSimdResult {
  if (ftype > 1 || ((insn >>> 5) & 31) !== 0) return FPSIMD_UNDEFINED;
  const imm8 = (insn >>> 13) & 0xff;
  if (ftype === 0) writeS(r, rd, expandImmS(imm8));
  else writeD(r, rd, 0, expandImmDHi(imm8));
  return FPSIMD_OK;
}

/** VFPExpandImm for binary32: sign, NOT(b6), b6 x5, imm8<5:0> << 19. */
export function expandImmS(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  return ((imm8 & 0x80) << 24) | (b6 ? 0x3e000000 : 0x40000000) | ((imm8 & 0x3f) << 19);
}

/** VFPExpandImm for binary64: the high word (the low word is zero). */
export function expandImmDHi(imm8: number): number {
  const b6 = (imm8 >>> 6) & 1;
  return ((imm8 & 0x80) << 24) | (b6 ? 0x3fc00000 : 0x40000000) | ((imm8 & 0x3f) << 16);
}

/**
 * Conversions between floating point and integers or fixed point (bits 28:24 = 11110,
 * bit 21 = 1 with bits 15:10 = 0, or bit 21 = 0) and FMOV to/from general registers.
 */
export function executeFpIntConversion(insn: number, r: FpSimdRegs, gpr: GprPort): FpSimdResult {
  if (insn & 0x20000000) return FPSIMD_UNDEFINED; // S
  const sf = insn >>> 31;
  const ftype = (insn >>> 22) & 3;
  const rmode = (insn >>> 19) & 3;
  const opcode = (insn >>> 16) & 7;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const fixed = (insn & 0x00200000) === 0;
  let fbits = 0;
  if (fixed) {
    const scale = (insn >>> 10) & 63;
    if (sf === 0 && scale < 32) return FPSIMD_UNDEFINED;
    fbits = 64 - scale;
    if (ftype > 1 || opcode > 3) return FPSIMD_UNDEFINED;
    if (opcode < 2 ? rmode !== 3 : rmode !== 0) return FPSIMD_UNDEFINED;
  } else if (opcode >= 6) {
    return fmovGeneral(sf, ftype, rmode, opcode, rd, rn, r, gpr);
  } else if (ftype > 1) return FPSIMD_UNDEFINED;
  const i = r.i32;
  if (opcode === 2 || opcode === 3) {
    if (!fixed && rmode !== 0) return FPSIMD_UNDEFINED;
    // SCVTF / UCVTF
    const kind = sf ? (opcode === 2 ? I64 : 3) : opcode === 2 ? I32 : U32;
    const lo = gpr.getLo(rn);
    const hi = sf ? gpr.getHi(rn) : 0;
    const scale = 2 ** -fbits;
    if (ftype === 0) writeS(r, rd, f32Bits(intToS(lo, hi, kind, fp.rm) * scale));
    else {
      const v = intToD(lo, hi, kind, fp.rm) * scale;
      writeD(r, rd, f64LoWord(v), f64HiWord(v));
    }
    return FPSIMD_OK;
  }
  // FCVT{N,P,M,Z}{S,U} (opcode 0/1 by rmode), FCVTA{S,U} (opcode 4/5, rmode 0).
  let rm: number;
  if (opcode <= 1) rm = fixed ? RTZ : RINT_MODE[rmode]!;
  else if (rmode === 0) rm = RMM;
  else return FPSIMD_UNDEFINED;
  const unsigned = (opcode & 1) === 1;
  const kind = sf ? (unsigned ? 3 : I64) : unsigned ? U32 : I32;
  if (ftype === 0) toIntS(i[rn * 4]!, rm, kind, fbits);
  else toIntD(i[rn * 4]!, i[rn * 4 + 1]!, rm, kind, fbits);
  gpr.set(rd, intOut.lo, sf ? intOut.hi : 0);
  return FPSIMD_OK;
}

function fmovGeneral(
  sf: number,
  ftype: number,
  rmode: number,
  opcode: number,
  rd: number,
  rn: number,
  r: FpSimdRegs,
  gpr: GprPort,
): FpSimdResult {
  const toGpr = opcode === 6;
  const i = r.i32;
  if (rmode === 0 && ((sf === 0 && ftype === 0) || (sf === 1 && ftype === 1))) {
    if (toGpr) gpr.set(rd, i[rn * 4]!, sf ? i[rn * 4 + 1]! : 0);
    else if (sf) writeD(r, rd, gpr.getLo(rn), gpr.getHi(rn));
    else writeS(r, rd, gpr.getLo(rn));
    return FPSIMD_OK;
  }
  if (rmode === 1 && sf === 1 && ftype === 2) {
    // The top half of a vector register: Vd.D[1] <-> Xn; the low half is kept.
    if (toGpr) gpr.set(rd, i[rn * 4 + 2]!, i[rn * 4 + 3]!);
    else {
      i[rd * 4 + 2] = gpr.getLo(rn);
      i[rd * 4 + 3] = gpr.getHi(rn);
    }
    return FPSIMD_OK;
  }
  return FPSIMD_UNDEFINED;
}
