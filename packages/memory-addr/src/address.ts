/**
 * Addresses are plain JavaScript numbers carrying a compile-time brand, so a guest-physical
 * address cannot be passed where a host-physical one is expected. Numbers, not bigints:
 * every address this project handles is below 2^53 (RISC-V Sv48x4 guests have 50-bit
 * physical addresses; sign-extended Sv39/Sv48 virtual addresses lie within ±2^47), and number
 * arithmetic is an order of magnitude faster than BigInt in the paths that translate addresses.
 */
declare const brand: unique symbol;
type Branded<T, B extends string> = T & { readonly [brand]: B };

/** Guest-physical address (GPA): what the guest believes is physical memory. */
export type GuestPhysAddr = Branded<number, "GuestPhysAddr">;
/** Host-physical address (HPA): a location in the (emulated) machine's physical memory. */
export type HostPhysAddr = Branded<number, "HostPhysAddr">;
/** Guest-virtual address (GVA), sign-extended to a signed integer when above the canonical hole. */
export type GuestVirtAddr = Branded<number, "GuestVirtAddr">;
/** Host-virtual address (HVA): an offset into a host buffer that backs host-physical memory. */
export type HostVirtAddr = Branded<number, "HostVirtAddr">;

/** Largest address value that a JavaScript number represents exactly. */
export const MAX_ADDR = Number.MAX_SAFE_INTEGER;

function checked(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${what} must be a safe integer, got ${value}`);
  }
  return value;
}

function checkedPhys(value: number, what: string): number {
  checked(value, what);
  if (value < 0) throw new RangeError(`${what} must not be negative, got ${value}`);
  return value;
}

export const gpa = (value: number): GuestPhysAddr =>
  checkedPhys(value, "GuestPhysAddr") as GuestPhysAddr;
export const hpa = (value: number): HostPhysAddr =>
  checkedPhys(value, "HostPhysAddr") as HostPhysAddr;
export const gva = (value: number): GuestVirtAddr =>
  checked(value, "GuestVirtAddr") as GuestVirtAddr;
export const hva = (value: number): HostVirtAddr =>
  checkedPhys(value, "HostVirtAddr") as HostVirtAddr;

/** `0x8020_0000`-style hex, the way AxVisor's logs print addresses. */
export function formatHex(value: number): string {
  const sign = value < 0 ? "-" : "";
  const digits = Math.abs(value).toString(16).padStart(1, "0");
  const grouped = digits.replace(/\B(?=(?:[0-9a-f]{4})+$)/g, "_");
  return `${sign}0x${grouped}`;
}

export const formatGpa = (a: GuestPhysAddr): string => `GPA:${formatHex(a)}`;
export const formatHpa = (a: HostPhysAddr): string => `HPA:${formatHex(a)}`;
export const formatGva = (a: GuestVirtAddr): string => `GVA:${formatHex(a)}`;

/** Converts a 64-bit register value to an address number; null when it is not exactly representable. */
export function addrFromBigInt(value: bigint): number | null {
  const signed = BigInt.asIntN(64, value);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    return null;
  }
  return Number(signed);
}
