import { FPSIMD_UNDEFINED, type FpSimdResult, type GprPort, type SimdMemPort } from "./contract.js";
import type { FpSimdRegs } from "./regs.js";

export function executeSimdLoadStore(
  _insn: number,
  _r: FpSimdRegs,
  _gpr: GprPort,
  _mem: SimdMemPort,
): FpSimdResult {
  return FPSIMD_UNDEFINED;
}
