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
  const [m] = await measureInterleaved(runs, [run], (_, i, r) => onRun?.(i, r));
  return m!;
}

/**
 * Measures several benchmarks in rounds: run 1 of each, then run 2 of each, and so on, so a
 * burst of load from elsewhere on the machine lands on one run of many benchmarks instead of
 * every run of one. A benchmark whose run fails takes no further part (see `measure`).
 */
export async function measureInterleaved(
  runs: number,
  benchmarks: readonly ((index: number) => Promise<Measurement>)[],
  onRun?: (benchmark: number, index: number, m: Measurement) => void,
): Promise<MeasuredBenchmark[]> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be >= 1, not ${runs}`);
  const state = benchmarks.map(() => ({
    values: [] as number[],
    details: [] as Record<string, number>[],
    failed: undefined as string | undefined,
  }));
  for (let i = 0; i < runs; i++) {
    for (let b = 0; b < benchmarks.length; b++) {
      const st = state[b]!;
      if (st.failed !== undefined) continue;
      let m: Measurement;
      try {
        m = await benchmarks[b]!(i);
      } catch (e) {
        m = { ok: false, why: e instanceof Error ? e.message : String(e) };
      }
      if (m.ok && !Number.isFinite(m.value)) m = { ok: false, why: `run produced ${m.value}` };
      onRun?.(b, i, m);
      if (!m.ok) {
        st.failed = m.why;
        continue;
      }
      st.values.push(m.value);
      st.details.push({ ...m.detail });
    }
  }
  return state.map((st) => ({
    values: st.values,
    summary: st.failed === undefined ? summarize(st.values) : undefined,
    details: st.details,
    failed: st.failed,
    skipped: undefined,
  }));
}

/** A benchmark that did not run. */
export function skipped(why: string): MeasuredBenchmark {
  return { values: [], summary: undefined, details: [], failed: undefined, skipped: why };
}
