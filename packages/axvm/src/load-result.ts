import { type AccessWidth, maskToWidth, signExtendFromWidth } from "@axvisor/memory-addr";

/**
 * The value a load of `width` bytes leaves in a `regWidth`-byte register: zero- or
 * sign-extended from the access width, then cut to the register (an ARM `ldrsb w0` sign-extends
 * to 32 bits and clears the upper half of x0).
 */
export function loadResult(
  value: bigint,
  width: AccessWidth,
  signExtend: boolean,
  regWidth: AccessWidth,
): bigint {
  const extended = signExtend ? signExtendFromWidth(value, width) : maskToWidth(value, width);
  return maskToWidth(extended, regWidth);
}

/** Little-endian bytes as an unsigned value (every supported architecture is little-endian here). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

export function bigIntToBytes(value: bigint, width: number): Uint8Array {
  const out = new Uint8Array(width);
  let v = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
