/**
 * AdvSIMD data movement: copy (DUP, INS, UMOV, SMOV), modified immediate (MOVI, MVNI, ORR, BIC,
 * FMOV vector), EXT, TBL/TBX, ZIP/UZP/TRN, and the scalar DUP (element).
 */
import { FPSIMD_OK, FPSIMD_UNDEFINED, type FpSimdResult, type GprPort } from "./contract.js";
import { clearT, commit, T8, T32 } from "./elements.js";
import type { FpSimdRegs } from "./regs.js";

/** Lowest set bit of imm5 gives the element size; the bits above it the index. */
function sizeOfImm5(imm5: number): number {
  if (imm5 & 1) return 0;
  if (imm5 & 2) return 1;
  if (imm5 & 4) return 2;
  if (imm5 & 8) return 3;
  return -1;
}

/** Copies element `src` of Vn (esize bytes) to byte offset `dst` of the scratch register. */
function copyElem(r: FpSimdRegs, rn: number, src: number, bytes: number, dst: number): void {
  const base = rn * 16 + src * bytes;
  for (let b = 0; b < bytes; b++) T8[dst + b] = r.u8[base + b]!;
}

export function copy(insn: number, r: FpSimdRegs, gpr: GprPort, scalar: boolean): FpSimdResult {
  const q = ((insn >>> 30) & 1) === 1;
  const op = (insn >>> 29) & 1;
  const imm5 = (insn >>> 16) & 31;
  const imm4 = (insn >>> 11) & 15;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const size = sizeOfImm5(imm5);
  if (size < 0) return FPSIMD_UNDEFINED;
  const bytes = 1 << size;
  const index = imm5 >>> (size + 1);
  if (scalar) {
    // DUP (element), scalar: Vd = Vn.T[index], as a scalar.
    if (op !== 0 || imm4 !== 0) return FPSIMD_UNDEFINED;
    clearT();
    copyElem(r, rn, index, bytes, 0);
    commit(r, rd, false);
    return FPSIMD_OK;
  }
  if (op === 1) {
    // INS (element)
    if (!q) return FPSIMD_UNDEFINED;
    const srcIndex = imm4 >>> size;
    const base = rd * 16 + index * bytes;
    const from = rn * 16 + srcIndex * bytes;
    for (let b = 0; b < bytes; b++) T8[b] = r.u8[from + b]!;
    for (let b = 0; b < bytes; b++) r.u8[base + b] = T8[b]!;
    return FPSIMD_OK;
  }
  switch (imm4) {
    case 0: {
      // DUP (element)
      if (size === 3 && !q) return FPSIMD_UNDEFINED;
      const total = q ? 16 : 8;
      clearT();
      for (let off = 0; off < total; off += bytes) copyElem(r, rn, index, bytes, off);
      commit(r, rd, q);
      return FPSIMD_OK;
    }
    case 1: {
      // DUP (general)
      if (size === 3 && !q) return FPSIMD_UNDEFINED;
      const lo = gpr.getLo(rn);
      const hi = gpr.getHi(rn);
      clearT();
      const total = q ? 16 : 8;
      for (let off = 0; off < total; off += bytes) {
        for (let b = 0; b < bytes; b++)
          T8[off + b] = (b < 4 ? lo >>> (b * 8) : hi >>> ((b - 4) * 8)) & 0xff;
      }
      commit(r, rd, q);
      return FPSIMD_OK;
    }
    case 3: {
      // INS (general)
      if (!q) return FPSIMD_UNDEFINED;
      const lo = gpr.getLo(rn);
      const hi = gpr.getHi(rn);
      const base = rd * 16 + index * bytes;
      for (let b = 0; b < bytes; b++) {
        r.u8[base + b] = (b < 4 ? lo >>> (b * 8) : hi >>> ((b - 4) * 8)) & 0xff;
      }
      return FPSIMD_OK;
    }
    case 5:
    case 7: {
      // SMOV (5) / UMOV (7): Q selects a 64-bit destination.
      const signed = imm4 === 5;
      if (signed ? size >= (q ? 3 : 2) : q ? size !== 3 : size === 3) return FPSIMD_UNDEFINED;
      const base = rn * 16 + index * bytes;
      if (size === 3) {
        gpr.set(rd, r.i32[base >>> 2]!, r.i32[(base >>> 2) + 1]!);
        return FPSIMD_OK;
      }
      let v: number;
      if (size === 0) v = signed ? r.i8[base]! : r.u8[base]!;
      else if (size === 1) v = signed ? r.i16[base >>> 1]! : r.u16[base >>> 1]!;
      else v = r.i32[base >>> 2]!;
      // SMOV to W zero-extends the 32-bit result into X.
      gpr.set(rd, v | 0, q && v < 0 ? -1 : 0);
      return FPSIMD_OK;
    }
  }
  return FPSIMD_UNDEFINED;
}

