/**
 * The rounding policies that differ between architectures, as one module-level cell the
 * architecture layer sets before an operation (the defaults are RISC-V's). Like `exc`, it
 * keeps every arithmetic helper free of extra parameters.
 *
 * - `tininessBeforeRounding`: IEEE 754 lets an implementation detect tininess before rounding
 *   (ARM: the exact result is below 2^emin) or after (RISC-V, x86 SSE: the result rounded to
 *   the target precision with an unbounded exponent is below 2^emin).
 * - `flushToZero`: results that are tiny before rounding become a zero of the same sign and
 *   raise FLUSHED instead of UF/NX (ARM FPCR.FZ, x86 MXCSR.FTZ).
 */
export const policy = { tininessBeforeRounding: false, flushToZero: false };
