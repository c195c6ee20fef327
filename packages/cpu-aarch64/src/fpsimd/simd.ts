import { FPSIMD_UNDEFINED, type FpSimdResult, type GprPort } from "./contract.js";
import type { FpSimdRegs } from "./regs.js";

export function executeAdvSimd(_insn: number, _r: FpSimdRegs, _gpr: GprPort): FpSimdResult {
  return FPSIMD_UNDEFINED;
}