/** AdvSIMDExpandImm(op, cmode, imm8) into (lo, hi). */
const imm = { lo: 0, hi: 0 };
function expandImm(op: number, cmode: number, imm8: number): boolean {
  let v32 = 0;
  switch (cmode >>> 1) {
    case 0:
      v32 = imm8;
      break;
    case 1:
      v32 = imm8 << 8;
      break;
    case 2:
      v32 = imm8 << 16;
      break;
    case 3:
      v32 = imm8 << 24;
      break;
    case 4:
      v32 = (imm8 << 16) | imm8;
      break;
    case 5:
      v32 = (imm8 << 24) | (imm8 << 8);
      break;
    case 6:
      v32 = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff;
      break;
    default:
      if ((cmode & 1) === 0) {
        if (op === 0) {
          v32 = imm8 * 0x01010101;
        } else {
          let lo = 0;
          let hi = 0;
          for (let b = 0; b < 4; b++) if ((imm8 >>> b) & 1) lo |= 0xff << (b * 8);
          for (let b = 0; b < 4; b++) if ((imm8 >>> (b + 4)) & 1) hi |= 0xff << (b * 8);
          imm.lo = lo;
          imm.hi = hi;
          return true;
        }
      } else if (op === 0) {
        // FMOV (vector, single precision)
        const b6 = (imm8 >>> 6) & 1;
        v32 = ((imm8 & 0x80) << 24) | (b6 ? 0x3e000000 : 0x40000000) | ((imm8 & 0x3f) << 19);
      } else {
        // FMOV (vector, double precision): Q must be 1, checked by the caller.
        const b6 = (imm8 >>> 6) & 1;
        imm.lo = 0;
        imm.hi = ((imm8 & 0x80) << 24) | (b6 ? 0x3fc00000 : 0x40000000) | ((imm8 & 0x3f) << 16);
        return true;
      }
  }
  imm.lo = v32 | 0;
  imm.hi = v32 | 0;
  return true;
}

export function modifiedImmediate(insn: number, r: FpSimdRegs): FpSimdResult {
  const q = ((insn >>> 30) & 1) === 1;
  const op = (insn >>> 29) & 1;
  const cmode = (insn >>> 12) & 15;
  if ((insn >>> 11) & 1) return FPSIMD_UNDEFINED; // o2 (FP16 FMOV)
  const imm8 = (((insn >>> 16) & 7) << 5) | ((insn >>> 5) & 31);
  const rd = insn & 31;
  if (cmode === 15 && op === 1 && !q) return FPSIMD_UNDEFINED;
  expandImm(op, cmode, imm8);
  const i = r.i32;
  // ORR (cmode 0xx1, 10x1) and BIC (op = 1 with those cmodes) combine with Vd.
  const logical = cmode < 12 && (cmode & 1) === 1;
  let lo = imm.lo;
  let hi = imm.hi;
  const invert = op === 1 && cmode < 14 && !(cmode === 14);
  if (invert) {
    lo = ~lo;
    hi = ~hi;
  }
  for (let k = 0; k < 4; k++) {
    const v = k & 1 ? hi : lo;
    if (!q && k >= 2) T32[k] = 0;
    else if (logical) T32[k] = op === 1 ? i[rd * 4 + k]! & v : i[rd * 4 + k]! | v;
    else T32[k] = v;
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

export function ext(insn: number, r: FpSimdRegs): FpSimdResult {
  const q = ((insn >>> 30) & 1) === 1;
  const imm4 = (insn >>> 11) & 15;
  if ((insn >>> 22) & 3 || (!q && imm4 >= 8)) return FPSIMD_UNDEFINED;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  const bytes = q ? 16 : 8;
  clearT();
  for (let b = 0; b < bytes; b++) {
    const k = b + imm4;
    T8[b] = k < bytes ? r.u8[rn * 16 + k]! : r.u8[rm * 16 + k - bytes]!;
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

export function tableLookup(insn: number, r: FpSimdRegs): FpSimdResult {
  const q = ((insn >>> 30) & 1) === 1;
  if ((insn >>> 22) & 3) return FPSIMD_UNDEFINED;
  const len = ((insn >>> 13) & 3) + 1;
  const tbx = ((insn >>> 12) & 1) === 1;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  const bytes = q ? 16 : 8;
  clearT();
  for (let b = 0; b < bytes; b++) {
    const index = r.u8[rm * 16 + b]!;
    if (index < len * 16) {
      const reg = (rn + (index >>> 4)) & 31;
      T8[b] = r.u8[reg * 16 + (index & 15)]!;
    } else {
      T8[b] = tbx ? r.u8[rd * 16 + b]! : 0;
    }
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

/** ZIP1/2, UZP1/2, TRN1/2 (opcode bits 14:12: 1 UZP1, 2 TRN1, 3 ZIP1, 5 UZP2, 6 TRN2, 7 ZIP2). */
export function permute(insn: number, r: FpSimdRegs): FpSimdResult {
  const q = ((insn >>> 30) & 1) === 1;
  const size = (insn >>> 22) & 3;
  const opcode = (insn >>> 12) & 7;
  if ((opcode & 3) === 0 || (size === 3 && !q)) return FPSIMD_UNDEFINED;
  const rd = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rm = (insn >>> 16) & 31;
  const bytes = 1 << size;
  const elements = (q ? 16 : 8) / bytes;
  const part = opcode >>> 2;
  const kind = opcode & 3;
  clearT();
  for (let e = 0; e < elements; e++) {
    let reg: number;
    let src: number;
    if (kind === 1) {
      // UZP: even (part 0) or odd (part 1) elements of Vn:Vm.
      const k = e * 2 + part;
      reg = k < elements ? rn : rm;
      src = k % elements;
    } else if (kind === 2) {
      // TRN: pairs (Vn[2i+part], Vm[2i+part]).
      reg = e & 1 ? rm : rn;
      src = (e & ~1) + part;
    } else {
      // ZIP: interleave the low (part 0) or high (part 1) halves.
      reg = e & 1 ? rm : rn;
      src = (e >>> 1) + part * (elements / 2);
    }
    copyElemFrom(r, reg, src, bytes, e * bytes);
  }
  commit(r, rd, q);
  return FPSIMD_OK;
}

function copyElemFrom(r: FpSimdRegs, reg: number, src: number, bytes: number, dst: number): void {
  const base = reg * 16 + src * bytes;
  for (let b = 0; b < bytes; b++) T8[dst + b] = r.u8[base + b]!;
}
