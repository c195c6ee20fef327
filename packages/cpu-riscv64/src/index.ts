/** Re-exported from @axvisor/machine, where it lives, for code written against 0.1. */
export { allocateRam } from "@axvisor/machine";
export type { HartExtensions, HartOptions, PhysBus, RunExit, TimeSource } from "./bus.js";
export { Cause, CSR, HS as HSTATUS, Irq, MS as MSTATUS } from "./csr-numbers.js";
export { Hart } from "./hart.js";
export type { JitOptions } from "./jit/jit.js";
export { expandCompressed } from "./rvc.js";
