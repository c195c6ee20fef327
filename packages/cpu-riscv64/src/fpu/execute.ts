/**
 * Decoding and execution of the F and D arithmetic instructions: OP-FP (opcode 0x53) and the
 * fused multiply-add family (0x43 FMADD, 0x47 FMSUB, 0x4B FNMSUB, 0x4F FNMADD).
 */
import {
  addD,
  addS,
  compare,
  DEFAULT_NAN_S,
  divD,
  divS,
  exc,
  FEQ,
  fmaD,
  fmaS,
  intToD,
  intToS,
  minMax,
  mulD,
  mulS,
  NV,
  PICK_A,
  PICK_B,
  policy,
  roundS,
  sqrtD,
  sqrtS,
} from "@axvisor/softfloat";
import { classifyD, classifyS } from "./classify.js";
import { floatToX } from "./convert.js";
import {
  bitsS,
  doubleView,
  isSnanD,
  isSnanS,
  readS,
  writeBitsS,
  writeD,
  writeS,
} from "./registers.js";
import type { FpState } from "./state.js";

const OP_FP = 0x53;
const DYNAMIC = 7;
const RMM = 4;

const FADD = 0b00000;
const FSUB = 0b00001;
const FMUL = 0b00010;
const FDIV = 0b00011;
const FSGNJ = 0b00100;
const FMINMAX = 0b00101;
const FCVT_FMT = 0b01000;
const FSQRT = 0b01011;
const FCMP = 0b10100;
const FCVT_TO_INT = 0b11000;
const FCVT_FROM_INT = 0b11010;
const FMV_TO_X = 0b11100;
const FMV_FROM_X = 0b11110;

/** The effective rounding mode, or -1 when the encoding selects a reserved one. */
function roundingMode(s: FpState, rm: number): number {
  const mode = rm === DYNAMIC ? s.frm : rm;
  return mode <= RMM && mode >= 0 ? mode : -1;
}

/** Executes one F/D arithmetic instruction. Returns false when the encoding is illegal. */
export function executeFp(s: FpState, insn: number): boolean {
  const opcode = insn & 0x7f;
  // softfloat is shared with the other CPUs: RISC-V detects tininess after rounding and
  // never flushes to zero.
  policy.tininessBeforeRounding = false;
  policy.flushToZero = false;
  let ok: boolean;
  if (opcode === OP_FP) ok = opFp(s, insn);
  else if ((opcode & 0x73) === 0x43) ok = fusedMultiplyAdd(s, insn);
  else return false;
  if (exc.flags !== 0) {
    s.fflags |= exc.flags;
    exc.flags = 0;
  }
  return ok;
}

function opFp(s: FpState, insn: number): boolean {
  const fmt = (insn >>> 25) & 3;
  if (fmt === 1) return opDouble(s, insn);
  if (fmt === 0) return opSingle(s, insn);
  return false;
}

