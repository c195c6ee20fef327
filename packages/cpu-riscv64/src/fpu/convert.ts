/**
 * FCVT between floating point and the integer formats W, WU, L, LU (the rs2 codes 0..3).
 * Float to integer saturates as RISC-V specifies: NaN and too-large values give the largest
 * integer, too-small values the smallest, raising NV (and not NX).
 */
import { adjustD } from "./double.js";
import { exc, NV, NX } from "./flags.js";
import { RDN, RNE, RTZ, RUP } from "./rounding.js";
import { roundS } from "./single.js";

export const W = 0;
export const WU = 1;
export const L = 2;
export const LU = 3;

const TWO32 = 2 ** 32;
const TWO52 = 2 ** 52;
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

/** x (finite) rounded to an integral value under rm. */
export function roundToIntegral(x: number, rm: number): number {
  if (!(Math.abs(x) < TWO52)) return x;
  const f = Math.floor(x);
  const frac = x - f;
  if (frac === 0) return x;
  switch (rm) {
    case RDN:
      return f;
    case RUP:
      return f + 1;
    case RTZ:
      return x < 0 ? f + 1 : f;
    case RNE:
      if (frac !== 0.5) return frac < 0.5 ? f : f + 1;
      return f % 2 === 0 ? f : f + 1;
    default:
      if (frac !== 0.5) return frac < 0.5 ? f : f + 1;
      return x < 0 ? f : f + 1;
  }
}

/** Per kind (W, WU, L, LU): the smallest integer and the first integer too large. */
const MIN = [-2147483648, 0, -TWO63, 0];
const LIMIT = [2147483648, TWO32, TWO63, TWO64];
/** Saturated results as (lo, hi) words, W and WU already sign-extended to 64 bits. */
const MIN_LO = [-2147483648, 0, 0, 0];
const MIN_HI = [-1, 0, -2147483648, 0];
const MAX_LO = [0x7fffffff, -1, -1, -1];
const MAX_HI = [0, -1, 0x7fffffff, -1];

/**
 * Converts v (any double, a binary32 value for the .S forms) to integer type `kind` and writes
 * it, sign-extended to 64 bits as RV64 requires for W and WU, into x register rd.
 */
export function floatToInt(xr: Int32Array, rd: number, v: number, rm: number, kind: number): void {
  // NaN saturates like +infinity.
  const n = Number.isNaN(v) ? Number.POSITIVE_INFINITY : roundToIntegral(v, rm);
  let lo: number;
  let hi: number;
  if (n < MIN[kind]!) {
    exc.flags |= NV;
    lo = MIN_LO[kind]!;
    hi = MIN_HI[kind]!;
  } else if (n >= LIMIT[kind]!) {
    exc.flags |= NV;
    lo = MAX_LO[kind]!;
    hi = MAX_HI[kind]!;
  } else {
    if (n !== v) exc.flags |= NX;
    if (kind <= WU) {
      lo = n | 0;
      hi = lo >> 31;
    } else {
      const h = Math.floor(n / TWO32);
      lo = (n - h * TWO32) | 0;
      hi = h | 0;
    }
  }
  if (rd !== 0) {
    xr[2 * rd] = lo;
    xr[2 * rd + 1] = hi;
  }
}

/**
 * The integer of type `kind` in (lo, hi) as RN64 value plus the exact error of that rounding
 * (only 64-bit integers beyond 2^53 have one). Returned through `intErr` to stay allocation-free.
 */
let intErr = 0;
function intValue(lo: number, hi: number, kind: number): number {
  intErr = 0;
  if (kind === W) return lo;
  if (kind === WU) return lo >>> 0;
  const h = (kind === L ? hi : hi >>> 0) * TWO32;
  const l = lo >>> 0;
  if (h === 0) return l;
  const s = h + l;
  intErr = l - (s - h); // Fast2Sum: |h| >= 2^32 > l
  return s;
}

export function intToD(lo: number, hi: number, kind: number, rm: number): number {
  const v = intValue(lo, hi, kind);
  if (intErr === 0) return v;
  if (rm === RNE) {
    exc.flags |= NX;
    return v;
  }
  return adjustD(v, intErr, rm);
}

export function intToS(lo: number, hi: number, kind: number, rm: number): number {
  const v = intValue(lo, hi, kind);
  if (v === 0) return 0;
  return roundS(v, intErr, rm);
}
