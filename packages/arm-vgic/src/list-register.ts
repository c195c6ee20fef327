/** List registers: ICH_LR<n>_EL2 (ARM IHI 0069 §12.5.9) and GICH_LR<n> (ARM IHI 0048B §5.3.11). */

export const LrState = { Invalid: 0, Pending: 1, Active: 2, PendingActive: 3 } as const;
export type LrState = (typeof LrState)[keyof typeof LrState];

/**
 * A virtual interrupt in the list-register layout: vINTID 31:0, pINTID 44:32, priority 55:48,
 * group 60, HW 61, state 63:62. With a physical INTID (`pintid` >= 0) HW is set: the guest's
 * deactivation of the virtual interrupt deactivates that physical one (IHI 0069 §4.2.4).
 */
export function encodeLr(
  intid: number,
  priority: number,
  group: number,
  state: LrState,
  pintid = -1,
): bigint {
  const hw = pintid >= 0 ? (1n << 61n) | (BigInt(pintid & 0x1fff) << 32n) : 0n;
  return (
    (BigInt(state) << 62n) |
    hw |
    (BigInt(group & 1) << 60n) |
    (BigInt(priority & 0xff) << 48n) |
    BigInt(intid >>> 0)
  );
}

/** Whether a list register (ICH_LR layout) has HW set, and its physical INTID. */
export function lrPhysical(lr: bigint): number {
  return ((lr >> 61n) & 1n) === 1n ? Number((lr >> 32n) & 0x1fffn) : -1;
}

export function lrState(lr: bigint): LrState {
  return Number((lr >> 62n) & 3n) as LrState;
}

export function lrIntid(lr: bigint): number {
  return Number(lr & 0xffff_ffffn);
}

/** GICH register offsets (ARM IHI 0048B §5.3) the vGICv2 uses, and GICH_HCR.En. */
export const GICH = {
  HCR: 0x00,
  VMCR: 0x08,
  APR: 0xf0,
  LR0: 0x100,
  HCR_EN: 1,
} as const;

/**
 * A GICH_LR<n> value: VirtualID 9:0, PhysicalID 19:10 (for a software SGI, the source CPU in
 * 12:10; with `hw`, the physical INTID the guest's deactivation deactivates), Priority 27:23
 * (the top 5 bits), State 29:28, Grp1 30, HW 31.
 */
export function encodeGichLr(
  intid: number,
  physical: number,
  priority: number,
  group: number,
  state: LrState,
  hw = false,
): number {
  return (
    ((intid & 0x3ff) |
      ((physical & 0x3ff) << 10) |
      (((priority >> 3) & 0x1f) << 23) |
      ((state & 3) << 28) |
      ((group & 1) << 30) |
      (hw ? 1 << 31 : 0)) >>>
    0
  );
}

export function gichLrState(lr: number): LrState {
  return ((lr >>> 28) & 3) as LrState;
}
