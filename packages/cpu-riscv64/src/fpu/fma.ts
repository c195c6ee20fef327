/**
 * Fused multiply-add: (+/-)(a * b) (+/-) c with a single rounding. The binary32 form is exact
 * in binary64 up to the final addition, whose TwoSum error feeds the binary32 rounding; the
 * binary64 form uses exact BigInt arithmetic (./exact.ts). NaN operands are the caller's
 * business (including the RISC-V rule that inf * 0 + qNaN raises NV).
 */
import { mulD } from "./double.js";
import { fmaBig } from "./exact.js";
import { exc, NV } from "./flags.js";
import { roundS } from "./single.js";
import { exactZeroSum } from "./zero.js";

/** An FMA with an infinite multiplicand or addend; NaN (with NV) when invalid. */
function infiniteFma(a: number, b: number, c: number): number {
  // A finite product is exact-finite even if a * b would overflow in JS: the addend decides.
  if (a - a === 0 && b - b === 0) return c;
  const s = a * b + c;
  if (Number.isNaN(s)) exc.flags |= NV;
  return s;
}

export function fmaS(a: number, b: number, c: number, rm: number): number {
  const p = a * b;
  if (p - p !== 0 || c - c !== 0) return infiniteFma(a, b, c);
  const s = p + c;
  if (s === 0) return exactZeroSum(p, c, rm);
  const err = Math.abs(p) >= Math.abs(c) ? c - (s - p) : p - (s - c);
  return roundS(s, err, rm);
}

export function fmaD(a: number, b: number, c: number, rm: number): number {
  if (a - a !== 0 || b - b !== 0 || c - c !== 0) return infiniteFma(a, b, c);
  if (a === 0 || b === 0) {
    // The product is an exact (signed) zero.
    return c === 0 ? exactZeroSum(a * b, c, rm) : c;
  }
  if (c === 0) return mulD(a, b, rm);
  return fmaBig(a, b, c, rm);
}
