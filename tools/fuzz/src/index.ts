export { runBare } from "./bare-run.js";
export { describeProgram, minimise, programFor, runCase, runProgram } from "./campaign.js";
export { runFuzzCli } from "./cli.js";
export type { Finding } from "./finding.js";
export { assemble, type FuzzProgram, mutatedImage, randomProgram } from "./generate.js";
export { runUnderHypervisor } from "./hypervisor-run.js";
export {
  findInGstage,
  type GstageLeaf,
  type GstageMap,
  gstageMap,
  gstageReach,
  type HostMemoryView,
  type HostRange,
  overlap,
  reachOf,
} from "./isolation.js";
export { FUZZ_HELP, parseFuzzArgs } from "./options.js";
export { Rng } from "./rng.js";
