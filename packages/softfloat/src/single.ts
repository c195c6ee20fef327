/**
 * binary32 arithmetic. Operands are float32 values held in doubles; each operation is done in
 * binary64, exactly (sum with its TwoSum error, product) or with the sign of its error
 * (quotient, square root), and then rounded once to binary32 under the rounding mode.
 */
import { exponentOf, f64LoWord, MAX_F32, MIN_NORMAL_F32, pow2 } from "./bits.js";
import { productError } from "./double.js";
import { DZ, exc, NV, NX } from "./flags.js";
import {
  ABOVE_HALF,
  BELOW_HALF,
  BINARY32,
  EXACT,
  type Format,
  HALF,
  RNE,
  roundPack,
} from "./rounding.js";
import { exactZeroSum } from "./zero.js";

/** Below this every rounding to binary32 or narrower (value, flags) is the same, so the value can be clamped. */
const FAR_BELOW_F32 = 2 ** -200;

/**
 * Rounds x = d + t to binary32 under rm, where d = RN64(x) is finite and nonzero and t is an
 * unknown value of sign(e) (t = 0 when e = 0) smaller than half an ulp of d in binary64.
 * Only the sign of e is used.
 */
export function roundS(d: number, e: number, rm: number): number {
  if (rm === RNE) {
    const s = Math.fround(d);
    const as = Math.abs(s);
    if (as > MIN_NORMAL_F32 && as <= MAX_F32) {
      if (s === d) {
        if (e !== 0) exc.flags |= NX;
        return s;
      }
      // Rounding twice is only wrong when d sits exactly halfway between two floats and t
      // breaks the tie: then the low 29 bits of d's significand are 1000...0.
      if (e === 0 || (f64LoWord(d) & 0x1fffffff) !== 0x10000000) {
        exc.flags |= NX;
        return s;
      }
    }
  }
  return roundToFormat(d, e, rm, BINARY32);
}

/**
 * Rounds x = d + t (d finite and nonzero, t of sign(e) and far below d's last binary64 place)
 * to any format of at most 52 bits of precision, through roundPack.
 */
export function roundToFormat(d: number, e: number, rm: number, fmt: Format): number {
  const neg = d < 0;
  let m = neg ? -d : d;
  let es = neg ? -e : e;
  if (m < FAR_BELOW_F32) {
    m = FAR_BELOW_F32;
    es = 0;
  }
  let k = exponentOf(m) - (fmt.p - 1);
  const u = m * pow2(-k);
  let q = Math.floor(u);
  const frac = u - q;
  let rc: number;
  if (frac === 0) {
    if (es === 0) rc = EXACT;
    else if (es > 0) rc = BELOW_HALF;
    else {
      // Just below an integer: the kept part is one less and the tail is nearly a whole unit.
      rc = ABOVE_HALF;
      q -= 1;
      if (q < pow2(fmt.p - 1)) {
        q = pow2(fmt.p) - 1;
        k -= 1;
      }
    }
  } else if (frac < 0.5) rc = BELOW_HALF;
  else if (frac > 0.5) rc = ABOVE_HALF;
  else rc = es > 0 ? ABOVE_HALF : es < 0 ? BELOW_HALF : HALF;
  return roundPack(neg, q, rc, k, fmt, rm);
}

export function addS(a: number, b: number, rm: number): number {
  const s = a + b;
  if (s - s !== 0) {
    // Binary32 operands cannot overflow binary64: infinite means an infinite operand.
    if (Number.isNaN(s)) exc.flags |= NV;
    return s;
  }
  if (s === 0) return exactZeroSum(a, b, rm);
  const err = Math.abs(a) >= Math.abs(b) ? b - (s - a) : a - (s - b);
  return roundS(s, err, rm);
}

export function mulS(a: number, b: number, rm: number): number {
  // 24 x 24 bits fit in 53, and binary32 exponents cannot leave binary64's range: exact.
  const p = a * b;
  if (Number.isNaN(p)) {
    exc.flags |= NV;
    return p;
  }
  if (p === 0 || p - p !== 0) return p;
  return roundS(p, 0, rm);
}

export function divS(a: number, b: number, rm: number): number {
  const q = a / b;
  if (Number.isNaN(q)) {
    exc.flags |= NV;
    return q;
  }
  if (b === 0) {
    if (a - a === 0) exc.flags |= DZ;
    return q;
  }
  if (q === 0 || q - q !== 0) return q;
  const p = q * b;
  const rem = a - p - productError(q, b, p);
  return roundS(q, rem === 0 ? 0 : rem > 0 === b > 0 ? 1 : -1, rm);
}

export function sqrtS(a: number, rm: number): number {
  if (a > 0 && a !== Number.POSITIVE_INFINITY) {
    const r = Math.sqrt(a);
    const p = r * r;
    return roundS(r, a - p - productError(r, r, p), rm);
  }
  if (a < 0) {
    exc.flags |= NV;
    return Number.NaN;
  }
  return a;
}
