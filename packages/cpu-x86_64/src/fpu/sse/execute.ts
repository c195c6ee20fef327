/**
 * The entry for MMX/SSE encodings (maps 0F, 0F 38, 0F 3A) the core has decoded: MXCSR loads and
 * stores here, the integer/move/logic half in integer.ts, floating point in float.ts, and
 * everything else is #UD.
 */
import {
  FPU_FAULT,
  FPU_GP,
  FPU_OK,
  FPU_UD,
  type FpuResult,
  type GprPort,
  type MemPort,
  type SseInsn,
} from "../contract.js";
import { MXCSR_MASK } from "../fxsave.js";
import type { FpuState } from "../state.js";
import { executeFloat } from "./float.js";
import { executeInteger, NOT_MINE } from "./integer.js";
import { readMem, T, u32, writeMem } from "./vector.js";

export function executeSse(x: SseInsn, s: FpuState, gpr: GprPort, mem: MemPort): FpuResult {
  if (x.map === 1 && x.opcode === 0xae) return group15(x, s, mem);
  let r = executeInteger(x, s, gpr, mem);
  if (r === NOT_MINE) r = executeFloat(x, s, gpr, mem);
  return r === NOT_MINE ? FPU_UD : (r as FpuResult);
}

/** 0F AE /2 LDMXCSR, /3 STMXCSR (FXSAVE/FXRSTOR and the fences are the core's to route). */
function group15(x: SseInsn, s: FpuState, mem: MemPort): FpuResult {
  const sub = x.reg & 7;
  if (x.rm >= 0 || x.prefix !== 0 || (sub !== 2 && sub !== 3)) return FPU_UD;
  if (sub === 2) {
    if (!readMem(mem, x.eaLo, x.eaHi, 4, T)) return FPU_FAULT;
    const v = u32[T >> 2]!;
    if (v & ~MXCSR_MASK) return FPU_GP;
    s.mxcsr = v;
    return FPU_OK;
  }
  u32[T >> 2] = s.mxcsr;
  return writeMem(mem, x.eaLo, x.eaHi, 4, T) ? FPU_OK : FPU_FAULT;
}
