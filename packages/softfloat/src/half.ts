/**
 * binary16 (IEEE half precision) and ARM's alternative half precision (AHP: no infinities or
 * NaNs, exponent 31 is an ordinary exponent, largest value 131008). Values travel as exact
 * doubles; NaN operands are the caller's business (./nan.ts converts their payloads).
 */
import { exponentOf, pow2 } from "./bits.js";
import { exc, NV, OF } from "./flags.js";
import { BINARY16, type Format } from "./rounding.js";
import { roundToFormat } from "./single.js";

const AHP: Format = { p: 11, emin: -14, emax: 16, max: 131008 };

/** The value of binary16 bits h (NaN for an IEEE NaN; AHP has none). */
export function halfToNumber(h: number, ahp: boolean): number {
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  let v: number;
  if (exp === 0) v = frac * pow2(-24);
  else if (exp === 31 && !ahp) v = frac === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  else v = (frac + 1024) * pow2(exp - 25);
  return h & 0x8000 ? -v : v;
}

/** The bits of v, a value exactly representable in the (IEEE or AHP) half format. */
export function halfBits(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const m = Math.abs(v);
  if (m === 0) return sign;
  if (m === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (m < pow2(-14)) return sign | (m * pow2(24));
  const e = exponentOf(m);
  return sign | ((e + 15) << 10) | (m * pow2(10 - e) - 1024);
}

/**
 * v (a finite or infinite double, not NaN) rounded to half precision under rm, as bits.
 * Raises NX/UF/OF (IEEE) or, for AHP, NV alone when v is infinite or too large (the result is
 * then the largest magnitude).
 */
export function numberToHalf(v: number, rm: number, ahp: boolean): number {
  if (v === 0 || v - v !== 0) {
    if (ahp && v !== 0) {
      exc.flags |= NV;
      return v < 0 ? 0xffff : 0x7fff;
    }
    return halfBits(v);
  }
  if (!ahp) return halfBits(roundToFormat(v, 0, rm, BINARY16));
  const saved = exc.flags;
  exc.flags = 0;
  const r = roundToFormat(v, 0, rm, AHP);
  if (exc.flags & OF) {
    exc.flags = saved | NV;
    return v < 0 ? 0xffff : 0x7fff;
  }
  exc.flags |= saved;
  return halfBits(r);
}
