/**
 * AdvSIMD "three different" (long, wide and narrowing forms) and the long/doubling multiplies
 * shared with "vector x indexed element": SADDL..., ADDHN..., SABAL/SABDL, SMLAL/SMLSL/SMULL,
 * SQDMLAL/SQDMLSL/SQDMULL, PMULL (8-bit lanes).
 */
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult } from "./contract.js";
import { pmull64 } from "./crypto.js";
import { clearT, commit, getS, getU, sat, setT, T32 } from "./elements.js";
import { add64, fromNumber, mul32x32, sub64, w } from "./i64.js";
import { qaddsub64, saturate64 } from "./intops.js";
import { writeNarrow } from "./misc.js";
import type { FpSimdRegs } from "./regs.js";

const NARROW = new Int32Array(2);
const NARROW8 = new Uint8Array(NARROW.buffer);
const NARROW16 = new Uint16Array(NARROW.buffer);

export function threeDifferent(insn: number, r: FpSimdRegs, scalar: boolean): FpSimdResult {
  const q = scalar ? false : ((insn >>> 30) & 1) === 1;
  const u = ((insn >>> 29) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const opcode = (insn >>> 12) & 15;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  if (opcode === 14 && size === 3 && !u && !scalar) return pmull64(r, q, rd, rn, rm);
  if (size === 3 || opcode === 15) return FPSIMD_UNDEFINED;
  const doubling = opcode === 9 || opcode === 11 || opcode === 13;
  if (doubling && (u || size === 0)) return FPSIMD_UNDEFINED;
  if (scalar && !doubling) return FPSIMD_UNDEFINED;
  if (opcode === 14 && (u || size !== 0)) return FPSIMD_UNDEFINED;
  const esize = 8 << size;
  if (opcode === 4 || opcode === 6) return narrowHigh(r, q, u, opcode === 6, esize, rd, rn, rm);
  const elements = scalar ? 1 : 64 / esize;
  const half = q ? elements : 0;
  const wideN = opcode === 1 || opcode === 3;
  clearT();
  for (let e = 0; e < elements; e++) {
    const b = u ? getU(r, rm, half + e, esize) : getS(r, rm, half + e, esize);
    const a = wideN ? 0 : u ? getU(r, rn, half + e, esize) : getS(r, rn, half + e, esize);
    longOp(r, opcode, u, esize, e, rd, rn, a, b, wideN);
  }
  // Long results fill all 128 bits; a scalar one fills lane 0 and T is zero above it.
  commit(r, rd, true);
  return FPSIMD_OK;
}

/**
 * One long lane: result lane e (2*esize bits) of op with narrow operands a, b (or the wide
 * lane e of Vn for the W forms). Writes T.
 */
export function longOp(
  r: FpSimdRegs,
  opcode: number,
  u: boolean,
  esize: number,
  e: number,
  rd: number,
  rn: number,
  a: number,
  b: number,
  wideN: boolean,
): void {
  const wide = esize * 2;
  if (wide <= 32) {
    const n = wideN ? (u ? getU(r, rn, e, wide) : getS(r, rn, e, wide)) : a;
    let v: number;
    switch (opcode) {
      case 0:
      case 1:
        v = n + b;
        break;
      case 2:
      case 3:
        v = n - b;
        break;
      case 5:
        v = getU(r, rd, e, wide) + Math.abs(a - b);
        break;
      case 7:
        v = Math.abs(a - b);
        break;
      case 8:
        v = getU(r, rd, e, wide) + a * b;
        break;
      case 10:
        v = getU(r, rd, e, wide) - a * b;
        break;
      case 12:
        v = a * b;
        break;
      case 14:
        v = pmull8(a, b);
        break;
      default: {
        // SQDMLAL (9), SQDMLSL (11), SQDMULL (13)
        const p = sat(r, 2 * a * b, wide, false);
        if (opcode === 13) v = p;
        else v = sat(r, getS(r, rd, e, wide) + (opcode === 9 ? p : -p), wide, false);
      }
    }
    setT(e, wide, v);
    return;
  }
  // 64-bit result lanes.
  const dlo = r.i32[rd * 4 + e * 2]!;
  const dhi = r.i32[rd * 4 + e * 2 + 1]!;
  switch (opcode) {
    case 0:
    case 1:
    case 2:
    case 3: {
      let nlo: number;
      let nhi: number;
      if (wideN) {
        nlo = r.i32[rn * 4 + e * 2]!;
        nhi = r.i32[rn * 4 + e * 2 + 1]!;
      } else {
        fromNumber(a);
        nlo = w.lo;
        nhi = w.hi;
      }
      fromNumber(b);
      if (opcode >= 2) sub64(nlo, nhi, w.lo, w.hi);
      else add64(nlo, nhi, w.lo, w.hi);
      break;
    }
    case 5:
      fromNumber(Math.abs(a - b));
      add64(w.lo, w.hi, dlo, dhi);
      break;
    case 7:
      fromNumber(Math.abs(a - b));
      break;
    case 8:
      mul32x32(a, b, u);
      add64(dlo, dhi, w.lo, w.hi);
      break;
    case 10:
      mul32x32(a, b, u);
      sub64(dlo, dhi, w.lo, w.hi);
      break;
    case 12:
      mul32x32(a, b, u);
      break;
    default: {
      // Doubling: 2*a*b saturates only for (-2^31)^2.
      if (a === -0x80000000 && b === -0x80000000) saturate64(r, false, false);
      else {
        mul32x32(a, b, false);
        add64(w.lo, w.hi, w.lo, w.hi);
      }
      if (opcode !== 13) {
        const plo = w.lo;
        const phi = w.hi;
        qaddsub64(r, dlo, dhi, plo, phi, false, opcode === 11);
      }
    }
  }
  T32[e * 2] = w.lo;
  T32[e * 2 + 1] = w.hi;
}

/** Polynomial multiply of two bytes into 16 bits. */
function pmull8(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) if ((b >>> i) & 1) p ^= (a & 0xff) << i;
  return p;
}

/** ADDHN/RADDHN/SUBHN/RSUBHN: the high half of each wide sum or difference. */
function narrowHigh(
  r: FpSimdRegs,
  q: boolean,
  round: boolean,
  sub: boolean,
  esize: number,
  rd: number,
  rn: number,
  rm: number,
): FpSimdResult {
  const wide = esize * 2;
  const elements = 64 / esize;
  NARROW[0] = 0;
  NARROW[1] = 0;
  for (let e = 0; e < elements; e++) {
    let v: number;
    if (wide === 64) {
      const alo = r.i32[rn * 4 + e * 2]!;
      const ahi = r.i32[rn * 4 + e * 2 + 1]!;
      const blo = r.i32[rm * 4 + e * 2]!;
      const bhi = r.i32[rm * 4 + e * 2 + 1]!;
      if (sub) sub64(alo, ahi, blo, bhi);
      else add64(alo, ahi, blo, bhi);
      if (round) add64(w.lo, w.hi, 0x80000000 | 0, 0);
      v = w.hi;
    } else {
      const a = getU(r, rn, e, wide);
      const b = getU(r, rm, e, wide);
      v = Math.floor(((sub ? a - b : a + b) + (round ? 2 ** (esize - 1) : 0)) / 2 ** esize);
    }
    if (esize === 8) NARROW8[e] = v;
    else if (esize === 16) NARROW16[e] = v;
    else NARROW[e] = v;
  }
  writeNarrow(r, rd, NARROW, q);
  return FPSIMD_OK;
}
