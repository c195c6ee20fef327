/**
 * AdvSIMD "three same" (vector and scalar): integer arithmetic, logic, compares, shifts by
 * register, saturating and halving forms, multiplies, pairwise forms, and the FP forms.
 */
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { clearT, commit, getS, getU, sat, setT, T8, T16, T32, wrapU } from "./elements.js";
import {
  binD,
  binS,
  cmpD,
  cmpS,
  dOut,
  fmaBitsD,
  fmaBitsS,
  OP_ABD,
  OP_ADD,
  OP_DIV,
  OP_MAX,
  OP_MAXNM,
  OP_MIN,
  OP_MINNM,
  OP_MUL,
  OP_MULX,
  OP_RECPS,
  OP_RSQRTS,
  OP_SUB,
} from "./fp.js";
import { add64, ltS64, ltU64, sub64, w } from "./i64.js";
import { doublingMulHigh, qaddsub64, shiftAmount, shiftLane, shiftLane64 } from "./intops.js";
import type { FpSimdRegs } from "./regs.js";

const SIGN = -0x80000000;

/** Integer opcodes whose 64-bit lanes exist (vector with Q = 1, or scalar). */
const ALLOWS_64 = new Set([1, 3, 5, 6, 7, 8, 9, 10, 11, 16, 17, 23]);
/** Integer opcodes that have a scalar form, and whether it is restricted to 64-bit lanes. */
const SCALAR_ANY = new Set([1, 5, 9, 11]);
const SCALAR_64 = new Set([6, 7, 8, 10, 16, 17]);

