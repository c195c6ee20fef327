/**
 * `@axvisor/cpu-riscv64/threads` (Node.js): harts of one machine on worker threads, one per
 * emulated host CPU, over shared RAM (see src/threads/).
 */
export {
  DEFAULT_GROUP_SLICE,
  GROUP_TICKS_PER_MS,
  type GroupHart,
  type GroupOutcome,
  type GroupRunOptions,
  type HartOutcome,
  runHartsInTurn,
} from "./threads/hart-group.js";
export { HartRunner, type HartRunState } from "./threads/hart-runner.js";
export { runHartsOnThreads } from "./threads/hart-threads.js";
export { MSIP_DEFAULT_BASE, SharedMsip } from "./threads/shared-msip.js";
