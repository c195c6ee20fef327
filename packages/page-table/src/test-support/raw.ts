import type { TestHost } from "@axvisor/axvisor-api/testing";

/** The 64-bit little-endian word stored at host-physical `pa`, read straight from test RAM. */
export function rawEntry(host: TestHost, pa: number): bigint {
  const dv = new DataView(host.ram.buffer, host.ram.byteOffset, host.ram.byteLength);
  return dv.getBigUint64(pa - host.ramBase, true);
}

/** The raw entry `index` of the table at `table`. */
export const entryAt = (host: TestHost, table: number, index: number): bigint =>
  rawEntry(host, table + index * 8);

/** Joins walk()'s raw halves for comparison with 64-bit hex literals. */
export const joinRaw = (raw: { lo: number; hi: number }): bigint =>
  (BigInt(raw.hi) << 32n) | BigInt(raw.lo);
