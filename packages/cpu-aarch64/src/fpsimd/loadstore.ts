/**
 * SIMD&FP loads and stores: LDR/STR (immediate: unsigned offset, unscaled, pre- and
 * post-index; register offset; literal) for B/H/S/D/Q, LDP/STP/LDNP/STNP for S/D/Q, and the
 * structure forms LD1-LD4/ST1-ST4 (multiple and single structure) and LD1R-LD4R, with
 * post-index by immediate or register. Loads read everything first and write registers only
 * when every access succeeded; base writeback happens last.
 */
import {
  FPSIMD_FAULT,
  FPSIMD_OK,
  FPSIMD_UNDEFINED,
  type FpSimdResult,
  type GprPort,
  type SimdMemPort,
} from "./contract.js";
import type { FpSimdRegs } from "./regs.js";

/** Staging for up to four 16-byte registers. */
const BUF = new Uint8Array(64);
const TWO32 = 4294967296;

/** The address being formed, as (lo, hi). */
const va = { lo: 0, hi: 0 };

function setVa(lo: number, hi: number): void {
  va.lo = lo | 0;
  va.hi = hi | 0;
}

/** va += off (off a JS integer, possibly negative, |off| < 2^53). */
function addVa(off: number): void {
  const offHi = Math.floor(off / TWO32);
  const offLo = off - offHi * TWO32;
  const lo = (va.lo >>> 0) + offLo;
  va.lo = lo | 0;
  va.hi = (va.hi + offHi + (lo >= TWO32 ? 1 : 0)) | 0;
}

/** va += (lo, hi). */
function addVa64(lo: number, hi: number): void {
  const l = (va.lo >>> 0) + (lo >>> 0);
  va.lo = l | 0;
  va.hi = (va.hi + hi + (l >= TWO32 ? 1 : 0)) | 0;
}

function signExtend(v: number, bits: number): number {
  const s = 32 - bits;
  return (v << s) >> s;
}

export function executeSimdLoadStore(
  insn: number,
  r: FpSimdRegs,
  gpr: GprPort,
  mem: SimdMemPort,
): FpSimdResult {
  const op0 = (insn >>> 28) & 0xf;
  // Structure loads/stores: 0Q00 1100 ...
  if ((insn & 0xbe000000) === 0x0c000000 && (op0 & 0xb) === 0) {
    if ((insn & 0x01000000) === 0) return multipleStructures(insn, r, gpr, mem);
    return singleStructure(insn, r, gpr, mem);
  }
  const bits2927 = (insn >>> 27) & 7;
  if (bits2927 === 3) {
    // LDR (literal): opc 011 1 00 imm19 Rt
    if (insn & 0x03000000) return FPSIMD_UNDEFINED;
    return literal(insn, r, gpr, mem);
  }
  if (bits2927 === 5) return pair(insn, r, gpr, mem);
  if (bits2927 === 7) return register(insn, r, gpr, mem);
  return FPSIMD_UNDEFINED;
}

function literal(insn: number, r: FpSimdRegs, gpr: GprPort, mem: SimdMemPort): FpSimdResult {
  const opc = insn >>> 30;
  if (opc === 3) return FPSIMD_UNDEFINED;
  const bytes = 4 << opc;
  const imm19 = signExtend((insn >>> 5) & 0x7ffff, 19);
  setVa(gpr.getPcLo(), gpr.getPcHi());
  addVa(imm19 * 4);
  if (!mem.read(va.lo, va.hi, bytes, BUF, 0)) return FPSIMD_FAULT;
  writeScalar(r, insn & 31, bytes);
  return FPSIMD_OK;
}

/** Vt = BUF[0..bytes), zero-extended to 128 bits. */
function writeScalar(r: FpSimdRegs, t: number, bytes: number): void {
  const base = t * 16;
  for (let b = 0; b < 16; b++) r.u8[base + b] = b < bytes ? BUF[b]! : 0;
}

