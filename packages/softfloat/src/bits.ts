/**
 * Bit-level views of binary32/binary64 values. The emulator assumes a little-endian host
 * (every platform Node supports): the low word of a double is element 0 of an Int32Array view.
 */

const scratch = new ArrayBuffer(8);
const F64 = new Float64Array(scratch);
const F32 = new Float32Array(scratch);
const I32 = new Int32Array(scratch);

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error("softfloat: a little-endian host is required");
}

export const CANONICAL_NAN_S = 0x7fc00000;
/** High word of the binary64 canonical NaN 0x7ff8000000000000 (low word 0). */
export const CANONICAL_NAN_D_HI = 0x7ff80000;

export const MAX_F32 = 3.4028234663852886e38;
export const MIN_NORMAL_F32 = 1.1754943508222875e-38;
export const MIN_NORMAL_F64 = 2.2250738585072014e-308;

/** 2^k for every k with a representable power of two (-1074..1023), built by exact doubling. */
const POW2 = new Float64Array(1074 + 1024);
{
  let v = 1;
  for (let k = 0; k <= 1023; k++, v *= 2) POW2[k + 1074] = v;
  v = 1;
  for (let k = 0; k >= -1074; k--, v /= 2) POW2[k + 1074] = v;
}

/** Exact 2^k; k must lie in -1074..1023. */
export function pow2(k: number): number {
  return POW2[k + 1074]!;
}

export function f64FromWords(lo: number, hi: number): number {
  I32[0] = lo;
  I32[1] = hi;
  return F64[0]!;
}

export function f64HiWord(x: number): number {
  F64[0] = x;
  return I32[1]!;
}

export function f64LoWord(x: number): number {
  F64[0] = x;
  return I32[0]!;
}

/** Unbiased exponent of a positive normal double: floor(log2 x). */
export function exponentOf(x: number): number {
  F64[0] = x;
  return ((I32[1]! >>> 20) & 0x7ff) - 1023;
}

export function f32FromBits(bits: number): number {
  I32[0] = bits;
  return F32[0]!;
}

/** Bits of a float32 value (x must already be representable; NaN is the caller's business). */
export function f32Bits(x: number): number {
  F32[0] = x;
  return I32[0]!;
}

/** The next double towards +infinity (x finite or -infinity, not NaN). */
export function nextUpD(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  F64[0] = x;
  let lo = I32[0]!;
  let hi = I32[1]!;
  if (x > 0) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi = (hi + 1) | 0;
  } else {
    if (lo === 0) hi = (hi - 1) | 0;
    lo = (lo - 1) | 0;
  }
  I32[0] = lo;
  I32[1] = hi;
  return F64[0]!;
}

/** The next double towards -infinity. */
export function nextDownD(x: number): number {
  return -nextUpD(-x);
}
