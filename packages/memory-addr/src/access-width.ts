/**
 * The width of one memory, port or system-register access, in bytes. AxVisor's names follow
 * x86 usage: a Word is 16 bits.
 */
export enum AccessWidth {
  Byte = 1,
  Word = 2,
  Dword = 4,
  Qword = 8,
}

export function accessWidthFromBytes(bytes: number): AccessWidth {
  switch (bytes) {
    case 1:
      return AccessWidth.Byte;
    case 2:
      return AccessWidth.Word;
    case 4:
      return AccessWidth.Dword;
    case 8:
      return AccessWidth.Qword;
    default:
      throw new RangeError(`no access width of ${bytes} bytes`);
  }
}

export const accessWidthBits = (w: AccessWidth): number => w * 8;

/** Keeps the low `width` bytes of a value: what a device register of that width can hold. */
export function maskToWidth(value: bigint, width: AccessWidth): bigint {
  return BigInt.asUintN(width * 8, value);
}

/** Sign-extends the low `width` bytes of a value to 64 bits (as an unsigned 64-bit bigint). */
export function signExtendFromWidth(value: bigint, width: AccessWidth): bigint {
  return BigInt.asUintN(64, BigInt.asIntN(width * 8, value));
}
