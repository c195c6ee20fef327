/**
 * The RISC-V F and D extensions (arithmetic part) for the emulated hart: OP-FP and the fused
 * multiply-add family, IEEE 754 as RISC-V specifies it (all rounding modes, exact accrued
 * flags, NaN-boxing, canonical NaNs). Loads, stores, fcsr and the FS checks belong to the core.
 */
export { executeFp } from "./execute.js";
export { DZ, NV, NX, OF, UF } from "./flags.js";
export type { FpState } from "./state.js";
