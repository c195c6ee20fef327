/** Numbers for 64-bit quantities: JS numbers hold canonical addresses exactly. */

export const TWO32 = 4294967296;
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

/** Wraps a number to the signed 64-bit range (exact for canonical addresses). */
export function wrap64(v: number): number {
  if (v >= TWO63) return v - TWO64;
  if (v < -TWO63) return v + TWO64;
  return v;
}
