import { type Summary, summarize } from "./stats.js";

/** One run of a benchmark: the figure, plus whatever else the run measured. */
export type Measurement =
  | {
      readonly ok: true;
      readonly value: number;
      readonly detail?: Readonly<Record<string, number>>;
    }
  | { readonly ok: false; readonly why: string };

/** Every run of one benchmark, summarised, or why it has no figure. */
export interface MeasuredBenchmark {
  /** The values of the runs that completed, in run order. */
  readonly values: readonly number[];
  readonly summary: Summary | undefined;
  /** The detail of each completed run. */
  readonly details: readonly Readonly<Record<string, number>>[];
  /** Set when a run failed: the benchmark stops there and reports no figure. */
  readonly failed: string | undefined;
  /** Set when the benchmark was not run at all (a missing tool or image). */
  readonly skipped: string | undefined;
}

/**
 * Runs `run` up to `runs` times. A failing run ends the series: the benchmark reports
 * "failed: <why>" and no figure, because a median over the runs that happened to finish would
 * describe a different, luckier workload. Exceptions from `run` count as failures.
 */
export async function measure(
  runs: number,
  run: (index: number) => Promise<Measurement>,
  onRun?: (index: number, m: Measurement) => void,
): Promise<MeasuredBenchmark> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be >= 1, not ${runs}`);
  const values: number[] = [];
  const details: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    let m: Measurement;
    try {
      m = await run(i);
    } catch (e) {
      m = { ok: false, why: e instanceof Error ? e.message : String(e) };
    }
    if (m.ok && !Number.isFinite(m.value)) m = { ok: false, why: `run produced ${m.value}` };
    onRun?.(i, m);
    if (!m.ok) return { values, summary: undefined, details, failed: m.why, skipped: undefined };
    values.push(m.value);
    details.push({ ...m.detail });
  }
  return { values, summary: summarize(values), details, failed: undefined, skipped: undefined };
}

/** A benchmark that did not run. */
export function skipped(why: string): MeasuredBenchmark {
  return { values: [], summary: undefined, details: [], failed: undefined, skipped: why };
}
