/** A half-open address range `[start, end)`. Empty when `start === end`. */
export interface AddrRange<A extends number = number> {
  readonly start: A;
  readonly end: A;
}

export function addrRange<A extends number>(start: A, end: A): AddrRange<A> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw new RangeError(`range bounds must be safe integers, got [${start}, ${end})`);
  }
  if (end < start) throw new RangeError(`range end ${end} is below its start ${start}`);
  return { start, end };
}

export function rangeFromSize<A extends number>(start: A, size: number): AddrRange<A> {
  return addrRange(start, (start + size) as A);
}

export const rangeSize = (r: AddrRange): number => r.end - r.start;
export const rangeIsEmpty = (r: AddrRange): boolean => r.end === r.start;
export const rangeContains = (r: AddrRange, addr: number): boolean =>
  addr >= r.start && addr < r.end;

/** True when `[addr, addr + size)` lies entirely inside `r`. */
export const rangeContainsSpan = (r: AddrRange, addr: number, size: number): boolean =>
  addr >= r.start && addr + size <= r.end;

export const rangeContainsRange = (outer: AddrRange, inner: AddrRange): boolean =>
  inner.start >= outer.start && inner.end <= outer.end;

/** Two non-empty ranges overlap when they share at least one address. */
export const rangesOverlap = (a: AddrRange, b: AddrRange): boolean =>
  !rangeIsEmpty(a) && !rangeIsEmpty(b) && a.start < b.end && b.start < a.end;

export const formatRange = (r: AddrRange): string =>
  `[0x${r.start.toString(16)}, 0x${r.end.toString(16)})`;
