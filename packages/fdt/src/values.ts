import { fdtError, fdtUsage } from "./errors.js";

/**
 * Encoders and decoders for property values. Cells are big-endian u32; a 64-bit quantity is
 * two cells, high first. Numbers handed in must be exact integers: a device tree that silently
 * rounds an address is worse than an error.
 */

const TWO_32 = 2 ** 32;

function checkCell(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= TWO_32) {
    throw fdtUsage(`cell value ${v} is not an integer in 0..0xffffffff`);
  }
}

/** `<a b c>`: one u32 cell per number. */
export function encodeU32s(cells: readonly number[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((c, i) => {
    checkCell(c);
    view.setUint32(i * 4, c);
  });
  return out;
}

/** Splits a non-negative integer into `count` cells, high cell first. */
export function numberToCells(value: number | bigint, count: number): number[] {
  let v = BigInt(value);
  if (v < 0n) throw fdtUsage(`value ${value} is negative`);
  const cells = new Array<number>(count);
  for (let i = count - 1; i >= 0; i--) {
    cells[i] = Number(v & 0xffff_ffffn);
    v >>= 32n;
  }
  if (v !== 0n)
    throw fdtUsage(`value 0x${BigInt(value).toString(16)} does not fit ${count} cell(s)`);
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw fdtUsage(`value ${value} is not an exact integer; pass a bigint`);
  }
  return cells;
}

/** `/bits/ 64 <a b>` as dtc writes it: each value in two cells. */
export function encodeU64s(values: readonly (number | bigint)[]): Uint8Array {
  return encodeU32s(values.flatMap((v) => numberToCells(v, 2)));
}

const utf8 = new TextEncoder();

function checkString(s: string): void {
  if (s.includes("\0")) throw fdtUsage(`string ${JSON.stringify(s)} contains a NUL character`);
}

/** A NUL-terminated string. */
export function encodeString(s: string): Uint8Array {
  return encodeStrings([s]);
}

/** A string list: each string NUL-terminated, concatenated (e.g. `compatible`). */
export function encodeStrings(list: readonly string[]): Uint8Array {
  for (const s of list) checkString(s);
  return utf8.encode(list.map((s) => `${s}\0`).join(""));
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/** Reads cells; the value length must be a multiple of 4. */
export function decodeU32s(value: Uint8Array, what: string): number[] {
  if (value.length % 4 !== 0) {
    throw fdtError(`${what}: length ${value.length} is not a multiple of 4 (not a cell array)`);
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: number[] = [];
  for (let i = 0; i < value.length; i += 4) out.push(view.getUint32(i));
  return out;
}

/** Reads a string list; the value must end with NUL. */
export function decodeStrings(value: Uint8Array, what: string): string[] {
  if (value.length === 0 || value[value.length - 1] !== 0) {
    throw fdtError(`${what}: not a NUL-terminated string`);
  }
  return utf8Decoder.decode(value.subarray(0, value.length - 1)).split("\0");
}

/** Joins `count` cells starting at `index` into one integer (high cell first). */
export function cellsToBigInt(cells: readonly number[], index: number, count: number): bigint {
  let v = 0n;
  for (let i = 0; i < count; i++) v = (v << 32n) | BigInt(cells[index + i] ?? 0);
  return v;
}

/** Like cellsToBigInt, as a number; throws when the value is beyond 2^53. */
export function cellsToNumber(
  cells: readonly number[],
  index: number,
  count: number,
  what: string,
): number {
  let v = 0;
  for (let i = 0; i < count; i++) v = v * TWO_32 + (cells[index + i] ?? 0);
  if (!Number.isSafeInteger(v)) throw fdtError(`${what}: value exceeds 2^53, read it as a bigint`);
  return v;
}
