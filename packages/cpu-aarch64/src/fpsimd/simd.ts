/**
 * Decode of the Advanced SIMD part of "Data Processing -- Scalar Floating-Point and Advanced
 * SIMD" into its groups (vector: bit 28 = 0; scalar: bits 30 and 28 set). Cryptographic
 * extensions are not implemented (the CPU's ID registers do not advertise them) and decode as
 * UNDEFINED, as do the FP16, dot-product and RDM groups (ARMv8.1+).
 */
import { acrossLanes, scalarPairwise } from "./across.js";
import { FPSIMD_UNDEFINED, type FpSimdResult, type GprPort } from "./contract.js";
import { aes, sha2, sha3 } from "./crypto.js";
import { indexed } from "./indexed.js";
import { twoRegMisc } from "./misc.js";
import { copy, ext, modifiedImmediate, permute, tableLookup } from "./permute.js";
import type { FpSimdRegs } from "./regs.js";
import { shiftImmediate } from "./shift.js";
import { threeDifferent } from "./three-different.js";
import { threeSame } from "./three-same.js";

export function executeAdvSimd(insn: number, r: FpSimdRegs, gpr: GprPort): FpSimdResult {
  if (insn < 0) return FPSIMD_UNDEFINED; // bit 31: crypto or unallocated
  const scalar = (insn & 0x10000000) !== 0;
  if (scalar && (insn & 0x40000000) === 0) return FPSIMD_UNDEFINED;
  if (insn & 0x01000000) {
    // bit 24: shift by immediate / modified immediate (bit 10 = 1) or by element (bit 10 = 0)
    if (insn & 0x400) {
      if (insn & 0x00800000) return FPSIMD_UNDEFINED;
      if (((insn >>> 19) & 15) === 0) return scalar ? FPSIMD_UNDEFINED : modifiedImmediate(insn, r);
      return shiftImmediate(insn, r, scalar);
    }
    return indexed(insn, r, scalar);
  }
  if (insn & 0x00200000) {
    if (insn & 0x400) return threeSame(insn, r, scalar);
    if ((insn & 0xc00) === 0) return threeDifferent(insn, r, scalar);
    if ((insn & 0xc00) === 0x800) {
      const op = (insn >>> 17) & 15;
      if (op === 0) return twoRegMisc(insn, r, scalar);
      if (op === 8) return scalar ? scalarPairwise(insn, r) : acrossLanes(insn, r);
      // Crypto: AES (0100 1110 ...) and the two-register SHA forms (0101 1110 ...).
      if (op === 4 && insn >>> 24 === (scalar ? 0x5e : 0x4e))
        return scalar ? sha2(insn, r) : aes(insn, r);
    }
    return FPSIMD_UNDEFINED;
  }
  // bit 21 = 0
  if ((insn & 0x8400) === 0x0400 && ((insn >>> 21) & 7) === 0) {
    // copy: bits 23:21 = 000, bit 15 = 0, bit 10 = 1
    if (scalar && insn & 0x20000000) return FPSIMD_UNDEFINED;
    return copy(insn, r, gpr, scalar);
  }
  if (scalar && (insn & 0xff208c00) === 0x5e000000) return sha3(insn, r);
  if (scalar || (insn & 0x8000) !== 0) return FPSIMD_UNDEFINED;
  if (insn & 0x20000000) {
    // EXT: bits 29:24 = 101110, bit 10 = 0
    return insn & 0x400 ? FPSIMD_UNDEFINED : ext(insn, r);
  }
  const low = (insn >>> 10) & 3;
  if (low === 0) return tableLookup(insn, r);
  if (low === 2) return permute(insn, r);
  return FPSIMD_UNDEFINED;
}