function register(insn: number, r: FpSimdRegs, gpr: GprPort, mem: SimdMemPort): FpSimdResult {
  const size = insn >>> 30;
  const opc = (insn >>> 22) & 3;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  let scale: number;
  if (opc & 2) {
    if (size !== 0) return FPSIMD_UNDEFINED;
    scale = 4;
  } else scale = size;
  const bytes = 1 << scale;
  const load = (opc & 1) === 1;
  let wbLo = 0;
  let wbHi = 0;
  let writeback = false;
  setVa(gpr.getBaseLo(rn), gpr.getBaseHi(rn));
  if (insn & 0x01000000) {
    // unsigned immediate, scaled
    addVa(((insn >>> 10) & 0xfff) * bytes);
  } else if (insn & 0x00200000) {
    // register offset: bits 11:10 must be 10
    if (((insn >>> 10) & 3) !== 2) return FPSIMD_UNDEFINED;
    const option = (insn >>> 13) & 7;
    if ((option & 2) === 0) return FPSIMD_UNDEFINED;
    const shift = (insn >>> 12) & 1 ? scale : 0;
    const rm = (insn >>> 16) & 31;
    let lo = gpr.getLo(rm);
    let hi = gpr.getHi(rm);
    switch (option) {
      case 2: // UXTW
        hi = 0;
        break;
      case 6: // SXTW
        hi = lo >> 31;
        break;
    }
    // shift left by 0..4
    if (shift) {
      hi = (hi << shift) | (lo >>> (32 - shift));
      lo <<= shift;
    }
    addVa64(lo, hi);
  } else {
    const mode = (insn >>> 10) & 3;
    if (mode === 2) return FPSIMD_UNDEFINED; // unprivileged forms do not exist for SIMD&FP
    const imm9 = signExtend((insn >>> 12) & 0x1ff, 9);
    if (mode === 0) addVa(imm9);
    else {
      writeback = true;
      if (mode === 3) addVa(imm9); // pre-index
      // post-index: access at base, write back base + imm9
      const saveLo = va.lo;
      const saveHi = va.hi;
      if (mode === 1) addVa(imm9);
      wbLo = va.lo;
      wbHi = va.hi;
      setVa(saveLo, saveHi);
    }
  }
  if (load) {
    if (!mem.read(va.lo, va.hi, bytes, BUF, 0)) return FPSIMD_FAULT;
    writeScalar(r, rt, bytes);
  } else {
    for (let b = 0; b < bytes; b++) BUF[b] = r.u8[rt * 16 + b]!;
    if (!mem.write(va.lo, va.hi, bytes, BUF, 0)) return FPSIMD_FAULT;
  }
  if (writeback) gpr.setBase(rn, wbLo, wbHi);
  return FPSIMD_OK;
}

function pair(insn: number, r: FpSimdRegs, gpr: GprPort, mem: SimdMemPort): FpSimdResult {
  const opc = insn >>> 30;
  if (opc === 3) return FPSIMD_UNDEFINED;
  const mode = (insn >>> 23) & 3;
  const load = ((insn >>> 22) & 1) === 1;
  const bytes = 4 << opc;
  const imm7 = signExtend((insn >>> 15) & 0x7f, 7) * bytes;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  const rt2 = (insn >>> 10) & 31;
  setVa(gpr.getBaseLo(rn), gpr.getBaseHi(rn));
  const baseLo = va.lo;
  const baseHi = va.hi;
  if (mode !== 1) addVa(imm7); // offset, pre-index, no-allocate: access at base + imm
  const aLo = va.lo;
  const aHi = va.hi;
  if (load) {
    if (!mem.read(aLo, aHi, bytes, BUF, 0)) return FPSIMD_FAULT;
    addVa(bytes);
    if (!mem.read(va.lo, va.hi, bytes, BUF, 16)) return FPSIMD_FAULT;
    for (let b = 0; b < 16; b++) r.u8[rt * 16 + b] = b < bytes ? BUF[b]! : 0;
    for (let b = 0; b < 16; b++) r.u8[rt2 * 16 + b] = b < bytes ? BUF[16 + b]! : 0;
  } else {
    for (let b = 0; b < bytes; b++) {
      BUF[b] = r.u8[rt * 16 + b]!;
      BUF[16 + b] = r.u8[rt2 * 16 + b]!;
    }
    if (!mem.write(aLo, aHi, bytes, BUF, 0)) return FPSIMD_FAULT;
    addVa(bytes);
    if (!mem.write(va.lo, va.hi, bytes, BUF, 16)) return FPSIMD_FAULT;
  }
  if (mode === 1 || mode === 3) {
    setVa(baseLo, baseHi);
    addVa(imm7);
    gpr.setBase(rn, va.lo, va.hi);
  }
  return FPSIMD_OK;
}

