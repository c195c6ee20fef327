import { axErr } from "@axvisor/axerrno";

/** What a physical CPU knows about the vCPU it is manipulating. */
export interface VCpuIdentity {
  readonly vmId: number;
  readonly vcpuId: number;
}

export const formatVCpu = (v: VCpuIdentity): string => `VM ${v.vmId} vCPU ${v.vcpuId}`;

/**
 * The "current vCPU" of one physical CPU, set while a backend call runs on its behalf (bind,
 * run, unbind), so host services can answer "which vCPU is this?". One object per physical
 * CPU, owned by whoever owns that CPU: no process-wide state.
 */
export class CurrentVCpu<V extends VCpuIdentity = VCpuIdentity> {
  readonly cpuId: number;
  #current: V | null = null;

  constructor(cpuId: number) {
    if (!Number.isInteger(cpuId) || cpuId < 0) {
      throw axErr("InvalidInput", `physical CPU id must be a non-negative integer, got ${cpuId}`);
    }
    this.cpuId = cpuId;
  }

  get current(): V | null {
    return this.#current;
  }

  /**
   * Runs `fn` with `vcpu` as this CPU's current vCPU. A backend call cannot start another
   * one on the same CPU, so nesting is a bug and fails with BadState.
   */
  with<T>(vcpu: V, fn: () => T): T {
    this.enter(vcpu);
    try {
      return fn();
    } finally {
      this.#current = null;
    }
  }

  /**
   * `with` without a closure, for the per-exit run call: makes `vcpu` current (BadState if
   * another is); the caller must `leave()` in a finally.
   */
  enter(vcpu: V): void {
    const busy = this.#current;
    if (busy !== null) {
      throw axErr(
        "BadState",
        `physical CPU ${this.cpuId} is already working on ${formatVCpu(busy)}; ` +
          `cannot also start ${formatVCpu(vcpu)}`,
      );
    }
    this.#current = vcpu;
  }

  leave(): void {
    this.#current = null;
  }
}
