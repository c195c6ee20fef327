/**
 * Flush-to-zero of subnormal operands and results (ARM FPCR.FZ, x86 DAZ/FTZ), for the
 * architecture layer to apply around an operation when its control register asks for it.
 * roundPack already flushes the results it rounds (policy.flushToZero); flushOutput catches
 * the exact subnormal results that never reach it (sums, differences).
 */
import { exc, FLUSHED, INPUT_DENORMAL } from "./flags.js";

/** A subnormal x of a format whose smallest normal is minNormal reads as a zero of its sign. */
export function flushInput(x: number, minNormal: number): number {
  if (x !== 0 && x < minNormal && x > -minNormal) {
    exc.flags |= INPUT_DENORMAL;
    return x < 0 ? -0 : 0;
  }
  return x;
}

/** A subnormal result x becomes a zero of its sign, raising FLUSHED. */
export function flushOutput(x: number, minNormal: number): number {
  if (x !== 0 && x < minNormal && x > -minNormal) {
    exc.flags |= FLUSHED;
    return x < 0 ? -0 : 0;
  }
  return x;
}
