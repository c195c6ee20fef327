/**
 * IEEE 754 exception flags. The five standard bits use RISC-V's fflags encoding (so the riscv
 * hart ORs them in unchanged); the other architectures map them to their own registers.
 */
export const NX = 1;
export const UF = 2;
export const OF = 4;
export const DZ = 8;
export const NV = 16;
/**
 * A tiny result was replaced by zero because output flushing is on (ARM FPCR.FZ, x86 FTZ).
 * ARM reports it as UFC, x86 as UE|PE; it is never raised when flushing is off.
 */
export const FLUSHED = 32;
/** A subnormal input was read as zero (ARM FPCR.FZ: IDC; x86 DAZ raises nothing). */
export const INPUT_DENORMAL = 64;

/**
 * Exceptions raised by the operation being executed. Arithmetic helpers OR into it; the
 * architecture layer moves it into its accrued-flags register and clears it. A module-level
 * cell keeps the helpers free of a state parameter and allocation-free on the hot path.
 */
export const exc = { flags: 0 };
