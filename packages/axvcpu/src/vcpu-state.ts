/** AxVisor's `VCpuState`, with its numeric values. */
export enum VCpuState {
  /** A transition failed; the vCPU can no longer be used. */
  Invalid = 0,
  /** Built, not yet set up. */
  Created = 1,
  /** Set up and not attached to a physical CPU. */
  Free = 2,
  /** Attached to a physical CPU, ready to enter the guest. */
  Ready = 3,
  /** Inside `run()`. */
  Running = 4,
  /** Waiting (guest halt, VM suspended); cannot be bound or run until unblocked. */
  Blocked = 5,
}

export const vcpuStateName = (s: VCpuState): string => VCpuState[s] ?? `Unknown(${s})`;
