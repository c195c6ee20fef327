/**
 * The reciprocal and reciprocal square root estimates (FRECPE, FRSQRTE, URECPE, URSQRTE) and
 * FRECPX, computed as the ARM ARM's RecipEstimate / RecipSqrtEstimate describe them: an 8-bit
 * estimate from the top bits of the significand with the exponent handled separately.
 */
import { DZ, exc, NV, NX, nanOut, OF, pickNanD, pickNanS, RDN, RNE, RUP } from "@axvisor/softfloat";
import { dOut, fp, inS } from "./fp.js";

/** RecipEstimate: a in [256, 512) to an estimate in [256, 512). */
export function recipEstimate(a: number): number {
  const b = Math.floor(2 ** 19 / (a * 2 + 1));
  return (b + 1) >>> 1;
}

/** RecipSqrtEstimate: a in [128, 512) to an estimate in [256, 512). */
export function recipSqrtEstimate(a0: number): number {
  let a = a0;
  if (a < 256) a = a * 2 + 1;
  else {
    a = (a >>> 1) << 1;
    a = (a + 1) * 2;
  }
  let b = 512;
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++;
  return (b + 1) >>> 1;
}

const SIGN = -0x80000000;

/** Overflowing reciprocal of a tiny operand: infinity or the largest finite by rounding mode. */
function overflowToInf(neg: boolean): boolean {
  const rm = fp.rm;
  return rm === RNE || (rm === RUP && !neg) || (rm === RDN && neg);
}

export function frecpeS(a0: number): number {
  const a = inS(a0);
  const n = pickNanS(a, 0, 0);
  if (n !== 0) return n;
  const sign = a & SIGN;
  const exp = (a >>> 23) & 0xff;
  let frac = a & 0x7fffff;
  if (exp === 0xff) return sign;
  if (exp === 0 && frac === 0) {
    exc.flags |= DZ;
    return sign | 0x7f800000;
  }
  // |a| < 2^-128: the reciprocal overflows.
  if (exp === 0 && (frac & 0x600000) === 0) {
    exc.flags |= OF | NX;
    return sign | (overflowToInf(sign !== 0) ? 0x7f800000 : 0x7f7fffff);
  }
  if (fp.fz && exp >= 253) {
    exc.flags |= 32; // FLUSHED: reported as UFC
    return sign;
  }
  let e = exp;
  if (e === 0) {
    if ((frac & 0x400000) === 0) {
      e = -1;
      frac = (frac << 2) & 0x7fffff;
    } else frac = (frac << 1) & 0x7fffff;
  }
  const scaled = 256 | (frac >>> 15);
  let resultExp = 253 - e;
  let f = (recipEstimate(scaled) & 0xff) << 15;
  if (resultExp === 0) f = 0x400000 | (f >>> 1);
  else if (resultExp === -1) {
    f = 0x200000 | (f >>> 2);
    resultExp = 0;
  }
  return sign | (resultExp << 23) | f;
}

export function frecpeD(alo: number, ahi0: number): void {
  let ahi = ahi0;
  let alo2 = alo;
  if (fp.fz && (ahi & 0x7ff00000) === 0 && ((ahi & 0xfffff) !== 0 || alo !== 0)) {
    exc.flags |= 64;
    ahi &= SIGN;
    alo2 = 0;
  }
  if (pickNanD(alo2, ahi, 0, 0, 0, 0)) {
    dOut.lo = nanOut.lo;
    dOut.hi = nanOut.hi;
    return;
  }
  const sign = ahi & SIGN;
  const exp = (ahi >>> 20) & 0x7ff;
  // The top 12 bits of the fraction are all the estimate looks at (after normalizing).
  let fhi = ahi & 0xfffff;
  const fzero = fhi === 0 && alo2 === 0;
  dOut.lo = 0;
  if (exp === 0x7ff) {
    dOut.hi = sign;
    return;
  }
  if (exp === 0 && fzero) {
    exc.flags |= DZ;
    dOut.hi = sign | 0x7ff00000;
    return;
  }
  if (exp === 0 && (fhi & 0xc0000) === 0) {
    // |a| < 2^-1024
    exc.flags |= OF | NX;
    if (overflowToInf(sign !== 0)) dOut.hi = sign | 0x7ff00000;
    else {
      dOut.hi = sign | 0x7fefffff;
      dOut.lo = -1;
    }
    return;
  }
  if (fp.fz && exp >= 2045) {
    exc.flags |= 32;
    dOut.hi = sign;
    return;
  }
  let e = exp;
  if (e === 0) {
    if ((fhi & 0x80000) === 0) {
      e = -1;
      fhi = ((fhi << 2) | (alo2 >>> 30)) & 0xfffff;
    } else fhi = ((fhi << 1) | (alo2 >>> 31)) & 0xfffff;
  }
  const scaled = 256 | (fhi >>> 12);
  let resultExp = 2045 - e;
  let f = (recipEstimate(scaled) & 0xff) << 12;
  if (resultExp === 0) f = 0x80000 | (f >>> 1);
  else if (resultExp === -1) {
    f = 0x40000 | (f >>> 2);
    resultExp = 0;
  }
  dOut.hi = sign | (resultExp << 20) | f;
}