/** Registers and interleave per opcode of the multiple-structure forms: [rpt, selem], or none. */
function multipleLayout(opcode: number): number {
  switch (opcode) {
    case 0:
      return (1 << 4) | 4; // LD4/ST4
    case 2:
      return (4 << 4) | 1; // LD1/ST1, 4 registers
    case 4:
      return (1 << 4) | 3; // LD3/ST3
    case 6:
      return (3 << 4) | 1; // LD1/ST1, 3 registers
    case 7:
      return (1 << 4) | 1; // LD1/ST1, 1 register
    case 8:
      return (1 << 4) | 2; // LD2/ST2
    case 10:
      return (2 << 4) | 1; // LD1/ST1, 2 registers
    default:
      return -1;
  }
}

function postIndex(
  insn: number,
  gpr: GprPort,
  rn: number,
  total: number,
  baseLo: number,
  baseHi: number,
): void {
  const rm = (insn >>> 16) & 31;
  setVa(baseLo, baseHi);
  if (rm === 31) addVa(total);
  else addVa64(gpr.getLo(rm), gpr.getHi(rm));
  gpr.setBase(rn, va.lo, va.hi);
}

function multipleStructures(
  insn: number,
  r: FpSimdRegs,
  gpr: GprPort,
  mem: SimdMemPort,
): FpSimdResult {
  const post = (insn & 0x00800000) !== 0;
  if (!post && ((insn >>> 16) & 31) !== 0) return FPSIMD_UNDEFINED;
  if (insn & 0x00200000) return FPSIMD_UNDEFINED; // bit 21 must be 0
  const q = ((insn >>> 30) & 1) === 1;
  const load = ((insn >>> 22) & 1) === 1;
  const opcode = (insn >>> 12) & 15;
  const size = (insn >>> 10) & 3;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  const layout = multipleLayout(opcode);
  if (layout < 0) return FPSIMD_UNDEFINED;
  const rpt = layout >>> 4;
  const selem = layout & 15;
  if (size === 3 && !q && selem !== 1) return FPSIMD_UNDEFINED;
  const ebytes = 1 << size;
  const regBytes = q ? 16 : 8;
  const elements = regBytes / ebytes;
  const total = rpt * selem * regBytes;
  const baseLo = gpr.getBaseLo(rn);
  const baseHi = gpr.getBaseHi(rn);
  setVa(baseLo, baseHi);
  if (load) {
    // Memory order: for each repetition, each element index, each structure member.
    if (!readSpan(mem, total)) return FPSIMD_FAULT;
    let off = 0;
    for (let rep = 0; rep < rpt; rep++) {
      for (let e = 0; e < elements; e++) {
        for (let s = 0; s < selem; s++) {
          const t = (rt + rep + s) & 31;
          const dst = t * 16 + e * ebytes;
          for (let b = 0; b < ebytes; b++) r.u8[dst + b] = STAGE[off++]!;
        }
      }
    }
    if (!q) {
      for (let k = 0; k < rpt * selem; k++) {
        const t = (rt + k) & 31;
        for (let b = 8; b < 16; b++) r.u8[t * 16 + b] = 0;
      }
    }
  } else {
    let off = 0;
    for (let rep = 0; rep < rpt; rep++) {
      for (let e = 0; e < elements; e++) {
        for (let s = 0; s < selem; s++) {
          const t = (rt + rep + s) & 31;
          const src = t * 16 + e * ebytes;
          for (let b = 0; b < ebytes; b++) STAGE[off++] = r.u8[src + b]!;
        }
      }
    }
    if (!writeSpan(mem, total)) return FPSIMD_FAULT;
  }
  if (post) postIndex(insn, gpr, rn, total, baseLo, baseHi);
  return FPSIMD_OK;
}

