/**
 * The MSR bitmap (SDM 24.6.9): four 1 KiB bitmaps, read-low (MSRs 0-0x1FFF), read-high
 * (0xC000_0000-0xC000_1FFF), write-low, write-high; a set bit makes the access exit.
 */

/** MSRs the guest reads and writes on the CPU itself (their values are switched per vCPU). */
export const PASSTHROUGH_MSRS: readonly number[] = [
  0x174,
  0x175,
  0x176, // SYSENTER_CS/ESP/EIP (VMCS guest state)
  0x277, // PAT (saved and loaded by the VM-exit/entry controls)
  0xc000_0080, // EFER (likewise)
  0xc000_0081,
  0xc000_0082,
  0xc000_0083,
  0xc000_0084, // STAR, LSTAR, CSTAR, SFMASK
  0xc000_0100,
  0xc000_0101,
  0xc000_0102,
  0xc000_0103, // FS/GS/KERNEL_GS base, TSC_AUX
  0x2ff,
  0x250,
  0x258,
  0x259, // MTRR default type and fixed ranges
  ...Array.from({ length: 16 }, (_, i) => 0x200 + i), // variable MTRRs
  ...Array.from({ length: 8 }, (_, i) => 0x268 + i),
];

/** MSRs the guest reads on the CPU but whose writes exit (shared or host-owned state). */
export const READ_ONLY_MSRS: readonly number[] = [
  0x10, // TSC: a write would move the host's time stamp counter
  0xfe, // MTRRcap
  0x1a0, // MISC_ENABLE
];

export interface MsrPolicy {
  readonly passthrough?: readonly number[];
  readonly readOnly?: readonly number[];
}

function clearBit(bitmap: Uint8Array, offset: number, msr: number): void {
  const index = msr >= 0xc000_0000 ? msr - 0xc000_0000 : msr;
  if (index < 0 || index > 0x1fff) return;
  const high = msr >= 0xc000_0000 ? 0x400 : 0;
  const byte = offset + high + (index >>> 3);
  bitmap[byte] = (bitmap[byte] ?? 0) & ~(1 << (index & 7));
}

/**
 * Fills a 4 KiB MSR bitmap: everything exits (the APIC MSRs, unknown MSRs that must raise
 * #GP, the VMM's sysreg devices) except the MSRs of the policy.
 */
export function writeMsrBitmap(bitmap: Uint8Array, policy?: MsrPolicy): void {
  bitmap.fill(0xff);
  for (const msr of policy?.passthrough ?? PASSTHROUGH_MSRS) {
    clearBit(bitmap, 0, msr);
    clearBit(bitmap, 0x800, msr);
  }
  for (const msr of policy?.readOnly ?? READ_ONLY_MSRS) clearBit(bitmap, 0, msr);
}
