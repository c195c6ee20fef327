/**
 * The A64 FP/AdvSIMD unit: "Data Processing -- Scalar Floating-Point and Advanced SIMD" and the
 * SIMD&FP loads and stores, bit-exact with QEMU 7.2's cortex-a57 (see README.md). The core
 * decodes the top-level groups, checks CPACR_EL1.FPEN / CPTR_EL2 and calls in here.
 */
import {
  FPSIMD_OK,
  FPSIMD_UNDEFINED,
  type FpSimdResult,
  type GprPort,
  type SimdMemPort,
} from "./contract.js";
import { executeSimdLoadStore } from "./loadstore.js";
import type { FpSimdRegs } from "./regs.js";
import { executeScalarFp } from "./scalar-fp.js";
import { executeAdvSimd } from "./simd.js";
import { enterFp, leaveFp } from "./state.js";

export * from "./contract.js";
export * from "./regs.js";

/** Bits 27:25 = 111: the scalar FP and Advanced SIMD data-processing group. */
export function isFpSimdDataProcessing(insn: number): boolean {
  return (insn & 0x0e000000) === 0x0e000000;
}

/** Bits 27:25 = 110 (loads and stores with V = 1): the SIMD&FP loads and stores. */
export function isFpSimdLoadStore(insn: number): boolean {
  return (insn & 0x0e000000) === 0x0c000000;
}

/** Executes one instruction of the data-processing group; UNDEFINED leaves every register as it was. */
export function executeFpSimd(insn: number, regs: FpSimdRegs, gpr: GprPort): FpSimdResult {
  if (!isFpSimdDataProcessing(insn)) return FPSIMD_UNDEFINED;
  enterFp(regs.fpcr);
  let result: FpSimdResult;
  // Scalar FP: bit 30 = 0 and bits 28:24 = 1111x.
  if ((insn & 0x5e000000) === 0x1e000000) result = executeScalarFp(insn, regs, gpr);
  else result = executeAdvSimd(insn, regs, gpr);
  leaveFp(regs);
  return result;
}

/** Executes one SIMD&FP load or store. */
export function executeFpSimdLoadStore(
  insn: number,
  regs: FpSimdRegs,
  gpr: GprPort,
  mem: SimdMemPort,
): FpSimdResult {
  if (!isFpSimdLoadStore(insn)) return FPSIMD_UNDEFINED;
  return executeSimdLoadStore(insn, regs, gpr, mem);
}

export { FPSIMD_OK };
