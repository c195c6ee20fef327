/**
 * Conversions between floating point and the integer formats I32, U32, I64, U64. Out-of-range
 * values, infinities and NaN saturate with NV alone (never NX); where NaN and out-of-range
 * values land is the architecture's choice (`Saturation`).
 */
import { adjustD } from "./double.js";
import { exc, NV, NX } from "./flags.js";
import { RDN, RNE, RTZ, RUP } from "./rounding.js";
import { roundS } from "./single.js";

export const I32 = 0;
export const U32 = 1;
export const I64 = 2;
export const U64 = 3;

/** RISC-V: out-of-range values clamp to the nearest bound, NaN gives the largest integer. */
export const SATURATE_NAN_MAX = 0;
/** ARM: out-of-range values clamp to the nearest bound, NaN gives 0. */
export const SATURATE_NAN_ZERO = 1;
/** x86: every invalid conversion gives the "integer indefinite" (the smallest signed integer). */
export const SATURATE_INDEFINITE = 2;

const TWO32 = 2 ** 32;
const TWO52 = 2 ** 52;
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

/** x (finite) rounded to an integral value under rm (exact; raises nothing). */
export function roundToIntegral(x: number, rm: number): number {
  if (!(Math.abs(x) < TWO52)) return x;
  const f = Math.floor(x);
  const frac = x - f;
  if (frac === 0) return x;
  let r: number;
  switch (rm) {
    case RDN:
      r = f;
      break;
    case RUP:
      r = f + 1;
      break;
    case RTZ:
      r = x < 0 ? f + 1 : f;
      break;
    case RNE:
      if (frac !== 0.5) r = frac < 0.5 ? f : f + 1;
      else r = f % 2 === 0 ? f : f + 1;
      break;
    default:
      if (frac !== 0.5) r = frac < 0.5 ? f : f + 1;
      else r = x < 0 ? f : f + 1;
  }
  // An integral result keeps the operand's sign: -0.3 rounds to -0.
  return r === 0 && x < 0 ? -0 : r;
}

/** Per kind (I32, U32, I64, U64): the smallest integer and the first integer too large. */
const MIN = [-2147483648, 0, -TWO63, 0];
const LIMIT = [2147483648, TWO32, TWO63, TWO64];
const MIN_LO = [-2147483648, 0, 0, 0];
const MIN_HI = [-1, 0, -2147483648, 0];
const MAX_LO = [0x7fffffff, -1, -1, -1];
const MAX_HI = [0, 0, 0x7fffffff, -1];

/**
 * The integer result of floatToInt as (lo, hi) words: 32-bit kinds are sign-extended (I32)
 * or zero-extended (U32) to 64 bits; the architecture narrows or re-extends as it needs.
 */
export const intOut = { lo: 0, hi: 0 };

/**
 * Converts v (any double; binary32 and binary16 values are exact doubles) to integer type
 * `kind` under rm into `intOut`, raising NX when inexact and NV (alone) when invalid.
 */
export function floatToInt(v: number, rm: number, kind: number, saturation: number): void {
  const nan = Number.isNaN(v);
  const n = nan ? 0 : roundToIntegral(v, rm);
  if (nan || n < MIN[kind]! || n >= LIMIT[kind]!) {
    exc.flags |= NV;
    if (saturation === SATURATE_INDEFINITE) {
      // Signed kinds: the smallest integer; unsigned kinds (AVX-512): all ones.
      intOut.lo = kind === I32 ? -2147483648 : kind === I64 ? 0 : -1;
      intOut.hi = kind === I32 ? -1 : kind === I64 ? -2147483648 : kind === U32 ? 0 : -1;
    } else if (nan && saturation === SATURATE_NAN_ZERO) {
      intOut.lo = 0;
      intOut.hi = 0;
    } else if (nan || n > 0) {
      intOut.lo = MAX_LO[kind]!;
      intOut.hi = MAX_HI[kind]!;
    } else {
      intOut.lo = MIN_LO[kind]!;
      intOut.hi = MIN_HI[kind]!;
    }
    return;
  }
  if (n !== v) exc.flags |= NX;
  if (kind <= U32) {
    intOut.lo = n | 0;
    intOut.hi = kind === I32 ? intOut.lo >> 31 : 0;
  } else {
    const h = Math.floor(n / TWO32);
    intOut.lo = (n - h * TWO32) | 0;
    intOut.hi = h | 0;
  }
}

/**
 * The integer of type `kind` in (lo, hi) as RN64 value plus the exact error of that rounding
 * (only 64-bit integers beyond 2^53 have one), in `err.v`: an object field, because V8 boxes a
 * double written to a module-level variable on every write.
 */
const err = { v: 0 };
function intValue(lo: number, hi: number, kind: number): number {
  err.v = 0;
  if (kind === I32) return lo | 0;
  if (kind === U32) return lo >>> 0;
  const h = (kind === I64 ? hi | 0 : hi >>> 0) * TWO32;
  const l = lo >>> 0;
  if (h === 0) return l;
  const s = h + l;
  err.v = l - (s - h); // Fast2Sum: |h| >= 2^32 > l
  return s;
}

/** The integer (lo, hi) of type `kind` rounded to binary64 under rm. */
export function intToD(lo: number, hi: number, kind: number, rm: number): number {
  const v = intValue(lo, hi, kind);
  if (err.v === 0) return v;
  if (rm === RNE) {
    exc.flags |= NX;
    return v;
  }
  return adjustD(v, err.v, rm);
}

/** The integer (lo, hi) of type `kind` rounded to binary32 under rm. */
export function intToS(lo: number, hi: number, kind: number, rm: number): number {
  const v = intValue(lo, hi, kind);
  if (v === 0) return 0;
  return roundS(v, err.v, rm);
}
