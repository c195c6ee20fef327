/**
 * Comparisons, FMIN/FMAX. The caller passes whether each operand is a signalling NaN (only
 * looked at when the operand is NaN), because that lives in the bits, not in the JS value.
 */
import { exc, NV } from "./flags.js";

export const FLE = 0;
export const FLT = 1;
export const FEQ = 2;

/** FEQ is a quiet comparison (NV only for sNaN); FLT and FLE signal NV on any NaN. */
export function compare(a: number, b: number, aSnan: boolean, bSnan: boolean, op: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    if (op !== FEQ || (Number.isNaN(a) && aSnan) || (Number.isNaN(b) && bSnan)) exc.flags |= NV;
    return 0;
  }
  if (op === FEQ) return a === b ? 1 : 0;
  if (op === FLT) return a < b ? 1 : 0;
  return a <= b ? 1 : 0;
}

export const PICK_A = 0;
export const PICK_B = 1;
export const PICK_NAN = 2;

/**
 * IEEE 754-2019 minimumNumber/maximumNumber (RISC-V FMIN/FMAX, ARM FMINNM/FMAXNM): a NaN operand
 * yields the other operand, two NaNs the canonical NaN, -0 orders below +0, any sNaN raises NV.
 */
export function minMax(a: number, b: number, aSnan: boolean, bSnan: boolean, max: boolean): number {
  const aNan = Number.isNaN(a);
  const bNan = Number.isNaN(b);
  if (aNan || bNan) {
    if ((aNan && aSnan) || (bNan && bSnan)) exc.flags |= NV;
    if (aNan && bNan) return PICK_NAN;
    return aNan ? PICK_B : PICK_A;
  }
  if (a === b) {
    // Equal values differ at most in the sign of zero.
    const aNeg = Object.is(a, -0);
    return aNeg === max ? PICK_B : PICK_A;
  }
  return a < b !== max ? PICK_A : PICK_B;
}
