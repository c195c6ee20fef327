/** One half-open range `[start, end)` and what occupies it. */
export interface RangeEntry<V> {
  readonly start: number;
  readonly end: number;
  readonly value: V;
}

/**
 * Non-overlapping half-open ranges kept sorted by start, so a lookup is a binary search
 * (O(log n)) instead of AxVisor's linear scan. Empty ranges are refused: they could never be
 * hit and would only make overlap rules ambiguous.
 */
export class RangeMap<V> {
  readonly #entries: RangeEntry<V>[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /** Entries in address order. */
  entries(): readonly RangeEntry<V>[] {
    return this.#entries;
  }

  /** The entry containing `addr`, if any. */
  find(addr: number): RangeEntry<V> | undefined {
    const i = this.#floor(addr);
    if (i < 0) return undefined;
    const e = this.#entries[i]!;
    return addr < e.end ? e : undefined;
  }

  /** The first entry starting above `addr`, if any. */
  after(addr: number): RangeEntry<V> | undefined {
    return this.#entries[this.#floor(addr) + 1];
  }

  /** An existing entry sharing at least one address with `[start, end)`, if any. */
  overlapping(start: number, end: number): RangeEntry<V> | undefined {
    const i = this.#floor(start);
    const here = this.#entries[i];
    if (here !== undefined && start < here.end) return here;
    const next = this.#entries[i + 1];
    if (next !== undefined && next.start < end) return next;
    return undefined;
  }

  /**
   * Adds `[start, end)`. Returns the entry it would overlap instead of adding, so the caller
   * can name both parties in its error.
   */
  insert(start: number, end: number, value: V): RangeEntry<V> | undefined {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) {
      throw new RangeError(`range [${start}, ${end}) must be non-empty with safe-integer bounds`);
    }
    const conflict = this.overlapping(start, end);
    if (conflict !== undefined) return conflict;
    this.#entries.splice(this.#floor(start) + 1, 0, { start, end, value });
    return undefined;
  }

  /** Removes every entry whose value satisfies `pred`; returns how many went. */
  removeWhere(pred: (value: V) => boolean): number {
    let removed = 0;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (pred(this.#entries[i]!.value)) {
        this.#entries.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  /** Index of the last entry whose start is <= addr, or -1. */
  #floor(addr: number): number {
    let lo = 0;
    let hi = this.#entries.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#entries[mid]!.start <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
