/**
 * AdvSIMD "across lanes" (ADDV, SADDLV/UADDLV, SMAXV/UMAXV, SMINV/UMINV, FMAXNMV, FMINNMV,
 * FMAXV, FMINV) and "scalar pairwise" (ADDP, FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP).
 */
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { clearT, commit, getS, getU, setT, T32 } from "./elements.js";
import { binD, binS, dOut, OP_ADD, OP_MAX, OP_MAXNM, OP_MIN, OP_MINNM } from "./fp.js";
import { add64, fromNumber, w } from "./i64.js";
import type { FpSimdRegs } from "./regs.js";

export function acrossLanes(insn: number, r: FpSimdRegs): FpSimdResult {
  const q = ((insn >>> 30) & 1) === 1;
  const u = ((insn >>> 29) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const opcode = (insn >>> 12) & 31;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  if (opcode === 12 || opcode === 15) {
    // FP: only the single-precision 4S forms exist without FP16.
    if (!u || size & 1 || !q) return FPSIMD_UNDEFINED;
    const min = (size & 2) !== 0;
    const op = opcode === 12 ? (min ? OP_MINNM : OP_MAXNM) : min ? OP_MIN : OP_MAX;
    const i = r.i32;
    const lo = binS(op, i[rn * 4]!, i[rn * 4 + 1]!);
    const hi = binS(op, i[rn * 4 + 2]!, i[rn * 4 + 3]!);
    clearT();
    T32[0] = binS(op, lo, hi);
    commit(r, rd, false);
    return FPSIMD_OK;
  }
  if (size === 3 || (size === 2 && !q)) return FPSIMD_UNDEFINED;
  const esize = 8 << size;
  const elements = (q ? 128 : 64) / esize;
  clearT();
  switch (opcode) {
    case 3: {
      // SADDLV / UADDLV
      let sum = 0;
      for (let e = 0; e < elements; e++) sum += u ? getU(r, rn, e, esize) : getS(r, rn, e, esize);
      if (esize === 32) {
        fromNumber(sum);
        T32[0] = w.lo;
        T32[1] = w.hi;
      } else setT(0, esize * 2, sum);
      break;
    }
    case 10:
    case 26: {
      let acc = u ? getU(r, rn, 0, esize) : getS(r, rn, 0, esize);
      for (let e = 1; e < elements; e++) {
        const v = u ? getU(r, rn, e, esize) : getS(r, rn, e, esize);
        acc = opcode === 10 ? Math.max(acc, v) : Math.min(acc, v);
      }
      setT(0, esize, acc);
      break;
    }
    case 27: {
      if (u) return FPSIMD_UNDEFINED;
      let sum = 0;
      for (let e = 0; e < elements; e++) sum += getU(r, rn, e, esize);
      setT(0, esize, sum);
      break;
    }
    default:
      return FPSIMD_UNDEFINED;
  }
  commit(r, rd, false);
  return FPSIMD_OK;
}

export function scalarPairwise(insn: number, r: FpSimdRegs): FpSimdResult {
  const u = ((insn >>> 29) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const opcode = (insn >>> 12) & 31;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const i = r.i32;
  clearT();
  if (!u) {
    if (opcode !== 27 || size !== 3) return FPSIMD_UNDEFINED;
    add64(i[rn * 4]!, i[rn * 4 + 1]!, i[rn * 4 + 2]!, i[rn * 4 + 3]!);
    T32[0] = w.lo;
    T32[1] = w.hi;
    commit(r, rd, false);
    return FPSIMD_OK;
  }
  const min = (size & 2) !== 0;
  let op: number;
  if (opcode === 12) op = min ? OP_MINNM : OP_MAXNM;
  else if (opcode === 13 && !min) op = OP_ADD;
  else if (opcode === 15) op = min ? OP_MIN : OP_MAX;
  else return FPSIMD_UNDEFINED;
  if (size & 1) {
    binD(op, i[rn * 4]!, i[rn * 4 + 1]!, i[rn * 4 + 2]!, i[rn * 4 + 3]!);
    T32[0] = dOut.lo;
    T32[1] = dOut.hi;
  } else T32[0] = binS(op, i[rn * 4]!, i[rn * 4 + 1]!);
  commit(r, rd, false);
  return FPSIMD_OK;
}
