/** ICH_LR<n>_EL2 (ARM IHI 0069 §12.5.9): the fields the vGIC writes and reads back. */

export const LrState = { Invalid: 0, Pending: 1, Active: 2, PendingActive: 3 } as const;
export type LrState = (typeof LrState)[keyof typeof LrState];

/** A virtual interrupt in the list-register layout: vINTID 31:0, priority 55:48, group 60, state 63:62. */
export function encodeLr(intid: number, priority: number, group: number, state: LrState): bigint {
  return (
    (BigInt(state) << 62n) |
    (BigInt(group & 1) << 60n) |
    (BigInt(priority & 0xff) << 48n) |
    BigInt(intid >>> 0)
  );
}

export function lrState(lr: bigint): LrState {
  return Number((lr >> 62n) & 3n) as LrState;
}

export function lrIntid(lr: bigint): number {
  return Number(lr & 0xffff_ffffn);
}
