/**
 * AdvSIMD "vector x indexed element" (vector and scalar): MUL/MLA/MLS, the long and doubling
 * multiplies, SQDMULH/SQRDMULH, and FMUL/FMLA/FMLS/FMULX by element.
 */
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { clearT, commit, getS, getU, setT, T32 } from "./elements.js";
import { binD, binS, dOut, fmaBitsD, fmaBitsS, OP_MUL, OP_MULX } from "./fp.js";
import { doublingMulHigh } from "./intops.js";
import type { FpSimdRegs } from "./regs.js";
import { longOp } from "./three-different.js";

const SIGN = -0x80000000;

export function indexed(insn: number, r: FpSimdRegs, scalar: boolean): FpSimdResult {
  const q = scalar ? false : ((insn >>> 30) & 1) === 1;
  const u = ((insn >>> 29) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const L = (insn >>> 21) & 1;
  const M = (insn >>> 20) & 1;
  const H = (insn >>> 11) & 1;
  const opcode = (insn >>> 12) & 15;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm4 = (insn >>> 16) & 15;
  const fpOp = opcode === 1 || opcode === 5 || opcode === 9;
  if (fpOp) {
    if (u && opcode !== 9) return FPSIMD_UNDEFINED;
    if (size < 2) return FPSIMD_UNDEFINED; // FP16 / unallocated
    const double = size === 3;
    if (double && (L || (!scalar && !q))) return FPSIMD_UNDEFINED;
    const index = double ? H : (H << 1) | L;
    const rm = (M << 4) | rm4;
    return fpIndexed(r, scalar, q, u, opcode, double, index, rd, rn, rm);
  }
  if (size === 0 || size === 3) return FPSIMD_UNDEFINED;
  const index = size === 1 ? (H << 2) | (L << 1) | M : (H << 1) | L;
  const rm = size === 1 ? rm4 : (M << 4) | rm4;
  const esize = 8 << size;
  const longForm =
    opcode === 2 || opcode === 3 || opcode === 6 || opcode === 7 || opcode === 10 || opcode === 11;
  const doubling = opcode === 3 || opcode === 7 || opcode === 11;
  if (
    u
      ? opcode !== 0 && opcode !== 4 && opcode !== 2 && opcode !== 6 && opcode !== 10
      : opcode === 0 || opcode === 4 || opcode > 13 || opcode === 9
  ) {
    return FPSIMD_UNDEFINED;
  }
  if (scalar && !(doubling || opcode === 12 || opcode === 13)) return FPSIMD_UNDEFINED;
  if (longForm) {
    const elements = scalar ? 1 : 64 / esize;
    const half = q ? elements : 0;
    const b = u ? getU(r, rm, index, esize) : getS(r, rm, index, esize);
    // Map the indexed opcodes onto the three-different ones (MLAL 8, MLSL 10, MULL 12, doubling 9/11/13).
    const op =
      opcode === 2
        ? 8
        : opcode === 6
          ? 10
          : opcode === 10
            ? 12
            : opcode === 3
              ? 9
              : opcode === 7
                ? 11
                : 13;
    clearT();
    for (let e = 0; e < elements; e++) {
      const a = u ? getU(r, rn, half + e, esize) : getS(r, rn, half + e, esize);
      longOp(r, op, u, esize, e, rd, rn, a, b, false);
    }
    commit(r, rd, true);
    return FPSIMD_OK;
  }
  const elements = scalar ? 1 : (q ? 128 : 64) / esize;
  const b = getS(r, rm, index, esize);
  clearT();
  for (let e = 0; e < elements; e++) {
    const a = getS(r, rn, e, esize);
    let v: number;
    if (opcode === 12 || opcode === 13) v = doublingMulHigh(r, a, b, esize, opcode === 13);
    else {
      const p = esize === 32 ? Math.imul(a, b) : a * b;
      if (opcode === 8) v = p;
      else v = getS(r, rd, e, esize) + (opcode === 0 ? p : -p);
    }
    setT(e, esize, v);
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

function fpIndexed(
  r: FpSimdRegs,
  scalar: boolean,
  q: boolean,
  u: boolean,
  opcode: number,
  double: boolean,
  index: number,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  const i = r.i32;
  const elements = scalar ? 1 : double ? 2 : q ? 4 : 2;
  clearT();
  if (double) {
    const blo = i[rm * 4 + index * 2]!;
    const bhi = i[rm * 4 + index * 2 + 1]!;
    for (let e = 0; e < elements; e++) {
      const alo = i[rn * 4 + e * 2]!;
      const ahi = i[rn * 4 + e * 2 + 1]!;
      if (opcode === 9) binD(u ? OP_MULX : OP_MUL, alo, ahi, blo, bhi);
      else {
        fmaBitsD(
          alo,
          opcode === 5 ? ahi ^ SIGN : ahi,
          blo,
          bhi,
          i[rd * 4 + e * 2]!,
          i[rd * 4 + e * 2 + 1]!,
        );
      }
      T32[e * 2] = dOut.lo;
      T32[e * 2 + 1] = dOut.hi;
    }
  } else {
    const b = i[rm * 4 + index]!;
    for (let e = 0; e < elements; e++) {
      const a = i[rn * 4 + e]!;
      T32[e] =
        opcode === 9
          ? binS(u ? OP_MULX : OP_MUL, a, b)
          : fmaBitsS(opcode === 5 ? a ^ SIGN : a, b, i[rd * 4 + e]!);
    }
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}
