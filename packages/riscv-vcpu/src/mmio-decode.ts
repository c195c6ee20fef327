/**
 * Decoding of the load or store behind a guest-page fault, so the VMM can emulate it against a
 * device. The hart reports the access in `htinst` as a *transformed* instruction (privileged
 * spec, "Transformed Instruction or Pseudoinstruction for mtinst or htinst"): the original
 * encoding with its address-offset field cleared, and bit 1 cleared when the original was a
 * 16-bit compressed instruction. When htinst is zero, the caller fetches the instruction from
 * guest memory and decodes it here as well.
 */
import { AccessWidth } from "@axvisor/memory-addr";

export interface DecodedAccess {
  readonly isStore: boolean;
  readonly width: AccessWidth;
  /** A load whose result is sign-extended to 64 bits (LB, LH, LW). */
  readonly signExtend: boolean;
  /** Destination register of a load, source register of a store (x-register number). */
  readonly reg: number;
  /** Length of the original instruction: 2 (compressed) or 4 bytes. */
  readonly length: 2 | 4;
}

const OPCODE_LOAD = 0x03;
const OPCODE_STORE = 0x23;

/** htinst values the spec reserves for implicit VS-stage page-table accesses. */
export const PSEUDO_PT_READ = 0x3000;
export const PSEUDO_PT_WRITE = 0x3020;

/** A packed decode that found no load/store. */
export const NO_ACCESS = -1;

// A packed access: bit 0 store, bits 1-4 width in bytes, bit 5 sign-extend, bits 6-10 the
// register, bit 11 a 4-byte instruction. Always a small non-negative integer (a Smi).
const STORE = 1;
const SIGN_EXTEND = 1 << 5;
const LONG = 1 << 11;

function pack(
  isStore: boolean,
  width: AccessWidth,
  signExtend: boolean,
  reg: number,
  length: 2 | 4,
) {
  return (
    (isStore ? STORE : 0) |
    (width << 1) |
    (signExtend ? SIGN_EXTEND : 0) |
    (reg << 6) |
    (length === 4 ? LONG : 0)
  );
}

export const packedIsStore = (p: number): boolean => (p & STORE) !== 0;
export const packedWidth = (p: number): AccessWidth => ((p >>> 1) & 0xf) as AccessWidth;
export const packedSignExtend = (p: number): boolean => (p & SIGN_EXTEND) !== 0;
export const packedReg = (p: number): number => (p >>> 6) & 0x1f;
export const packedLength = (p: number): 2 | 4 => ((p & LONG) !== 0 ? 4 : 2);

/** The readable record of a packed access; null for NO_ACCESS. */
export function unpackAccess(p: number): DecodedAccess | null {
  if (p === NO_ACCESS) return null;
  return {
    isStore: packedIsStore(p),
    width: packedWidth(p),
    signExtend: packedSignExtend(p),
    reg: packedReg(p),
    length: packedLength(p),
  };
}

/** funct3's low two bits are log2 of the access size. */
const widthOf = (funct3: number): AccessWidth => (1 << (funct3 & 3)) as AccessWidth;

/** Packed decode of a 32-bit load/store encoding (original or transformed). */
export function packStandard(insn: number, length: 2 | 4): number {
  const opcode = insn & 0x7f;
  const funct3 = (insn >>> 12) & 7;
  if (opcode === OPCODE_LOAD) {
    if (funct3 === 7) return NO_ACCESS;
    return pack(false, widthOf(funct3), funct3 < 3, (insn >>> 7) & 0x1f, length);
  }
  if (opcode === OPCODE_STORE) {
    if (funct3 > 3) return NO_ACCESS;
    return pack(true, widthOf(funct3), false, (insn >>> 20) & 0x1f, length);
  }
  return NO_ACCESS;
}

/**
 * Packed decode of the integer load/store forms of the compressed extension (C.LW, C.LD,
 * C.SW, C.SD and their stack-pointer variants). Compressed FP loads/stores are not MMIO
 * candidates the VMM emulates.
 */
export function packCompressed(insn: number): number {
  const op = insn & 3;
  const funct3 = (insn >>> 13) & 7;
  const rdPrime = 8 + ((insn >>> 2) & 7);
  const rd = (insn >>> 7) & 0x1f;
  const rs2 = (insn >>> 2) & 0x1f;
  if (op === 0) {
    switch (funct3) {
      case 2:
        return pack(false, AccessWidth.Dword, true, rdPrime, 2);
      case 3:
        return pack(false, AccessWidth.Qword, false, rdPrime, 2);
      case 6:
        return pack(true, AccessWidth.Dword, false, rdPrime, 2);
      case 7:
        return pack(true, AccessWidth.Qword, false, rdPrime, 2);
      default:
        return NO_ACCESS;
    }
  }
  if (op === 2) {
    switch (funct3) {
      case 2:
        return rd === 0 ? NO_ACCESS : pack(false, AccessWidth.Dword, true, rd, 2);
      case 3:
        return rd === 0 ? NO_ACCESS : pack(false, AccessWidth.Qword, false, rd, 2);
      case 6:
        return pack(true, AccessWidth.Dword, false, rs2, 2);
      case 7:
        return pack(true, AccessWidth.Qword, false, rs2, 2);
      default:
        return NO_ACCESS;
    }
  }
  return NO_ACCESS;
}

/**
 * Packed decode of htinst: NO_ACCESS when it carries no usable instruction (zero, a
 * pseudo-instruction, or not a load/store), and the caller must fetch and decode the
 * instruction itself.
 */
export function packHtinst(htinst: number): number {
  if (htinst === 0 || (htinst & 1) === 0) return NO_ACCESS;
  return packStandard(htinst | 2, (htinst & 2) !== 0 ? 4 : 2);
}

/** Packed decode of an instruction fetched from guest memory (its low 16 or 32 bits). */
export function packFetched(insn: number): number {
  if ((insn & 3) !== 3) return packCompressed(insn & 0xffff);
  return packStandard(insn, 4);
}

/** Decodes a 32-bit load/store encoding (original or transformed); null for anything else. */
export const decodeStandard = (insn: number, length: 2 | 4): DecodedAccess | null =>
  unpackAccess(packStandard(insn, length));

/** The object form of `packCompressed`; null for anything else. */
export const decodeCompressed = (insn: number): DecodedAccess | null =>
  unpackAccess(packCompressed(insn));

/** The object form of `packHtinst`: null when the caller must fetch the instruction. */
export const decodeHtinst = (htinst: number): DecodedAccess | null =>
  unpackAccess(packHtinst(htinst));

/** The object form of `packFetched`. */
export const decodeFetched = (insn: number): DecodedAccess | null =>
  unpackAccess(packFetched(insn));