export function frsqrteS(a0: number): number {
  const a = inS(a0);
  const n = pickNanS(a, 0, 0);
  if (n !== 0) return n;
  const sign = a & SIGN;
  let exp = (a >>> 23) & 0xff;
  let frac = a & 0x7fffff;
  if (exp === 0 && frac === 0) {
    exc.flags |= DZ;
    return sign | 0x7f800000;
  }
  if (sign !== 0) {
    exc.flags |= NV;
    return 0x7fc00000;
  }
  if (exp === 0xff) return 0;
  if (exp === 0) {
    while ((frac & 0x400000) === 0) {
      frac <<= 1;
      exp -= 1;
    }
    frac = (frac << 1) & 0x7fffff;
  }
  // Odd exponents index with '01':fraction<51:45>, even ones with '1':fraction<51:44>.
  const idx = (exp & 1) !== 0 ? 128 + (frac >>> 16) : 256 + (frac >>> 15);
  const resultExp = Math.floor((380 - exp) / 2);
  const est = recipSqrtEstimate(idx);
  return (resultExp << 23) | ((est & 0xff) << 15);
}

export function frsqrteD(alo: number, ahi0: number): void {
  let ahi = ahi0;
  let lo = alo;
  if (fp.fz && (ahi & 0x7ff00000) === 0 && ((ahi & 0xfffff) !== 0 || alo !== 0)) {
    exc.flags |= 64;
    ahi &= SIGN;
    lo = 0;
  }
  if (pickNanD(lo, ahi, 0, 0, 0, 0)) {
    dOut.lo = nanOut.lo;
    dOut.hi = nanOut.hi;
    return;
  }
  const sign = ahi & SIGN;
  let exp = (ahi >>> 20) & 0x7ff;
  let fhi = ahi & 0xfffff;
  dOut.lo = 0;
  if (exp === 0 && fhi === 0 && lo === 0) {
    exc.flags |= DZ;
    dOut.hi = sign | 0x7ff00000;
    return;
  }
  if (sign !== 0) {
    exc.flags |= NV;
    dOut.hi = 0x7ff80000;
    return;
  }
  if (exp === 0x7ff) {
    dOut.hi = 0;
    return;
  }
  if (exp === 0) {
    while ((fhi & 0x80000) === 0) {
      fhi = ((fhi << 1) | (lo >>> 31)) & 0xfffff;
      lo <<= 1;
      exp -= 1;
    }
    fhi = ((fhi << 1) | (lo >>> 31)) & 0xfffff;
  }
  const idx = (exp & 1) !== 0 ? 128 + (fhi >>> 13) : 256 + (fhi >>> 12);
  const resultExp = Math.floor((3068 - exp) / 2);
  dOut.hi = (resultExp << 20) | ((recipSqrtEstimate(idx) & 0xff) << 12);
}

/** URECPE on a 32-bit lane. */
export function urecpe(a: number): number {
  if (a >= 0) return -1;
  return (recipEstimate((a >>> 23) & 0x1ff) & 0x1ff) << 23;
}

/** URSQRTE on a 32-bit lane. */
export function ursqrte(a: number): number {
  if (a >>> 30 === 0) return -1;
  return (recipSqrtEstimate((a >>> 23) & 0x1ff) & 0x1ff) << 23;
}

/** FRECPX on binary32 bits. */
export function frecpxS(a0: number): number {
  const a = inS(a0);
  const n = pickNanS(a, 0, 0);
  if (n !== 0) return n;
  const exp = (a >>> 23) & 0xff;
  return (a & SIGN) | ((exp === 0 ? 0xfe : ~exp & 0xff) << 23);
}

export function frecpxD(alo: number, ahi0: number): void {
  let ahi = ahi0;
  let lo = alo;
  if (fp.fz && (ahi & 0x7ff00000) === 0 && ((ahi & 0xfffff) !== 0 || alo !== 0)) {
    exc.flags |= 64;
    ahi &= SIGN;
    lo = 0;
  }
  if (pickNanD(lo, ahi, 0, 0, 0, 0)) {
    dOut.lo = nanOut.lo;
    dOut.hi = nanOut.hi;
    return;
  }
  const exp = (ahi >>> 20) & 0x7ff;
  dOut.lo = 0;
  dOut.hi = (ahi & SIGN) | ((exp === 0 ? 0x7fe : ~exp & 0x7ff) << 20);
}
