/**
 * Exact binary64 arithmetic on BigInt significands, for what the fast paths cannot do with
 * error-free transformations: results near or beyond the overflow and underflow thresholds,
 * and the fused multiply-add. None of this runs for ordinary operands.
 */
import { exponentOf, f64HiWord, f64LoWord, pow2 } from "./bits.js";
import { ABOVE_HALF, BELOW_HALF, BINARY64, EXACT, HALF, RDN, roundPack } from "./rounding.js";

/** |x| = sig * 2^exp for finite x. */
function decompose(x: number): [sig: bigint, exp: number] {
  const hi = f64HiWord(x);
  const frac = (hi & 0xfffff) * 4294967296 + (f64LoWord(x) >>> 0);
  const biased = (hi >>> 20) & 0x7ff;
  return biased === 0 ? [BigInt(frac), -1074] : [BigInt(frac + 4503599627370496), biased - 1075];
}

/** Number of significant bits of v > 0. */
function bitLength(v: bigint): number {
  const approx = Number(v);
  if (approx === Number.POSITIVE_INFINITY) return v.toString(2).length;
  // Number() rounds, possibly up to the next power of two.
  const e = exponentOf(approx);
  return v >> BigInt(e) === 0n ? e : e + 1;
}

/**
 * Rounds (-1)^neg * (sig + s) * 2^exp to binary64, where s = 0 when !sticky and 0 < s < 1
 * otherwise. A sticky value must come with at least p + 2 significant bits in sig so that the
 * unknown tail lies strictly below the rounding bit.
 */
function roundBig(neg: boolean, sig: bigint, exp: number, sticky: boolean, rm: number): number {
  const n = bitLength(sig);
  const p = BINARY64.p;
  if (n <= p) {
    if (sticky) throw new Error("softfloat: sticky significand too short (internal invariant)");
    return roundPack(neg, Number(sig) * pow2(p - n), EXACT, exp - (p - n), BINARY64, rm);
  }
  const shift = BigInt(n - p);
  const q = sig >> shift;
  const r = sig - (q << shift);
  const half = 1n << (shift - 1n);
  let rc: number;
  if (r === 0n) rc = sticky ? BELOW_HALF : EXACT;
  else if (r < half) rc = BELOW_HALF;
  else if (r === half) rc = sticky ? ABOVE_HALF : HALF;
  else rc = ABOVE_HALF;
  return roundPack(neg, Number(q), rc, exp + (n - p), BINARY64, rm);
}

/** a * b for finite nonzero a, b. */
export function mulBig(a: number, b: number, rm: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  return roundBig(a < 0 !== b < 0, ma * mb, ea + eb, false, rm);
}

/** a / b for finite nonzero a, b. */
export function divBig(a: number, b: number, rm: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  // 2^128 * ma / mb has at least 76 bits: far more than p + 2 for the sticky rule.
  const num = ma << 128n;
  const q = num / mb;
  return roundBig(a < 0 !== b < 0, q, ea - eb - 128, q * mb !== num, rm);
}

/** x * 2^xe + y * 2^ye with signed significands, rounded; the sum of nonzero terms may cancel to 0. */
function sumBig(x: bigint, xe: number, y: bigint, ye: number, rm: number): number {
  const e = Math.min(xe, ye);
  const sum = (x << BigInt(xe - e)) + (y << BigInt(ye - e));
  if (sum === 0n) return rm === RDN ? -0 : 0;
  return sum < 0n ? roundBig(true, -sum, e, false, rm) : roundBig(false, sum, e, false, rm);
}

/** a + b for finite nonzero a, b. */
export function addBig(a: number, b: number, rm: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  return sumBig(a < 0 ? -ma : ma, ea, b < 0 ? -mb : mb, eb, rm);
}

/** a * b + c with a single rounding, for finite nonzero a, b, c. */
export function fmaBig(a: number, b: number, c: number, rm: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const prod = ma * mb;
  return sumBig(a < 0 !== b < 0 ? -prod : prod, ea + eb, c < 0 ? -mc : mc, ec, rm);
}