export function threeSame(insn: number, r: FpSimdRegs, scalar: boolean): FpSimdResult {
  const q = scalar ? false : ((insn >>> 30) & 1) === 1;
  const u = ((insn >>> 29) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const opcode = (insn >>> 11) & 31;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  if (opcode >= 24) return fpThreeSame(insn, r, scalar, q, u, opcode, rd, rn, rm);
  if (scalar) {
    if (opcode === 22) {
      if (size !== 1 && size !== 2) return FPSIMD_UNDEFINED;
    } else if (!(SCALAR_ANY.has(opcode) || (SCALAR_64.has(opcode) && size === 3))) {
      return FPSIMD_UNDEFINED;
    }
  } else if (size === 3) {
    if (!ALLOWS_64.has(opcode) || (!q && opcode !== 3)) return FPSIMD_UNDEFINED;
  }
  if (opcode === 3) return logic(r, q, u, size, rd, rn, rm);
  if (opcode === 19 && u && size !== 0) return FPSIMD_UNDEFINED;
  if (opcode === 22 && (size === 0 || size === 3)) return FPSIMD_UNDEFINED;
  if (opcode === 23 && u) return FPSIMD_UNDEFINED;
  clearT();
  const esize = 8 << size;
  const elements = scalar ? 1 : (q ? 128 : 64) / esize;
  if (opcode === 20 || opcode === 21 || opcode === 23) {
    pairwise(r, opcode, u, esize, elements, rn, rm);
  } else if (esize < 64 && FAST.has(opcode)) {
    fastLanes(r, opcode, u, esize, elements, rn, rm);
  } else if (esize === 64) {
    for (let e = 0; e < elements; e++) lane64(r, opcode, u, e, rd, rn, rm);
  } else {
    for (let e = 0; e < elements; e++) {
      // SQDMULH/SQRDMULH (22) are signed whatever U says (U selects rounding).
      const un = u && opcode !== 22;
      const a = un ? getU(r, rn, e, esize) : getS(r, rn, e, esize);
      const b = un ? getU(r, rm, e, esize) : getS(r, rm, e, esize);
      setT(e, esize, lane(r, opcode, u, a, b, rd, e, esize));
    }
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

/** Opcodes with a tight per-size loop: the compares, ADD/SUB and MAX/MIN that string routines use. */
const FAST = new Set([6, 7, 12, 13, 16, 17]);

function fastLanes(
  r: FpSimdRegs,
  opcode: number,
  u: boolean,
  esize: number,
  elements: number,
  rn: number,
  rm: number,
): void {
  // Typed-array views of the right lane width and signedness; results go through T's views.
  const src =
    esize === 8 ? (u ? r.u8 : r.i8) : esize === 16 ? (u ? r.u16 : r.i16) : u ? r.u32 : r.i32;
  const out = esize === 8 ? T8 : esize === 16 ? T16 : T32;
  const na = (rn * 128) / esize;
  const ma = (rm * 128) / esize;
  switch (opcode) {
    case 6:
      for (let e = 0; e < elements; e++) out[e] = src[na + e]! > src[ma + e]! ? -1 : 0;
      return;
    case 7:
      for (let e = 0; e < elements; e++) out[e] = src[na + e]! >= src[ma + e]! ? -1 : 0;
      return;
    case 12:
      for (let e = 0; e < elements; e++) out[e] = Math.max(src[na + e]!, src[ma + e]!);
      return;
    case 13:
      for (let e = 0; e < elements; e++) out[e] = Math.min(src[na + e]!, src[ma + e]!);
      return;
    case 16:
      if (u) for (let e = 0; e < elements; e++) out[e] = src[na + e]! - src[ma + e]!;
      else for (let e = 0; e < elements; e++) out[e] = src[na + e]! + src[ma + e]!;
      return;
    default:
      if (u) for (let e = 0; e < elements; e++) out[e] = src[na + e]! === src[ma + e]! ? -1 : 0;
      else for (let e = 0; e < elements; e++) out[e] = (src[na + e]! & src[ma + e]!) !== 0 ? -1 : 0;
  }
}

function logic(
  r: FpSimdRegs,
  q: boolean,
  u: boolean,
  size: number,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  const i = r.i32;
  for (let k = 0; k < 4; k++) {
    const a = i[rn * 4 + k]!;
    const b = i[rm * 4 + k]!;
    const d = i[rd * 4 + k]!;
    let v: number;
    if (!u) v = size === 0 ? a & b : size === 1 ? a & ~b : size === 2 ? a | b : a | ~b;
    else if (size === 0) v = a ^ b;
    else if (size === 1)
      v = (d & a) | (~d & b); // BSL
    else if (size === 2)
      v = (a & b) | (d & ~b); // BIT
    else v = (a & ~b) | (d & b); // BIF
    T32[k] = v;
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

/** One lane of 8..32 bits (a and b read with the instruction's signedness). */
function lane(
  r: FpSimdRegs,
  opcode: number,
  u: boolean,
  a: number,
  b: number,
  rd: number,
  e: number,
  esize: number,
): number {
  switch (opcode) {
    case 0:
      return Math.floor((a + b) / 2);
    case 1:
      return sat(r, a + b, esize, u);
    case 2:
      return Math.floor((a + b + 1) / 2);
    case 4:
      return Math.floor((a - b) / 2);
    case 5:
      return sat(r, a - b, esize, u);
    case 6:
      return a > b ? -1 : 0;
    case 7:
      return a >= b ? -1 : 0;
    case 8:
      return shiftLane(r, a, shiftAmount(b), esize, u, false, false);
    case 9:
      return shiftLane(r, a, shiftAmount(b), esize, u, false, true);
    case 10:
      return shiftLane(r, a, shiftAmount(b), esize, u, true, false);
    case 11:
      return shiftLane(r, a, shiftAmount(b), esize, u, true, true);
    case 12:
      return Math.max(a, b);
    case 13:
      return Math.min(a, b);
    case 14:
      return Math.abs(a - b);
    case 15: {
      const d = getU(r, rd, e, esize);
      return wrapU(d + Math.abs(a - b), esize);
    }
    case 16:
      return u ? a - b : a + b;
    case 17:
      if (u) return a === b ? -1 : 0;
      return (a & b) !== 0 ? -1 : 0;
    case 18: {
      const d = getU(r, rd, e, esize);
      const p = mulLow(a, b, esize);
      return u ? d - p : d + p;
    }
    case 19:
      return u ? pmul8(a, b) : mulLow(a, b, esize);
    default:
      // 22: SQDMULH / SQRDMULH
      return doublingMulHigh(r, a, b, esize, u);
  }
}

function mulLow(a: number, b: number, esize: number): number {
  return esize === 32 ? Math.imul(a, b) : a * b;
}

/** Polynomial (carry-less) multiply of two bytes, low 8 bits. */
export function pmul8(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) if ((b >>> i) & 1) p ^= a << i;
  return p & 0xff;
}

function lane64(
  r: FpSimdRegs,
  opcode: number,
  u: boolean,
  e: number,
  rd: number,
  rn: number,
  rm: number,
): void {
  const i = r.i32;
  const alo = i[rn * 4 + e * 2]!;
  const ahi = i[rn * 4 + e * 2 + 1]!;
  const blo = i[rm * 4 + e * 2]!;
  const bhi = i[rm * 4 + e * 2 + 1]!;
  let t: boolean;
  switch (opcode) {
    case 1:
    case 5:
      qaddsub64(r, alo, ahi, blo, bhi, u, opcode === 5);
      break;
    case 6:
      t = u ? ltU64(blo, bhi, alo, ahi) : ltS64(blo, bhi, alo, ahi);
      w.lo = w.hi = t ? -1 : 0;
      break;
    case 7:
      t = !(u ? ltU64(alo, ahi, blo, bhi) : ltS64(alo, ahi, blo, bhi));
      w.lo = w.hi = t ? -1 : 0;
      break;
    case 8:
    case 9:
    case 10:
    case 11:
      shiftLane64(r, alo, ahi, shiftAmount(blo), u, opcode >= 10, (opcode & 1) === 1);
      break;
    case 16:
      if (u) sub64(alo, ahi, blo, bhi);
      else add64(alo, ahi, blo, bhi);
      break;
    default:
      // 17: CMEQ / CMTST
      t = u ? alo === blo && ahi === bhi : (alo & blo) !== 0 || (ahi & bhi) !== 0;
      w.lo = w.hi = t ? -1 : 0;
  }
  T32[e * 2] = w.lo;
  T32[e * 2 + 1] = w.hi;
  void rd;
}

/** ADDP, SMAXP/UMAXP, SMINP/UMINP: lanes of Vn then Vm, combined in adjacent pairs. */
function pairwise(
  r: FpSimdRegs,
  opcode: number,
  u: boolean,
  esize: number,
  elements: number,
  rn: number,
  rm: number,
): void {
  const half = elements / 2;
  const i = r.i32;
  for (let e = 0; e < elements; e++) {
    const src = e < half ? rn : rm;
    const k = (e % half) * 2;
    if (esize === 64) {
      add64(
        i[src * 4 + k * 2]!,
        i[src * 4 + k * 2 + 1]!,
        i[src * 4 + k * 2 + 2]!,
        i[src * 4 + k * 2 + 3]!,
      );
      T32[e * 2] = w.lo;
      T32[e * 2 + 1] = w.hi;
      continue;
    }
    const a = u ? getU(r, src, k, esize) : getS(r, src, k, esize);
    const b = u ? getU(r, src, k + 1, esize) : getS(r, src, k + 1, esize);
    setT(e, esize, opcode === 23 ? a + b : opcode === 20 ? Math.max(a, b) : Math.min(a, b));
  }
}

// ---------------------------------------------------------------- floating point

/** A lookup by U << 6 | a << 5 | opcode (-1 = none). */
function table(entries: [number, number][]): Int8Array {
  const t = new Int8Array(128).fill(-1);
  for (const [k, v] of entries) t[k] = v;
  return t;
}

const FP_VECTOR = table([
  [0b0011000, OP_MAXNM],
  [0b0111000, OP_MINNM],
  [0b0011010, OP_ADD],
  [0b0111010, OP_SUB],
  [0b0011011, OP_MULX],
  [0b0011110, OP_MAX],
  [0b0111110, OP_MIN],
  [0b0011111, OP_RECPS],
  [0b0111111, OP_RSQRTS],
  [0b1111010, OP_ABD],
  [0b1011011, OP_MUL],
  [0b1011111, OP_DIV],
]);
const FP_PAIRWISE = table([
  [0b1011000, OP_MAXNM],
  [0b1111000, OP_MINNM],
  [0b1011010, OP_ADD],
  [0b1011110, OP_MAX],
  [0b1111110, OP_MIN],
]);
/** Compares: 1 FCMEQ, 2 FCMGE, 3 FCMGT, 4 FACGE, 5 FACGT. */
const FP_COMPARE = table([
  [0b0011100, 1],
  [0b1011100, 2],
  [0b1111100, 3],
  [0b1011101, 4],
  [0b1111101, 5],
]);
const SCALAR_FP_OK = new Set([
  0b0011011, 0b0011100, 0b0011111, 0b0111111, 0b1111010, 0b1011100, 0b1111100, 0b1011101, 0b1111101,
]);

function fpThreeSame(
  insn: number,
  r: FpSimdRegs,
  scalar: boolean,
  q: boolean,
  u: boolean,
  opcode: number,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  const a = (insn >>> 23) & 1;
  const double = ((insn >>> 22) & 1) === 1;
  const key = ((u ? 1 : 0) << 6) | (a << 5) | opcode;
  if (scalar ? !SCALAR_FP_OK.has(key) : double && !q) return FPSIMD_UNDEFINED;
  const fma = !u && opcode === 0b11001;
  const op = FP_VECTOR[key]!;
  const pair = FP_PAIRWISE[key]!;
  const cmp = FP_COMPARE[key]!;
  if (!fma && op < 0 && pair < 0 && cmp < 0) return FPSIMD_UNDEFINED;
  const elements = scalar ? 1 : double ? 2 : q ? 4 : 2;
  const i = r.i32;
  clearT();
  for (let e = 0; e < elements; e++) {
    let an = rn;
    let am = rm;
    let ea = e;
    let eb = e;
    if (pair >= 0) {
      const half = elements / 2;
      an = am = e < half ? rn : rm;
      ea = (e % half) * 2;
      eb = ea + 1;
    }
    if (!double) {
      const x = i[an * 4 + ea]!;
      const y = i[am * 4 + eb]!;
      let v: number;
      if (fma) v = fmaBitsS(a ? x ^ SIGN : x, y, i[rd * 4 + e]!);
      else if (cmp >= 0) v = compareS(cmp, x, y) ? -1 : 0;
      else v = binS(op >= 0 ? op : pair, x, y);
      T32[e] = v;
      continue;
    }
    const xlo = i[an * 4 + ea * 2]!;
    const xhi = i[an * 4 + ea * 2 + 1]!;
    const ylo = i[am * 4 + eb * 2]!;
    const yhi = i[am * 4 + eb * 2 + 1]!;
    if (fma) {
      fmaBitsD(xlo, a ? xhi ^ SIGN : xhi, ylo, yhi, i[rd * 4 + e * 2]!, i[rd * 4 + e * 2 + 1]!);
    } else if (cmp >= 0) {
      dOut.lo = dOut.hi = compareD(cmp, xlo, xhi, ylo, yhi) ? -1 : 0;
    } else binD(op >= 0 ? op : pair, xlo, xhi, ylo, yhi);
    T32[e * 2] = dOut.lo;
    T32[e * 2 + 1] = dOut.hi;
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

/** Vector FP compare on binary32 bits (kind as FP_COMPARE); GE/GT signal on any NaN. */
export function compareS(kind: number, x: number, y: number): boolean {
  let a = x;
  let b = y;
  if (kind >= 4) {
    a &= 0x7fffffff;
    b &= 0x7fffffff;
  }
  const nzcv = cmpS(a, b, kind !== 1);
  if (kind === 1) return nzcv === 0b0110;
  if (kind === 2 || kind === 4) return nzcv === 0b0110 || nzcv === 0b0010;
  return nzcv === 0b0010;
}

export function compareD(
  kind: number,
  xlo: number,
  xhi: number,
  ylo: number,
  yhi: number,
): boolean {
  let ah = xhi;
  let bh = yhi;
  if (kind >= 4) {
    ah &= 0x7fffffff;
    bh &= 0x7fffffff;
  }
  const nzcv = cmpD(xlo, ah, ylo, bh, kind !== 1);
  if (kind === 1) return nzcv === 0b0110;
  if (kind === 2 || kind === 4) return nzcv === 0b0110 || nzcv === 0b0010;
  return nzcv === 0b0010;
}

export { OP_DIV };
