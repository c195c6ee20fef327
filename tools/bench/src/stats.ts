/** What a benchmark reports for one figure over its runs. */
export interface Summary {
  readonly runs: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/**
 * Min, median and max of the measured values. The median of an even count is the mean of
 * the two middle values. Throws on an empty list or a value that is not a finite number: a
 * summary of nothing, or of a NaN, would print as a figure nobody measured.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summarize: no values");
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`summarize: ${v} is not a finite number`);
  }
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { runs: s.length, min: s[0]!, median, max: s[s.length - 1]! };
}
