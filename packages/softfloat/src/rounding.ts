import { MAX_F32, pow2 } from "./bits.js";
import { exc, FLUSHED, NX, OF, UF } from "./flags.js";
import { policy } from "./policy.js";

/** Rounding directions (numbered as RISC-V's rm field; other architectures map theirs). */
export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;

/** A binary interchange format as the rounding engine needs it. */
export interface Format {
  /** Significand precision in bits, hidden bit included. */
  readonly p: number;
  readonly emin: number;
  readonly emax: number;
  readonly max: number;
}
export const BINARY32: Format = { p: 24, emin: -126, emax: 127, max: MAX_F32 };
export const BINARY64: Format = { p: 53, emin: -1022, emax: 1023, max: Number.MAX_VALUE };
export const BINARY16: Format = { p: 11, emin: -14, emax: 15, max: 65504 };

/**
 * How the discarded part of a significand compares with half a unit in the last place.
 * Together with the kept integer this is all any rounding mode needs.
 */
export const EXACT = 0;
export const BELOW_HALF = 1;
export const HALF = 2;
export const ABOVE_HALF = 3;

/** Whether rounding the magnitude q + (discarded part of class rc) goes up to q + 1. */
function roundsUp(rm: number, neg: boolean, q: number, rc: number): boolean {
  if (rc === EXACT) return false;
  switch (rm) {
    case RNE:
      return rc === ABOVE_HALF || (rc === HALF && q % 2 === 1);
    case RTZ:
      return false;
    case RDN:
      return neg;
    case RUP:
      return !neg;
    default:
      return rc >= HALF;
  }
}

/** The result of an overflow under rm: infinity, or the largest finite number when rounding towards zero. */
export function overflowResult(neg: boolean, rm: number, fmt: Format): number {
  exc.flags |= OF | NX;
  const toZero = rm === RTZ || (rm === RDN && !neg) || (rm === RUP && neg);
  const mag = toZero ? fmt.max : Number.POSITIVE_INFINITY;
  return neg ? -mag : mag;
}

/**
 * Rounds the nonzero value (-1)^neg * (q + f) * 2^k to fmt under rm, where q is an integer in
 * [2^(p-1), 2^p) and f in [0, 1) is described by its class rc. Raises NX, UF (tininess
 * detected after or before rounding as `policy` says) and OF, or FLUSHED when the exact
 * result is below 2^emin and `policy.flushToZero` is set. Returns the rounded value as a
 * double (exactly representable in fmt).
 */
export function roundPack(
  neg: boolean,
  q: number,
  rc: number,
  k: number,
  fmt: Format,
  rm: number,
): number {
  const p = fmt.p;
  const e = p - 1 + k;
  if (e > fmt.emax) return overflowResult(neg, rm, fmt);
  const u = roundsUp(rm, neg, q, rc) ? q + 1 : q;
  if (e >= fmt.emin) {
    if (rc !== EXACT) exc.flags |= NX;
    if (u === pow2(p) && e === fmt.emax) return overflowResult(neg, rm, fmt);
    const v = u * pow2(k);
    return neg ? -v : v;
  }
  if (policy.flushToZero) {
    exc.flags |= FLUSHED;
    return neg ? -0 : 0;
  }
  const tiny = policy.tininessBeforeRounding || (u === pow2(p) ? e + 1 : e) < fmt.emin;
  // Below the normal range the last place is fixed at 2^(emin-p+1): s more bits are discarded.
  const s = fmt.emin - p + 1 - k;
  let t = 0;
  let c = BELOW_HALF;
  if (s <= p + 1) {
    const unit = pow2(s);
    t = Math.floor(q / unit);
    const r = q - t * unit;
    const half = unit / 2;
    if (r === 0) c = rc === EXACT ? EXACT : BELOW_HALF;
    else if (r < half) c = BELOW_HALF;
    else if (r === half) c = rc === EXACT ? HALF : ABOVE_HALF;
    else c = ABOVE_HALF;
  }
  if (roundsUp(rm, neg, t, c)) t += 1;
  if (c !== EXACT) exc.flags |= tiny ? NX | UF : NX;
  const v = t * pow2(fmt.emin - p + 1);
  return neg ? -v : v;
}
