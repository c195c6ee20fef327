/**
 * The CPU state a boot loader leaves: flat 32-bit protected mode (Linux's 32-bit boot
 * protocol and multiboot both start there) or the reset vector (firmware).
 */
export interface FlatProtectedEntry {
  readonly kind: "protected32";
  readonly eip: number;
  /** General registers to set (eax, ebx, esi, ...); the rest are 0. */
  readonly regs: Readonly<
    Partial<Record<"eax" | "ebx" | "ecx" | "edx" | "esi" | "edi" | "ebp" | "esp", number>>
  >;
  /** GDT the loader wrote: __BOOT_CS = 0x10, __BOOT_DS = 0x18. */
  readonly gdtBase: number;
  readonly gdtLimit: number;
}

export interface ResetVectorEntry {
  readonly kind: "reset";
}

export type BootEntry = FlatProtectedEntry | ResetVectorEntry;

/** Selectors of the boot GDT (Linux's __BOOT_CS / __BOOT_DS). */
export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;
/** Where the boot GDT goes. */
export const BOOT_GDT = 0x6000;

/** Segment attributes in the VMCS access-rights layout the CPU uses. */
export const FLAT_CODE32_ATTR = 0xc09b;
export const FLAT_DATA32_ATTR = 0xc093;

/** The boot GDT: null, null, flat 4 GiB code (0x10), flat 4 GiB data (0x18). */
export function bootGdt(): Uint8Array {
  const g = new Uint8Array(32);
  const v = new DataView(g.buffer);
  v.setBigUint64(0x10, 0x00cf_9a00_0000_ffffn, true);
  v.setBigUint64(0x18, 0x00cf_9200_0000_ffffn, true);
  return g;
}
