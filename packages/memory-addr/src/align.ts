/**
 * Alignment arithmetic on numbers up to 2^53. Bitwise operators would truncate to 32 bits, so
 * everything here uses division and remainder, which are exact for safe integers.
 */
export const PAGE_SIZE_4K = 0x1000;
export const PAGE_SIZE_16K = 0x4000;
export const PAGE_SIZE_2M = 0x20_0000;
export const PAGE_SIZE_1G = 0x4000_0000;

export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n <= 0) return false;
  return 2 ** Math.round(Math.log2(n)) === n;
}

function assertAlign(align: number): void {
  if (!isPowerOfTwo(align)) throw new RangeError(`alignment must be a power of two, got ${align}`);
}

/** Remainder that is non-negative for negative inputs (sign-extended virtual addresses). */
function mod(value: number, align: number): number {
  const r = value % align;
  return r < 0 ? r + align : r;
}

export function alignDown<T extends number>(value: T, align: number): T {
  assertAlign(align);
  return (value - mod(value, align)) as T;
}

export function alignUp<T extends number>(value: T, align: number): T {
  assertAlign(align);
  const r = mod(value, align);
  return (r === 0 ? value : value + (align - r)) as T;
}

export function isAligned(value: number, align: number): boolean {
  assertAlign(align);
  return mod(value, align) === 0;
}

export const alignDown4K = <T extends number>(value: T): T => alignDown(value, PAGE_SIZE_4K);
export const alignUp4K = <T extends number>(value: T): T => alignUp(value, PAGE_SIZE_4K);
export const isAligned4K = (value: number): boolean => isAligned(value, PAGE_SIZE_4K);
/** Offset of an address inside its 4 KiB page. */
export const pageOffset4K = (value: number): number => mod(value, PAGE_SIZE_4K);
