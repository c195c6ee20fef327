/**
 * binary64 arithmetic under the five IEEE rounding directions. JavaScript gives the RNE result;
 * an error-free transformation gives the exact error (or, for division and square root, its
 * sign), which tells whether the result is inexact and which way a directed mode must step.
 * Operands outside the ranges where those transformations are exact go to ./exact.ts.
 * NaN operands are the caller's business; invalid operations return NaN with NV raised.
 */
import { nextDownD, nextUpD } from "./bits.js";
import { addBig, divBig, mulBig } from "./exact.js";
import { DZ, exc, NV, NX, OF } from "./flags.js";
import { RDN, RNE, RTZ, RUP } from "./rounding.js";
import { exactZeroSum } from "./zero.js";

/** Veltkamp's splitting constant 2^27 + 1. */
const SPLITTER = 134217729;
/** Operand and result magnitudes inside [SAFE_LO, SAFE_HI] keep Dekker's product exact. */
const SAFE_LO = 2 ** -960;
const SAFE_HI = 2 ** 995;
/** Scales that bring a square-root operand into the safe range (even powers keep sqrt exact). */
const SQRT_UP = 2 ** 1000;
const SQRT_UP_BACK = 2 ** -500;
const SQRT_DOWN = 2 ** -1000;
const SQRT_DOWN_BACK = 2 ** 500;
/** Turns a sign of the error into an error value no rounding step can mistake for a tie. */
const SIGN_ONLY = 2 ** -80;

/** Exact a * b - p for p = RN(a * b), both operands and p within the safe range (Dekker). */
export function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * Turns h = RN(x) into x rounded under rm, knowing x - h = l (l exact, or carrying only the
 * sign of x - h when x cannot be a midpoint). h is normal and far from the underflow range.
 */
export function adjustD(h: number, l: number, rm: number): number {
  if (l === 0) return h;
  exc.flags |= NX;
  switch (rm) {
    case RNE:
      return h;
    case RTZ:
      if (l < 0 === h > 0) return h > 0 ? nextDownD(h) : nextUpD(h);
      return h;
    case RDN:
      if (l < 0) {
        const v = nextDownD(h);
        if (v === Number.NEGATIVE_INFINITY) exc.flags |= OF;
        return v;
      }
      return h;
    case RUP:
      if (l > 0) {
        const v = nextUpD(h);
        if (v === Number.POSITIVE_INFINITY) exc.flags |= OF;
        return v;
      }
      return h;
    default: {
      // RMM differs from RNE only on a tie that RNE resolved towards zero.
      const n = l > 0 ? nextUpD(h) : nextDownD(h);
      return n - h === 2 * l && Math.abs(n) > Math.abs(h) ? n : h;
    }
  }
}

export function addD(a: number, b: number, rm: number): number {
  const s = a + b;
  if (s - s !== 0) {
    if (Number.isNaN(s)) {
      exc.flags |= NV;
      return s;
    }
    if (a - a !== 0 || b - b !== 0) return s;
    return addBig(a, b, rm);
  }
  if (s === 0) return exactZeroSum(a, b, rm);
  // Fast2Sum: exact once the operand of larger magnitude comes first.
  const err = Math.abs(a) >= Math.abs(b) ? b - (s - a) : a - (s - b);
  if (err === 0) return s;
  if (rm === RNE) {
    exc.flags |= NX;
    return s;
  }
  return adjustD(s, err, rm);
}

export function mulD(a: number, b: number, rm: number): number {
  const p = a * b;
  const ap = Math.abs(p);
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  if (
    ap >= SAFE_LO &&
    ap <= SAFE_HI &&
    aa >= SAFE_LO &&
    aa <= SAFE_HI &&
    ab >= SAFE_LO &&
    ab <= SAFE_HI
  ) {
    const err = productError(a, b, p);
    if (err === 0) return p;
    if (rm === RNE) {
      exc.flags |= NX;
      return p;
    }
    return adjustD(p, err, rm);
  }
  if (Number.isNaN(p)) {
    exc.flags |= NV;
    return p;
  }
  if (a === 0 || b === 0 || aa === Number.POSITIVE_INFINITY || ab === Number.POSITIVE_INFINITY) {
    return p;
  }
  return mulBig(a, b, rm);
}

export function divD(a: number, b: number, rm: number): number {
  const q = a / b;
  const aq = Math.abs(q);
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  if (
    aq >= SAFE_LO &&
    aq <= SAFE_HI &&
    aa >= SAFE_LO &&
    aa <= SAFE_HI &&
    ab >= SAFE_LO &&
    ab <= SAFE_HI
  ) {
    // The remainder a - q*b of a correctly rounded quotient is exact; its sign (with b's)
    // is the sign of the rounding error. A quotient of p-bit numbers is never a midpoint.
    const p = q * b;
    const rem = a - p - productError(q, b, p);
    if (rem === 0) return q;
    if (rm === RNE) {
      exc.flags |= NX;
      return q;
    }
    return adjustD(q, rem > 0 === b > 0 ? aq * SIGN_ONLY : -aq * SIGN_ONLY, rm);
  }
  if (Number.isNaN(q)) {
    exc.flags |= NV;
    return q;
  }
  if (b === 0) {
    if (aa !== Number.POSITIVE_INFINITY) exc.flags |= DZ;
    return q;
  }
  if (a === 0 || aa === Number.POSITIVE_INFINITY || ab === Number.POSITIVE_INFINITY) return q;
  return divBig(a, b, rm);
}

export function sqrtD(a: number, rm: number): number {
  if (a > 0 && a !== Number.POSITIVE_INFINITY) {
    let x = a;
    let back = 1;
    if (a < SAFE_LO) {
      x = a * SQRT_UP;
      back = SQRT_UP_BACK;
    } else if (a > SAFE_HI) {
      x = a * SQRT_DOWN;
      back = SQRT_DOWN_BACK;
    }
    // The square root of a binary64 number is never tiny, never overflows, never a midpoint.
    const r = Math.sqrt(x);
    const p = r * r;
    const rem = x - p - productError(r, r, p);
    if (rem === 0) return r * back;
    exc.flags |= NX;
    if (rm === RNE) return r * back;
    return adjustD(r, rem > 0 ? r * SIGN_ONLY : -r * SIGN_ONLY, rm) * back;
  }
  if (a < 0) {
    exc.flags |= NV;
    return Number.NaN;
  }
  return a;
}
