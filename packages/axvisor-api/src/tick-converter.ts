/**
 * Exact conversion between a tick counter of `hz` ticks per second and nanoseconds, for
 * `HostTime.ticksToNanos`/`nanosToTicks`. The naive `ticks * 1e9 / hz` leaves the range of
 * exact doubles (2^53) after under a second at 10 MHz; reducing the ratio by its gcd and
 * splitting quotient from remainder keeps every intermediate small. Results round down.
 */
export interface TickConverter {
  readonly hz: number;
  ticksToNanos(ticks: number): number;
  nanosToTicks(nanos: number): number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** floor(value * num / den) without forming value * num. */
function scale(value: number, num: number, den: number): number {
  // Only clock rates sharing few factors with 10^9 (none in practice) need the slow path.
  if (num * den > Number.MAX_SAFE_INTEGER) {
    return Number((BigInt(Math.floor(value)) * BigInt(num)) / BigInt(den));
  }
  const q = Math.floor(value / den);
  const r = value - q * den;
  return q * num + Math.floor((r * num) / den);
}

export function tickConverter(hz: number): TickConverter {
  if (!Number.isSafeInteger(hz) || hz <= 0) {
    throw new RangeError(`tick frequency must be a positive integer in Hz, got ${hz}`);
  }
  const g = gcd(1_000_000_000, hz);
  const nsPerTickNum = 1_000_000_000 / g;
  const nsPerTickDen = hz / g;
  return {
    hz,
    ticksToNanos: (ticks) => scale(ticks, nsPerTickNum, nsPerTickDen),
    nanosToTicks: (nanos) => scale(nanos, nsPerTickDen, nsPerTickNum),
  };
}
