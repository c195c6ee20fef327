/**
 * FCVT to integer as RV64 delivers it: softfloat's conversion with RISC-V saturation (NaN
 * gives the largest integer) into x register rd, W and WU results sign-extended to 64 bits
 * (FCVT.WU.D of 3e9 gives 0xFFFFFFFFB2D05E00). The rs2 codes W, WU, L, LU are softfloat's
 * I32, U32, I64, U64.
 */
import { floatToInt, intOut, SATURATE_NAN_MAX, U32 } from "@axvisor/softfloat";

export function floatToX(xr: Int32Array, rd: number, v: number, rm: number, kind: number): void {
  floatToInt(v, rm, kind, SATURATE_NAN_MAX);
  if (rd === 0) return;
  xr[2 * rd] = intOut.lo;
  xr[2 * rd + 1] = kind <= U32 ? intOut.lo >> 31 : intOut.hi;
}
