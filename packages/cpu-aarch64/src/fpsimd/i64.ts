/**
 * 64-bit element arithmetic on (lo, hi) int32 pairs for the AdvSIMD forms with 64-bit lanes.
 * Results go to `w` (w.lo, w.hi); predicates return booleans. No BigInt.
 */
export const w = { lo: 0, hi: 0 };
const TWO32 = 4294967296;

export function add64(alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo >>> 0) + (blo >>> 0);
  w.lo = lo | 0;
  w.hi = (ahi + bhi + (lo >= TWO32 ? 1 : 0)) | 0;
}

export function sub64(alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo >>> 0) - (blo >>> 0);
  w.lo = lo | 0;
  w.hi = (ahi - bhi - (lo < 0 ? 1 : 0)) | 0;
}

export function ltS64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi !== bhi ? ahi < bhi : alo >>> 0 < blo >>> 0;
}

export function ltU64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi !== bhi ? ahi >>> 0 < bhi >>> 0 : alo >>> 0 < blo >>> 0;
}

/** Logical left shift by n >= 0 (n >= 64 gives 0). */
export function shl64(lo: number, hi: number, n: number): void {
  if (n >= 64) {
    w.lo = 0;
    w.hi = 0;
  } else if (n >= 32) {
    w.hi = lo << (n - 32);
    w.lo = 0;
  } else if (n === 0) {
    w.lo = lo;
    w.hi = hi;
  } else {
    w.hi = (hi << n) | (lo >>> (32 - n));
    w.lo = lo << n;
  }
}

/** Right shift by n >= 0, arithmetic or logical (n >= 64 gives the sign fill or 0). */
export function shr64(lo: number, hi: number, n: number, unsigned: boolean): void {
  const fill = unsigned ? 0 : hi >> 31;
  if (n >= 64) {
    w.lo = fill;
    w.hi = fill;
  } else if (n >= 32) {
    w.lo = n === 32 ? hi : unsigned ? hi >>> (n - 32) : hi >> (n - 32);
    w.hi = fill;
  } else if (n === 0) {
    w.lo = lo;
    w.hi = hi;
  } else {
    w.lo = (lo >>> n) | (hi << (32 - n));
    w.hi = unsigned ? hi >>> n : hi >> n;
  }
}

/** Bit k of the pair; beyond bit 63 the sign (signed) or 0 (unsigned). */
export function bit64(lo: number, hi: number, k: number, unsigned: boolean): number {
  if (k >= 64) return unsigned ? 0 : (hi >>> 31) & 1;
  if (k >= 32) return (hi >>> (k - 32)) & 1;
  return (lo >>> k) & 1;
}

/** The exact value of a pair as a double when it is small enough, for tests and narrowing checks. */
export function toNumber(lo: number, hi: number, unsigned: boolean): number {
  return (unsigned ? hi >>> 0 : hi) * TWO32 + (lo >>> 0);
}

/** The exact product of two 32-bit lanes (signed or unsigned) as a 64-bit pair in w. */
export function mul32x32(a: number, b: number, unsigned: boolean): void {
  const ua = unsigned ? a >>> 0 : Math.abs(a);
  const ub = unsigned ? b >>> 0 : Math.abs(b);
  const a0 = ua % 65536;
  const a1 = (ua - a0) / 65536;
  const b0 = ub % 65536;
  const b1 = (ub - b0) / 65536;
  const p00 = a0 * b0;
  const mid = a0 * b1 + a1 * b0 + Math.floor(p00 / 65536);
  const lo = (p00 % 65536) + (mid % 65536) * 65536;
  const hi = a1 * b1 + Math.floor(mid / 65536);
  w.lo = lo | 0;
  w.hi = hi | 0;
  if (!unsigned && a < 0 !== b < 0 && (lo !== 0 || hi !== 0)) sub64(0, 0, w.lo, w.hi);
}

/** An exact integer |v| < 2^53 as a 64-bit pair in w. */
export function fromNumber(v: number): void {
  const hi = Math.floor(v / TWO32);
  w.lo = (v - hi * TWO32) | 0;
  w.hi = hi | 0;
}
