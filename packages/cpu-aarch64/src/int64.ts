/**
 * 64-bit integer helpers on int32 (lo, hi) pairs, the representation of every X register.
 * Results with two halves go to `out` (out[0] = lo, out[1] = hi): a preallocated typed array,
 * so no object and no BigInt per instruction.
 */

export const out = new Int32Array(2);
const TWO32 = 4294967296;

/** Unsigned 32x32 -> 64 product. */
export function umul32(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  out[0] = (p00 & 0xffff) | (mid << 16);
  out[1] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}

/** Low 64 bits of a 64x64 product. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  umul32(alo, blo);
  out[1] = (out[1]! + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** High 64 bits of the unsigned 128-bit product. */
export function umulh(alo: number, ahi: number, blo: number, bhi: number): void {
  umul32(alo, blo);
  const h0 = out[1]! >>> 0;
  umul32(alo, bhi);
  const l1 = out[0]! >>> 0;
  const h1 = out[1]! >>> 0;
  umul32(ahi, blo);
  const l2 = out[0]! >>> 0;
  const h2 = out[1]! >>> 0;
  umul32(ahi, bhi);
  const l3 = out[0]! >>> 0;
  const h3 = out[1]! >>> 0;
  const carry = Math.floor((h0 + l1 + l2) / TWO32);
  const sum = l3 + h1 + h2 + carry;
  out[0] = sum | 0;
  out[1] = (h3 + Math.floor(sum / TWO32)) | 0;
}

/** High 64 bits of the signed 128-bit product. */
export function smulh(alo: number, ahi: number, blo: number, bhi: number): void {
  umulh(alo, ahi, blo, bhi);
  let lo = out[0]!;
  let hi = out[1]!;
  // Signed = unsigned - (a<0 ? b<<64 : 0) - (b<0 ? a<<64 : 0).
  if (ahi < 0) {
    const l = (lo >>> 0) - (blo >>> 0);
    hi = (hi - bhi - (l < 0 ? 1 : 0)) | 0;
    lo = l | 0;
  }
  if (bhi < 0) {
    const l = (lo >>> 0) - (alo >>> 0);
    hi = (hi - ahi - (l < 0 ? 1 : 0)) | 0;
    lo = l | 0;
  }
  out[0] = lo;
  out[1] = hi;
}

/** Unsigned 64-bit division (divisor non-zero). */
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  const a = (ahi >>> 0) * TWO32 + (alo >>> 0);
  const b = (bhi >>> 0) * TWO32 + (blo >>> 0);
  if (a < 2 ** 52 && b < 2 ** 52) {
    let q = Math.floor(a / b);
    const r = a - q * b;
    if (r < 0) q--;
    else if (r >= b) q++;
    out[0] = q | 0;
    out[1] = Math.floor(q / TWO32) | 0;
    return;
  }
  // Restoring division, one quotient bit per step.
  let qlo = 0;
  let qhi = 0;
  let rlo = 0;
  let rhi = 0;
  const ub = (bhi >>> 0) * TWO32 + (blo >>> 0);
  for (let i = 63; i >= 0; i--) {
    rhi = (rhi << 1) | (rlo >>> 31);
    rlo = (rlo << 1) | ((i >= 32 ? ahi >>> (i - 32) : alo >>> i) & 1);
    const r = (rhi >>> 0) * TWO32 + (rlo >>> 0);
    // r may exceed 2^53 only when b does too; compare the halves then.
    let ge: boolean;
    if (rhi >>> 0 !== bhi >>> 0) ge = rhi >>> 0 > bhi >>> 0;
    else ge = rlo >>> 0 >= blo >>> 0;
    if (ub < 2 ** 53 && r < 2 ** 53) ge = r >= ub;
    if (ge) {
      const l = (rlo >>> 0) - (blo >>> 0);
      rhi = (rhi - bhi - (l < 0 ? 1 : 0)) | 0;
      rlo = l | 0;
      if (i >= 32) qhi |= 1 << (i - 32);
      else qlo |= 1 << i;
    }
  }
  out[0] = qlo;
  out[1] = qhi;
}

/** Signed 64-bit division (divisor non-zero), rounding toward zero. */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): void {
  const na = ahi < 0;
  const nb = bhi < 0;
  if (na) {
    alo = -alo | 0;
    ahi = (~ahi + (alo === 0 ? 1 : 0)) | 0;
  }
  if (nb) {
    blo = -blo | 0;
    bhi = (~bhi + (blo === 0 ? 1 : 0)) | 0;
  }
  udiv64(alo, ahi, blo, bhi);
  if (na !== nb) neg64(out[0]!, out[1]!);
}

export function neg64(lo: number, hi: number): void {
  out[0] = -lo | 0;
  out[1] = (~hi + (lo === 0 ? 1 : 0)) | 0;
}

export function lsl64(lo: number, hi: number, s: number): void {
  s &= 63;
  if (s === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (s < 32) {
    out[1] = (hi << s) | (lo >>> (32 - s));
    out[0] = lo << s;
  } else {
    out[1] = lo << (s - 32);
    out[0] = 0;
  }
}

export function lsr64(lo: number, hi: number, s: number): void {
  s &= 63;
  if (s === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (s < 32) {
    out[0] = (lo >>> s) | (hi << (32 - s));
    out[1] = hi >>> s;
  } else {
    out[0] = hi >>> (s - 32);
    out[1] = 0;
  }
}

export function asr64(lo: number, hi: number, s: number): void {
  s &= 63;
  if (s === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (s < 32) {
    out[0] = (lo >>> s) | (hi << (32 - s));
    out[1] = hi >> s;
  } else {
    out[0] = hi >> (s - 32);
    out[1] = hi >> 31;
  }
}

export function ror64(lo: number, hi: number, s: number): void {
  s &= 63;
  if (s === 0) {
    out[0] = lo;
    out[1] = hi;
  } else if (s < 32) {
    out[0] = (lo >>> s) | (hi << (32 - s));
    out[1] = (hi >>> s) | (lo << (32 - s));
  } else if (s === 32) {
    out[0] = hi;
    out[1] = lo;
  } else {
    const t = s - 32;
    out[0] = (hi >>> t) | (lo << (32 - t));
    out[1] = (lo >>> t) | (hi << (32 - t));
  }
}

/** 32-bit bit reversal. */
export function rbit32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16) | 0;
}

export function rev32(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24) | 0;
}

export function rev16(x: number): number {
  return ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8) | 0;
}

/** Count of leading sign bits (excluding the sign bit itself) of a 32-bit value. */
export function cls32(x: number): number {
  return Math.clz32(x ^ (x >> 1)) - 1;
}

/** The unsigned value of (lo, hi) as a number (exact below 2^53). */
export function toNumberU(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

/** The signed value of (lo, hi) as a number (exact within +-2^53). */
export function toNumberS(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}

/** CRC-32 (0xEDB88320) and CRC-32C (0x82F63B78) byte tables, reflected. */
function crcTable(poly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[i] = c;
  }
  return t;
}
export const CRC32_TABLE = crcTable(0xedb88320);
export const CRC32C_TABLE = crcTable(0x82f63b78);

/** Folds `bytes` little-endian bytes of value (lo, hi) into the CRC accumulator. */
export function crc32(
  table: Int32Array,
  acc: number,
  lo: number,
  hi: number,
  bytes: number,
): number {
  let c = acc;
  for (let i = 0; i < bytes; i++) {
    const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
    c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  return c | 0;
}
