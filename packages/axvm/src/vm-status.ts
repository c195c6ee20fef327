import { axErr } from "@axvisor/axerrno";

/** AxVisor's `VMStatus`. */
export enum VMStatus {
  /** Built; the VMM is loading images into guest memory. */
  Loading = "Loading",
  /** Images in place, not started. */
  Loaded = "Loaded",
  Running = "Running",
  /** vCPUs parked; memory, devices and vCPU state kept for `resume`. */
  Suspended = "Suspended",
  /** Shutting down: vCPUs still inside `runVcpu` leave at their next exit. */
  Stopping = "Stopping",
  Stopped = "Stopped",
}

/** The lifecycle operations and the statuses each may start from. */
export const VM_TRANSITIONS = {
  markLoaded: { from: [VMStatus.Loading], to: VMStatus.Loaded },
  boot: { from: [VMStatus.Loaded], to: VMStatus.Running },
  suspend: { from: [VMStatus.Running], to: VMStatus.Suspended },
  resume: { from: [VMStatus.Suspended], to: VMStatus.Running },
  shutdown: {
    from: [VMStatus.Loading, VMStatus.Loaded, VMStatus.Running, VMStatus.Suspended],
    to: VMStatus.Stopping,
  },
  /** Taken by the VM itself once no vCPU is inside `runVcpu`. */
  stopped: { from: [VMStatus.Stopping], to: VMStatus.Stopped },
  /** Rebuilds memory, devices and vCPUs (passing through Loading and Loaded) and runs again. */
  restart: {
    from: [VMStatus.Running, VMStatus.Suspended, VMStatus.Stopped],
    to: VMStatus.Running,
  },
} as const satisfies Record<string, { from: readonly VMStatus[]; to: VMStatus }>;

export type VMOperation = keyof typeof VM_TRANSITIONS;

/** The status `op` leads to from `from`; throws AxError BadState naming both when illegal. */
export function checkVmTransition(vmName: string, op: VMOperation, from: VMStatus): VMStatus {
  const t = VM_TRANSITIONS[op];
  if (!(t.from as readonly VMStatus[]).includes(from)) {
    throw axErr(
      "BadState",
      `${vmName}: cannot ${op} from ${from} to ${t.to} (allowed from ${t.from.join(", ")})`,
    );
  }
  return t.to;
}
