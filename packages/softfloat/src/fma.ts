/**
 * Fused multiply-add: (+/-)(a * b) (+/-) c with a single rounding. The binary32 form is exact
 * in binary64 up to the final addition, whose TwoSum error feeds the binary32 rounding. The
 * binary64 form splits the exact value into three doubles with error-free transformations
 * when every intermediate stays in range, and otherwise uses exact BigInt arithmetic
 * (./exact.ts). NaN operands are the caller's business (including whether
 * inf * 0 + qNaN raises NV: RISC-V and ARM say it does).
 */
import { nextDownD, nextUpD } from "./bits.js";
import { adjustD, mulD, productError } from "./double.js";
import { fmaBig } from "./exact.js";
import { exc, NV, NX } from "./flags.js";
import { RNE } from "./rounding.js";
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
  const r = fmaFastD(a, b, c, rm);
  return Number.isNaN(r) ? fmaBig(a, b, c, rm) : r;
}

/** Magnitudes for which Dekker's product and the TwoSums below are exact and the result is normal. */
const SAFE_LO = 2 ** -960;
const SAFE_HI = 2 ** 995;
/** See double.ts: an error value carrying only a sign. */
const SIGN_ONLY = 2 ** -80;

/**
 * a * b + c for finite nonzero operands, or NaN when some magnitude leaves the safe range.
 * a*b = P + p exactly (Dekker); P + c = s + e (TwoSum); e + p = t + u (TwoSum); s + t = h + v
 * (TwoSum); so the exact result is h + v + u, with h = RN(s + t) and u far below the last
 * place of h. h is the correctly rounded result unless s + t is a midpoint and u breaks the
 * tie (e = 0 unless |s| >= |P|/2, which is what keeps u that small).
 */
function fmaFastD(a: number, b: number, c: number, rm: number): number {
  const P = a * b;
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const aP = Math.abs(P);
  if (
    !(aa >= SAFE_LO && aa <= SAFE_HI && ab >= SAFE_LO && ab <= SAFE_HI) ||
    !(aP >= SAFE_LO && aP <= SAFE_HI && Math.abs(c) <= SAFE_HI)
  ) {
    return Number.NaN;
  }
  const p = productError(a, b, P);
  const s = P + c;
  let z = s - P;
  const e = P - (s - z) + (c - z);
  const t = e + p;
  z = t - e;
  const u = e - (t - z) + (p - z);
  const h = s + t;
  z = h - s;
  const v = s - (h - z) + (t - z);
  const mag = Math.abs(h);
  if (!(mag >= SAFE_LO && mag <= SAFE_HI)) return Number.NaN;
  let result = h;
  let err: number;
  if (v === 0) {
    if (u === 0) return h;
    err = u > 0 ? mag * SIGN_ONLY : -mag * SIGN_ONLY;
  } else {
    const n = v > 0 ? nextUpD(h) : nextDownD(h);
    if (n - h !== 2 * v) err = v > 0 ? mag * SIGN_ONLY : -mag * SIGN_ONLY;
    else if (u === 0)
      err = v; // an exact tie: adjustD sees it
    else if (u > 0 === v > 0) {
      // Beyond the midpoint: the nearest value is n, and the exact value lies back towards h.
      result = n;
      err = v > 0 ? -mag * SIGN_ONLY : mag * SIGN_ONLY;
    } else err = v > 0 ? mag * SIGN_ONLY : -mag * SIGN_ONLY;
  }
  if (rm === RNE) {
    exc.flags |= NX;
    return result;
  }
  return adjustD(result, err, rm);
}
