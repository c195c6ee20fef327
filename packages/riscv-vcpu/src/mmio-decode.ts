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

function widthOf(funct3: number): AccessWidth {
  switch (funct3 & 3) {
    case 0:
      return AccessWidth.Byte;
    case 1:
      return AccessWidth.Word;
    case 2:
      return AccessWidth.Dword;
    default:
      return AccessWidth.Qword;
  }
}

/** Decodes a 32-bit load/store encoding (original or transformed); null for anything else. */
export function decodeStandard(insn: number, length: 2 | 4): DecodedAccess | null {
  const opcode = insn & 0x7f;
  const funct3 = (insn >>> 12) & 7;
  if (opcode === OPCODE_LOAD) {
    if (funct3 === 7) return null;
    return {
      isStore: false,
      width: widthOf(funct3),
      signExtend: funct3 < 3,
      reg: (insn >>> 7) & 0x1f,
      length,
    };
  }
  if (opcode === OPCODE_STORE) {
    if (funct3 > 3) return null;
    return {
      isStore: true,
      width: widthOf(funct3),
      signExtend: false,
      reg: (insn >>> 20) & 0x1f,
      length,
    };
  }
  return null;
}

/**
 * Decodes the integer load/store forms of the compressed extension (C.LW, C.LD, C.SW, C.SD and
 * their stack-pointer variants); null for anything else. Compressed FP loads/stores are not
 * MMIO candidates the VMM emulates.
 */
export function decodeCompressed(insn: number): DecodedAccess | null {
  const op = insn & 3;
  const funct3 = (insn >>> 13) & 7;
  const rdPrime = 8 + ((insn >>> 2) & 7);
  const rd = (insn >>> 7) & 0x1f;
  const rs2 = (insn >>> 2) & 0x1f;
  if (op === 0) {
    switch (funct3) {
      case 2:
        return {
          isStore: false,
          width: AccessWidth.Dword,
          signExtend: true,
          reg: rdPrime,
          length: 2,
        };
      case 3:
        return {
          isStore: false,
          width: AccessWidth.Qword,
          signExtend: false,
          reg: rdPrime,
          length: 2,
        };
      case 6:
        return {
          isStore: true,
          width: AccessWidth.Dword,
          signExtend: false,
          reg: rdPrime,
          length: 2,
        };
      case 7:
        return {
          isStore: true,
          width: AccessWidth.Qword,
          signExtend: false,
          reg: rdPrime,
          length: 2,
        };
      default:
        return null;
    }
  }
  if (op === 2) {
    switch (funct3) {
      case 2:
        return rd === 0
          ? null
          : { isStore: false, width: AccessWidth.Dword, signExtend: true, reg: rd, length: 2 };
      case 3:
        return rd === 0
          ? null
          : { isStore: false, width: AccessWidth.Qword, signExtend: false, reg: rd, length: 2 };
      case 6:
        return { isStore: true, width: AccessWidth.Dword, signExtend: false, reg: rs2, length: 2 };
      case 7:
        return { isStore: true, width: AccessWidth.Qword, signExtend: false, reg: rs2, length: 2 };
      default:
        return null;
    }
  }
  return null;
}

/**
 * Decodes htinst. Returns null when htinst carries no usable instruction (zero, a
 * pseudo-instruction, or not a load/store), in which case the caller must fetch and decode
 * the instruction itself.
 */
export function decodeHtinst(htinst: number): DecodedAccess | null {
  if (htinst === 0 || (htinst & 1) === 0) return null;
  const length = (htinst & 2) !== 0 ? 4 : 2;
  return decodeStandard(htinst | 2, length);
}

/** Decodes an instruction fetched from guest memory (its low 16 or 32 bits). */
export function decodeFetched(insn: number): DecodedAccess | null {
  if ((insn & 3) !== 3) return decodeCompressed(insn & 0xffff);
  return decodeStandard(insn, 4);
}
