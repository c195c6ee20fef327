import { RDN } from "./rounding.js";

/**
 * The sign of an exactly-zero sum x + y (IEEE 754 6.3): the common sign when both addends are
 * zeros of the same sign, otherwise +0, except under RDN where it is -0.
 */
export function exactZeroSum(x: number, y: number, rm: number): number {
  if (rm === RDN) return Object.is(x, 0) && Object.is(y, 0) ? 0 : -0;
  return Object.is(x, -0) && Object.is(y, -0) ? -0 : 0;
}
