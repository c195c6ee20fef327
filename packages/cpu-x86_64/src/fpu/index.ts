/**
 * The x87/MMX/SSE unit of the x86-64 CPU (see README.md): the state block, the two execution
 * entries the core calls after decoding, FXSAVE/FXRSTOR and reset.
 */
import { FPU_OK, type FpuResult } from "./contract.js";
import { type FpuState, OFF_MXCSR } from "./state.js";
import { fninit } from "./x87/execute.js";

export * from "./contract.js";
export { fxrstor, fxsave, MXCSR_MASK } from "./fxsave.js";
export { executeSse } from "./sse/execute.js";
export { sseHasImm8 } from "./sse/integer.js";
export { crc32c } from "./sse/strings.js";
export { FPU_STATE_BYTES, FpuState } from "./state.js";
export {
  ENV_PROTECTED_16,
  ENV_PROTECTED_32,
  ENV_REAL_16,
  ENV_REAL_32,
  executeX87,
  fwait,
  isX87Control,
  x87ExceptionPending,
} from "./x87/execute.js";
export { XSAVE_AREA_BYTES, xrstor, xsave } from "./xsave.js";

/** The power-up/INIT state of the unit: FNINIT and MXCSR = 0x1F80 (registers are kept). */
export function resetFpu(s: FpuState): FpuResult {
  fninit(s);
  s.u32[OFF_MXCSR >> 2] = 0x1f80;
  return FPU_OK;
}