function opDouble(s: FpState, insn: number): boolean {
  const f = s.f;
  const fv = doubleView(f);
  const rd = (insn >>> 7) & 31;
  const rm = (insn >>> 12) & 7;
  const rs1 = (insn >>> 15) & 31;
  const rs2 = (insn >>> 20) & 31;
  const funct5 = insn >>> 27;
  switch (funct5) {
    case FADD:
    case FSUB:
    case FMUL:
    case FDIV: {
      const mode = roundingMode(s, rm);
      if (mode < 0) return false;
      const a = fv[rs1]!;
      const b = fv[rs2]!;
      if (Number.isNaN(a) || Number.isNaN(b)) {
        if (isSnanD(f, rs1) || isSnanD(f, rs2)) exc.flags |= NV;
        writeD(f, fv, rd, Number.NaN);
        return true;
      }
      let r: number;
      if (funct5 === FADD) r = addD(a, b, mode);
      else if (funct5 === FSUB) r = addD(a, -b, mode);
      else if (funct5 === FMUL) r = mulD(a, b, mode);
      else r = divD(a, b, mode);
      writeD(f, fv, rd, r);
      return true;
    }
    case FSQRT: {
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 !== 0) return false;
      const a = fv[rs1]!;
      if (Number.isNaN(a)) {
        if (isSnanD(f, rs1)) exc.flags |= NV;
        writeD(f, fv, rd, Number.NaN);
      } else {
        writeD(f, fv, rd, sqrtD(a, mode));
      }
      return true;
    }
    case FSGNJ: {
      if (rm > 2) return false;
      const lo = f[2 * rs1]!;
      const hi = f[2 * rs1 + 1]!;
      const hi2 = f[2 * rs2 + 1]!;
      const sign = rm === 0 ? hi2 : rm === 1 ? ~hi2 : hi ^ hi2;
      f[2 * rd] = lo;
      f[2 * rd + 1] = (hi & 0x7fffffff) | (sign & 0x80000000);
      return true;
    }
    case FMINMAX: {
      if (rm > 1) return false;
      const a = fv[rs1]!;
      const b = fv[rs2]!;
      const pick = minMax(
        a,
        b,
        Number.isNaN(a) && isSnanD(f, rs1),
        Number.isNaN(b) && isSnanD(f, rs2),
        rm === 1,
      );
      if (pick === PICK_A || pick === PICK_B) {
        const src = pick === PICK_A ? rs1 : rs2;
        const lo = f[2 * src]!;
        const hi = f[2 * src + 1]!;
        f[2 * rd] = lo;
        f[2 * rd + 1] = hi;
      } else {
        writeD(f, fv, rd, Number.NaN);
      }
      return true;
    }
    case FCVT_FMT: {
      // FCVT.D.S
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 !== 0) return false;
      const a = readS(f, rs1);
      if (Number.isNaN(a) && isSnanS(f, rs1)) exc.flags |= NV;
      writeD(f, fv, rd, a);
      return true;
    }
    case FCMP: {
      if (rm > FEQ) return false;
      const a = fv[rs1]!;
      const b = fv[rs2]!;
      const r = compare(
        a,
        b,
        Number.isNaN(a) && isSnanD(f, rs1),
        Number.isNaN(b) && isSnanD(f, rs2),
        rm,
      );
      writeX(s.x, rd, r);
      return true;
    }
    case FCVT_TO_INT: {
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 > 3) return false;
      const a = fv[rs1]!;
      if (Number.isNaN(a) && isSnanD(f, rs1)) exc.flags |= NV;
      floatToX(s.x, rd, a, mode, rs2);
      return true;
    }
    case FCVT_FROM_INT: {
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 > 3) return false;
      const x = s.x;
      writeD(f, fv, rd, intToD(x[2 * rs1]!, x[2 * rs1 + 1]!, rs2, mode));
      return true;
    }
    case FMV_TO_X: {
      if (rs2 !== 0) return false;
      if (rm === 0) {
        // FMV.X.D
        if (rd !== 0) {
          s.x[2 * rd] = f[2 * rs1]!;
          s.x[2 * rd + 1] = f[2 * rs1 + 1]!;
        }
        return true;
      }
      if (rm === 1) {
        writeX(s.x, rd, classifyD(f[2 * rs1]!, f[2 * rs1 + 1]!));
        return true;
      }
      return false;
    }
    case FMV_FROM_X: {
      // FMV.D.X
      if (rs2 !== 0 || rm !== 0) return false;
      f[2 * rd] = s.x[2 * rs1]!;
      f[2 * rd + 1] = s.x[2 * rs1 + 1]!;
      return true;
    }
    default:
      return false;
  }
}

