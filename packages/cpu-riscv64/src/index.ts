export type { HartExtensions, HartOptions, PhysBus, RunExit, TimeSource } from "./bus.js";
export { Cause, CSR, HS as HSTATUS, Irq, MS as MSTATUS } from "./csr-numbers.js";
export { Hart } from "./hart.js";
export type { JitOptions } from "./jit/jit.js";
export { allocateRam } from "./ram.js";
export { expandCompressed } from "./rvc.js";
