/**
 * Wide unsigned integers as arrays of 16-bit limbs, most significant limb first, in plain JS
 * numbers (every intermediate stays below 2^53, so all arithmetic is exact without BigInt).
 * The extended-precision soft-float uses them for its 128-bit significands.
 */

export type Limbs = Int32Array;

export function clear(a: Limbs): void {
  a.fill(0);
}

/** Loads a 64-bit value (hi, lo as uint32) into limbs 0..3 and clears the rest. */
export function load64(a: Limbs, hi: number, lo: number): void {
  a.fill(0);
  a[0] = hi >>> 16;
  a[1] = hi & 0xffff;
  a[2] = lo >>> 16;
  a[3] = lo & 0xffff;
}

export function hi32(a: Limbs): number {
  return ((a[0]! << 16) | a[1]!) >>> 0;
}
export function lo32(a: Limbs): number {
  return ((a[2]! << 16) | a[3]!) >>> 0;
}

export function isZero(a: Limbs): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

/** Leading zero bits (16 * length for zero). */
export function clz(a: Limbs): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v !== 0) return i * 16 + Math.clz32(v) - 16;
  }
  return a.length * 16;
}

export function shiftLeft(a: Limbs, n: number): void {
  if (n <= 0) return;
  const len = a.length;
  const w = n >> 4;
  const b = n & 15;
  for (let i = 0; i < len; i++) {
    const s = i + w;
    const hi = s < len ? a[s]! : 0;
    const lo = s + 1 < len ? a[s + 1]! : 0;
    a[i] = b === 0 ? hi : ((hi << b) | (lo >>> (16 - b))) & 0xffff;
  }
}

/** Shifts right by n bits, ORing every bit shifted out into the least significant bit. */
export function shiftRightJam(a: Limbs, n: number): void {
  if (n <= 0) return;
  const len = a.length;
  if (n >= len * 16) {
    const any = !isZero(a);
    a.fill(0);
    a[len - 1] = any ? 1 : 0;
    return;
  }
  const w = n >> 4;
  const b = n & 15;
  let sticky = 0;
  for (let i = len - w; i < len; i++) sticky |= a[i]!;
  if (b !== 0) sticky |= a[len - w - 1]! & ((1 << b) - 1);
  for (let i = len - 1; i >= 0; i--) {
    const s = i - w;
    const cur = s >= 0 ? a[s]! : 0;
    const above = s - 1 >= 0 ? a[s - 1]! : 0;
    a[i] = b === 0 ? cur : ((cur >>> b) | (above << (16 - b))) & 0xffff;
  }
  if (sticky !== 0) a[len - 1]! |= 1;
}

/** a += b (same length); returns the carry out. */
export function add(a: Limbs, b: Limbs): number {
  let c = 0;
  for (let i = a.length - 1; i >= 0; i--) {
    const s = a[i]! + b[i]! + c;
    a[i] = s & 0xffff;
    c = s >>> 16;
  }
  return c;
}

/** a -= b (same length, a >= b). */
export function sub(a: Limbs, b: Limbs): void {
  let borrow = 0;
  for (let i = a.length - 1; i >= 0; i--) {
    let d = a[i]! - b[i]! - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 0x10000;
    a[i] = d;
  }
}

export function compare(a: Limbs, b: Limbs): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Bit `n` counted from the least significant end. */
export function bit(a: Limbs, n: number): number {
  const i = a.length - 1 - (n >> 4);
  return i >= 0 ? (a[i]! >>> (n & 15)) & 1 : 0;
}

export function setBit(a: Limbs, n: number): void {
  const i = a.length - 1 - (n >> 4);
  if (i >= 0) a[i]! |= 1 << (n & 15);
}

/** Adds 1 at bit position n; returns the carry out of the top. */
export function addBit(a: Limbs, n: number): number {
  let i = a.length - 1 - (n >> 4);
  let c = 1 << (n & 15);
  while (c !== 0 && i >= 0) {
    const s = a[i]! + c;
    a[i] = s & 0xffff;
    c = s >>> 16;
    i--;
  }
  return c;
}

/** Clears every bit below position n. */
export function clearBelow(a: Limbs, n: number): void {
  const len = a.length;
  const full = n >> 4;
  for (let i = 0; i < full && i < len; i++) a[len - 1 - i] = 0;
  const i = len - 1 - full;
  if (i >= 0) a[i]! &= ~((1 << (n & 15)) - 1) & 0xffff;
}

/**
 * How the bits below position n compare with half a unit at n: 0 all zero, 1 below half,
 * 2 exactly half, 3 above half.
 */
export function roundClass(a: Limbs, n: number): number {
  if (n === 0) return 0;
  const half = bit(a, n - 1);
  let rest = 0;
  for (let k = 0; k < n - 1 && rest === 0; k++) {
    // Whole limbs below n-1 are tested limb by limb.
    if ((k & 15) === 0 && k + 16 <= n - 1) {
      rest |= a[a.length - 1 - (k >> 4)]!;
      k += 15;
    } else rest |= bit(a, k);
  }
  if (half === 0) return rest === 0 ? 0 : 1;
  return rest === 0 ? 2 : 3;
}

export function copy(dst: Limbs, src: Limbs): void {
  dst.set(src);
}