function opSingle(s: FpState, insn: number): boolean {
  const f = s.f;
  const rd = (insn >>> 7) & 31;
  const rm = (insn >>> 12) & 7;
  const rs1 = (insn >>> 15) & 31;
  const rs2 = (insn >>> 20) & 31;
  const funct5 = insn >>> 27;
  switch (funct5) {
    case FADD:
    case FSUB:
    case FMUL:
    case FDIV: {
      const mode = roundingMode(s, rm);
      if (mode < 0) return false;
      const a = readS(f, rs1);
      const b = readS(f, rs2);
      if (Number.isNaN(a) || Number.isNaN(b)) {
        if (isSnanS(f, rs1) || isSnanS(f, rs2)) exc.flags |= NV;
        writeBitsS(f, rd, DEFAULT_NAN_S);
        return true;
      }
      let r: number;
      if (funct5 === FADD) r = addS(a, b, mode);
      else if (funct5 === FSUB) r = addS(a, -b, mode);
      else if (funct5 === FMUL) r = mulS(a, b, mode);
      else r = divS(a, b, mode);
      writeS(f, rd, r);
      return true;
    }
    case FSQRT: {
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 !== 0) return false;
      const a = readS(f, rs1);
      if (Number.isNaN(a)) {
        if (isSnanS(f, rs1)) exc.flags |= NV;
        writeBitsS(f, rd, DEFAULT_NAN_S);
      } else {
        writeS(f, rd, sqrtS(a, mode));
      }
      return true;
    }
    case FSGNJ: {
      if (rm > 2) return false;
      const a = bitsS(f, rs1);
      const b = bitsS(f, rs2);
      const sign = rm === 0 ? b : rm === 1 ? ~b : a ^ b;
      writeBitsS(f, rd, (a & 0x7fffffff) | (sign & 0x80000000));
      return true;
    }
    case FMINMAX: {
      if (rm > 1) return false;
      const a = readS(f, rs1);
      const b = readS(f, rs2);
      const pick = minMax(
        a,
        b,
        Number.isNaN(a) && isSnanS(f, rs1),
        Number.isNaN(b) && isSnanS(f, rs2),
        rm === 1,
      );
      if (pick === PICK_A) writeBitsS(f, rd, bitsS(f, rs1));
      else if (pick === PICK_B) writeBitsS(f, rd, bitsS(f, rs2));
      else writeBitsS(f, rd, DEFAULT_NAN_S);
      return true;
    }
    case FCVT_FMT: {
      // FCVT.S.D
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 !== 1) return false;
      const fv = doubleView(f);
      const a = fv[rs1]!;
      if (Number.isNaN(a)) {
        if (isSnanD(f, rs1)) exc.flags |= NV;
        writeBitsS(f, rd, DEFAULT_NAN_S);
      } else if (a === 0 || a - a !== 0) {
        writeS(f, rd, a);
      } else {
        writeS(f, rd, roundS(a, 0, mode));
      }
      return true;
    }
    case FCMP: {
      if (rm > FEQ) return false;
      const a = readS(f, rs1);
      const b = readS(f, rs2);
      const r = compare(
        a,
        b,
        Number.isNaN(a) && isSnanS(f, rs1),
        Number.isNaN(b) && isSnanS(f, rs2),
        rm,
      );
      writeX(s.x, rd, r);
      return true;
    }
    case FCVT_TO_INT: {
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 > 3) return false;
      const a = readS(f, rs1);
      if (Number.isNaN(a) && isSnanS(f, rs1)) exc.flags |= NV;
      floatToX(s.x, rd, a, mode, rs2);
      return true;
    }
    case FCVT_FROM_INT: {
      const mode = roundingMode(s, rm);
      if (mode < 0 || rs2 > 3) return false;
      const x = s.x;
      writeS(f, rd, intToS(x[2 * rs1]!, x[2 * rs1 + 1]!, rs2, mode));
      return true;
    }
    case FMV_TO_X: {
      if (rs2 !== 0) return false;
      if (rm === 0) {
        // FMV.X.W: the raw low word, sign-extended, NaN-boxed or not.
        writeX(s.x, rd, f[2 * rs1]!);
        return true;
      }
      if (rm === 1) {
        writeX(s.x, rd, classifyS(bitsS(f, rs1)));
        return true;
      }
      return false;
    }
    case FMV_FROM_X: {
      // FMV.W.X
      if (rs2 !== 0 || rm !== 0) return false;
      writeBitsS(f, rd, s.x[2 * rs1]!);
      return true;
    }
    default:
      return false;
  }
}

function fusedMultiplyAdd(s: FpState, insn: number): boolean {
  const fmt = (insn >>> 25) & 3;
  if (fmt > 1) return false;
  const mode = roundingMode(s, (insn >>> 12) & 7);
  if (mode < 0) return false;
  const f = s.f;
  const rd = (insn >>> 7) & 31;
  const rs1 = (insn >>> 15) & 31;
  const rs2 = (insn >>> 20) & 31;
  const rs3 = insn >>> 27;
  // Bits 2 and 3 of the opcode: 0x43 a*b+c, 0x47 a*b-c, 0x4B -(a*b)+c, 0x4F -(a*b)-c.
  const negateProduct = (insn & 0x08) !== 0;
  const negateAddend = (insn & 0x04) !== 0;
  const double = fmt === 1;
  const fv = doubleView(f);
  let a = double ? fv[rs1]! : readS(f, rs1);
  const b = double ? fv[rs2]! : readS(f, rs2);
  let c = double ? fv[rs3]! : readS(f, rs3);
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c)) {
    const snan = double
      ? isSnanD(f, rs1) || isSnanD(f, rs2) || isSnanD(f, rs3)
      : isSnanS(f, rs1) || isSnanS(f, rs2) || isSnanS(f, rs3);
    // inf * 0 is invalid even when the addend is a quiet NaN.
    const infTimesZero =
      (Math.abs(a) === Number.POSITIVE_INFINITY && b === 0) ||
      (a === 0 && Math.abs(b) === Number.POSITIVE_INFINITY);
    if (snan || infTimesZero) exc.flags |= NV;
    if (double) writeD(f, fv, rd, Number.NaN);
    else writeBitsS(f, rd, DEFAULT_NAN_S);
    return true;
  }
  if (negateProduct) a = -a;
  if (negateAddend) c = -c;
  if (double) writeD(f, fv, rd, fmaD(a, b, c, mode));
  else writeS(f, rd, fmaS(a, b, c, mode));
  return true;
}

function writeX(x: Int32Array, rd: number, v: number): void {
  if (rd !== 0) {
    x[2 * rd] = v;
    x[2 * rd + 1] = v >> 31;
  }
}
