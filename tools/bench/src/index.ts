export {
  allBenchmarks,
  type BenchContext,
  type Benchmark,
  ROWS,
  type RowId,
  type Target,
} from "./benchmarks.js";
export { parseChildOutput, runInChild } from "./child-process.js";
export { type BenchIo, runBench, selectBenchmarks } from "./cli.js";
export {
  instructionCount,
  PARAMS_MAGIC,
  readWorkloadParams,
  type WorkloadParams,
  withIterations,
} from "./image-params.js";
export {
  BENCH_END,
  BENCH_FAIL,
  BENCH_START,
  type Job,
  type JobResult,
  RESULT_PREFIX,
} from "./job.js";
export { type MarkerHit, MarkerWatch } from "./markers.js";
export {
  type MeasuredBenchmark,
  type Measurement,
  measure,
  measureInterleaved,
  skipped,
} from "./measure.js";
export { type BenchOptions, OptionsError, parseBenchArgs, USAGE } from "./options.js";
export {
  type BenchmarkRecord,
  type BenchReport,
  benchmarkRecord,
  buildReport,
  formatTable,
  HEADLINE_KEYS,
  MMIO_STORE_KEY,
  versusQemu,
} from "./report.js";
export { type Summary, summarize } from "./stats.js";
export { WORKLOADS, type Workload, type WorkloadName, workloadImage } from "./workloads.js";
