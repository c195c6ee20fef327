/**
 * Floating-point register access with NaN-boxing. Doubles are read and written through a
 * Float64Array view of the register file (cached per file); singles live in the low word with
 * the high word all ones, and a single whose high word is anything else reads as the canonical NaN.
 */
import {
  DEFAULT_NAN_D_HI as CANONICAL_NAN_D_HI,
  DEFAULT_NAN_S as CANONICAL_NAN_S,
  f32Bits,
  f32FromBits,
} from "@axvisor/softfloat";

let boundFile: Int32Array | null = null;
let boundView: Float64Array<ArrayBufferLike> = new Float64Array(0);

/** The binary64 view of a register file. */
export function doubleView(f: Int32Array): Float64Array<ArrayBufferLike> {
  if (f === boundFile) return boundView;
  if ((f.byteOffset & 7) !== 0 || f.length < 64) {
    throw new TypeError("FpState.f must be an 8-byte aligned Int32Array of 64 elements");
  }
  boundFile = f;
  boundView = new Float64Array(f.buffer, f.byteOffset, 32);
  return boundView;
}

export function writeD(
  f: Int32Array,
  fv: Float64Array<ArrayBufferLike>,
  rd: number,
  v: number,
): void {
  if (Number.isNaN(v)) {
    f[2 * rd] = 0;
    f[2 * rd + 1] = CANONICAL_NAN_D_HI;
  } else {
    fv[rd] = v;
  }
}

export function isSnanD(f: Int32Array, r: number): boolean {
  const hi = f[2 * r + 1]!;
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) !== 0 || f[2 * r] !== 0);
}

/** The binary32 bits of register r, after the NaN-boxing check. */
export function bitsS(f: Int32Array, r: number): number {
  return f[2 * r + 1] === -1 ? f[2 * r]! : CANONICAL_NAN_S;
}

export function readS(f: Int32Array, r: number): number {
  return f[2 * r + 1] === -1 ? f32FromBits(f[2 * r]!) : Number.NaN;
}

export function isSnanS(f: Int32Array, r: number): boolean {
  const bits = bitsS(f, r);
  return (bits & 0x7fc00000) === 0x7f800000 && (bits & 0x3fffff) !== 0;
}

export function writeBitsS(f: Int32Array, rd: number, bits: number): void {
  f[2 * rd] = bits;
  f[2 * rd + 1] = -1;
}

/** Writes a binary32 value (exactly representable, or NaN for the canonical NaN). */
export function writeS(f: Int32Array, rd: number, v: number): void {
  writeBitsS(f, rd, Number.isNaN(v) ? CANONICAL_NAN_S : f32Bits(v));
}
