/**
 * A system-register address: a RISC-V CSR number, an x86 MSR index, or an AArch64 register
 * encoded in ESR_EL2.ISS layout. Ranges are inclusive, as in AxVisor.
 */
declare const sysRegBrand: unique symbol;
export type SysRegAddr = number & { readonly [sysRegBrand]: "SysRegAddr" };

export function sysRegAddr(value: number): SysRegAddr {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError(`system-register address must be a 32-bit unsigned integer, got ${value}`);
  }
  return value as SysRegAddr;
}

/** Inclusive range of system registers `[start, end]`. */
export interface SysRegAddrRange {
  readonly start: SysRegAddr;
  readonly end: SysRegAddr;
}

export function sysRegAddrRange(start: number, end: number): SysRegAddrRange {
  if (end < start) throw new RangeError(`sysreg range end ${end} is below its start ${start}`);
  return { start: sysRegAddr(start), end: sysRegAddr(end) };
}

export const sysRegRangeContains = (r: SysRegAddrRange, a: number): boolean =>
  a >= r.start && a <= r.end;