/** Staging for a whole structure transfer (at most 4 x 16 bytes). */
const STAGE = new Uint8Array(64);

/** Reads `total` bytes at va into STAGE in 16-byte pieces (or fewer at the end). */
function readSpan(mem: SimdMemPort, total: number): boolean {
  const startLo = va.lo;
  const startHi = va.hi;
  for (let off = 0; off < total; off += 8) {
    if (!mem.read(va.lo, va.hi, 8, STAGE, off)) return false;
    addVa(8);
  }
  setVa(startLo, startHi);
  return true;
}

function writeSpan(mem: SimdMemPort, total: number): boolean {
  const startLo = va.lo;
  const startHi = va.hi;
  for (let off = 0; off < total; off += 8) {
    if (!mem.write(va.lo, va.hi, 8, STAGE, off)) return false;
    addVa(8);
  }
  setVa(startLo, startHi);
  return true;
}

function singleStructure(
  insn: number,
  r: FpSimdRegs,
  gpr: GprPort,
  mem: SimdMemPort,
): FpSimdResult {
  const post = (insn & 0x00800000) !== 0;
  if (!post && ((insn >>> 16) & 31) !== 0) return FPSIMD_UNDEFINED;
  const q = (insn >>> 30) & 1;
  const load = ((insn >>> 22) & 1) === 1;
  const R = (insn >>> 21) & 1;
  const opcode = (insn >>> 13) & 7;
  const S = (insn >>> 12) & 1;
  const size = (insn >>> 10) & 3;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  const selem = (((opcode & 1) << 1) | R) + 1;
  let scale = opcode >>> 1;
  let index = 0;
  let replicate = false;
  switch (scale) {
    case 3:
      if (!load || S) return FPSIMD_UNDEFINED;
      scale = size;
      replicate = true;
      break;
    case 0:
      index = (q << 3) | (S << 2) | size;
      break;
    case 1:
      if (size & 1) return FPSIMD_UNDEFINED;
      index = (q << 2) | (S << 1) | (size >>> 1);
      break;
    default:
      if (size & 2) return FPSIMD_UNDEFINED;
      if (size & 1) {
        if (S) return FPSIMD_UNDEFINED;
        index = q;
        scale = 3;
      } else index = (q << 1) | S;
  }
  const ebytes = 1 << scale;
  const total = selem * ebytes;
  const baseLo = gpr.getBaseLo(rn);
  const baseHi = gpr.getBaseHi(rn);
  setVa(baseLo, baseHi);
  if (load) {
    for (let s = 0; s < selem; s++) {
      if (!mem.read(va.lo, va.hi, ebytes, STAGE, s * ebytes)) return FPSIMD_FAULT;
      addVa(ebytes);
    }
    for (let s = 0; s < selem; s++) {
      const t = (rt + s) & 31;
      if (replicate) {
        const bytes = q ? 16 : 8;
        for (let off = 0; off < 16; off++) {
          r.u8[t * 16 + off] = off < bytes ? STAGE[s * ebytes + (off % ebytes)]! : 0;
        }
      } else {
        for (let b = 0; b < ebytes; b++) r.u8[t * 16 + index * ebytes + b] = STAGE[s * ebytes + b]!;
      }
    }
  } else {
    for (let s = 0; s < selem; s++) {
      const t = (rt + s) & 31;
      for (let b = 0; b < ebytes; b++) STAGE[s * ebytes + b] = r.u8[t * 16 + index * ebytes + b]!;
    }
    for (let s = 0; s < selem; s++) {
      if (!mem.write(va.lo, va.hi, ebytes, STAGE, s * ebytes)) return FPSIMD_FAULT;
      addVa(ebytes);
    }
  }
  if (post) postIndex(insn, gpr, rn, total, baseLo, baseHi);
  return FPSIMD_OK;
}
