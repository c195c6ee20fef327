/**
 * Which NaN an operation with NaN operands returns: the one policy that differs most between
 * architectures. Values travel as JS numbers, which lose NaN payloads, so these helpers work
 * on the operands' bits and the caller calls them before the arithmetic.
 *
 * - NAN_CANONICAL (RISC-V): always the default NaN.
 * - NAN_ARM: the first signalling NaN operand, else the first quiet NaN operand, quietened;
 *   the default NaN when FPCR.DN is set (the caller then passes NAN_CANONICAL).
 * - NAN_X86: the first NaN operand, quietened (SSE's "first source operand" rule).
 *
 * Any signalling NaN operand raises NV.
 */
import { exc, NV } from "./flags.js";

export const NAN_CANONICAL = 0;
export const NAN_ARM = 1;
export const NAN_X86 = 2;

/** The default NaNs (ARM and RISC-V: positive; x86's "real indefinite" is negative). */
export const DEFAULT_NAN_H = 0x7e00;
export const DEFAULT_NAN_S = 0x7fc00000;
export const DEFAULT_NAN_D_HI = 0x7ff80000;

/** The NaN policy and the default NaN's sign for the next operation. */
export const nanPolicy = { mode: NAN_CANONICAL, defaultNegative: false };

/** A binary64 NaN result as (lo, hi) words. */
export const nanOut = { lo: 0, hi: 0 };

export function isNanS(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}
export function isSnanS(b: number): boolean {
  return isNanS(b) && (b & 0x400000) === 0;
}
export function isNanH(b: number): boolean {
  return (b & 0x7fff) > 0x7c00;
}
export function isSnanH(b: number): boolean {
  return isNanH(b) && (b & 0x200) === 0;
}
export function isNanD(lo: number, hi: number): boolean {
  const h = hi & 0x7fffffff;
  return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
}
export function isSnanD(lo: number, hi: number): boolean {
  return isNanD(lo, hi) && (hi & 0x80000) === 0;
}

function defaultS(): number {
  return nanPolicy.defaultNegative ? DEFAULT_NAN_S | 0x80000000 : DEFAULT_NAN_S;
}
function defaultH(): number {
  return nanPolicy.defaultNegative ? DEFAULT_NAN_H | 0x8000 : DEFAULT_NAN_H;
}

/** The default binary32 NaN under the current policy. */
export function defaultNanS(): number {
  return defaultS();
}
/** The default binary16 NaN under the current policy. */
export function defaultNanH(): number {
  return defaultH();
}
/** Sets nanOut to the default binary64 NaN under the current policy. */
export function defaultNanD(): void {
  nanOut.lo = 0;
  nanOut.hi = nanPolicy.defaultNegative ? DEFAULT_NAN_D_HI | 0x80000000 : DEFAULT_NAN_D_HI;
}

/**
 * The binary32 result for operands a, b, c (bits, in the architecture's priority order; pass
 * a non-NaN such as 0 for missing ones), or 0 when none is a NaN (0 is never a NaN's bits).
 */
export function pickNanS(a: number, b: number, c: number): number {
  const an = isNanS(a);
  const bn = isNanS(b);
  const cn = isNanS(c);
  if (!an && !bn && !cn) return 0;
  const as = an && (a & 0x400000) === 0;
  const bs = bn && (b & 0x400000) === 0;
  const cs = cn && (c & 0x400000) === 0;
  if (as || bs || cs) exc.flags |= NV;
  switch (nanPolicy.mode) {
    case NAN_ARM:
      if (as || (!bs && !cs && an)) return a | 0x400000;
      if (bs || (!cs && bn)) return b | 0x400000;
      return c | 0x400000;
    case NAN_X86:
      return (an ? a : bn ? b : c) | 0x400000;
    default:
      return defaultS();
  }
}

/** As pickNanS for binary16 bits. */
export function pickNanH(a: number, b: number, c: number): number {
  const an = isNanH(a);
  const bn = isNanH(b);
  const cn = isNanH(c);
  if (!an && !bn && !cn) return 0;
  const as = an && (a & 0x200) === 0;
  const bs = bn && (b & 0x200) === 0;
  const cs = cn && (c & 0x200) === 0;
  if (as || bs || cs) exc.flags |= NV;
  switch (nanPolicy.mode) {
    case NAN_ARM:
      if (as || (!bs && !cs && an)) return a | 0x200;
      if (bs || (!cs && bn)) return b | 0x200;
      return c | 0x200;
    case NAN_X86:
      return (an ? a : bn ? b : c) | 0x200;
    default:
      return defaultH();
  }
}

/**
 * As pickNanS for binary64 operands given as (lo, hi) words: returns false when none is a NaN,
 * otherwise true with the result in nanOut.
 */
export function pickNanD(
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
  clo: number,
  chi: number,
): boolean {
  const an = isNanD(alo, ahi);
  const bn = isNanD(blo, bhi);
  const cn = isNanD(clo, chi);
  if (!an && !bn && !cn) return false;
  const as = an && (ahi & 0x80000) === 0;
  const bs = bn && (bhi & 0x80000) === 0;
  const cs = cn && (chi & 0x80000) === 0;
  if (as || bs || cs) exc.flags |= NV;
  let lo: number;
  let hi: number;
  switch (nanPolicy.mode) {
    case NAN_ARM:
      if (as || (!bs && !cs && an)) {
        lo = alo;
        hi = ahi;
      } else if (bs || (!cs && bn)) {
        lo = blo;
        hi = bhi;
      } else {
        lo = clo;
        hi = chi;
      }
      break;
    case NAN_X86:
      lo = an ? alo : bn ? blo : clo;
      hi = an ? ahi : bn ? bhi : chi;
      break;
    default:
      defaultNanD();
      return true;
  }
  nanOut.lo = lo;
  nanOut.hi = hi | 0x80000;
  return true;
}

/*
 * NaN conversion between formats (ARM FPConvertNaN, x86 likewise): the sign and the leading
 * fraction bits are kept (truncated or zero-padded) and the result is quiet. NV for a
 * signalling operand. Under NAN_CANONICAL the default NaN is returned instead.
 */

export function nanSFromD(lo: number, hi: number): number {
  if ((hi & 0x80000) === 0) exc.flags |= NV;
  if (nanPolicy.mode === NAN_CANONICAL) return defaultS();
  return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
}
export function nanDFromS(s: number): void {
  if ((s & 0x400000) === 0) exc.flags |= NV;
  if (nanPolicy.mode === NAN_CANONICAL) {
    defaultNanD();
    return;
  }
  nanOut.hi = (s & 0x80000000) | 0x7ff80000 | ((s & 0x3fffff) >>> 3);
  nanOut.lo = s << 29;
}
export function nanHFromS(s: number): number {
  if ((s & 0x400000) === 0) exc.flags |= NV;
  if (nanPolicy.mode === NAN_CANONICAL) return defaultH();
  return ((s >>> 16) & 0x8000) | 0x7e00 | ((s >>> 13) & 0x1ff);
}
export function nanSFromH(h: number): number {
  if ((h & 0x200) === 0) exc.flags |= NV;
  if (nanPolicy.mode === NAN_CANONICAL) return defaultS();
  return ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
}
export function nanHFromD(lo: number, hi: number): number {
  return nanHFromS(nanSFromD(lo, hi));
}
export function nanDFromH(h: number): void {
  nanDFromS(nanSFromH(h));
}
