import { AxError, axErr } from "@axvisor/axerrno";
import type { HostServices } from "@axvisor/axvisor-api";
import type { GuestPhysAddr, HostPhysAddr } from "@axvisor/memory-addr";
import type { ArchVCpu, ArchVCpuFactory } from "./arch-vcpu.js";
import { type CurrentVCpu, formatVCpu, type VCpuIdentity } from "./current-vcpu.js";
import type { ExitReason } from "./exit-reason.js";
import type { GuestFault } from "./guest-fault.js";
import { VCpuState, vcpuStateName } from "./vcpu-state.js";

export interface VCpuOptions {
  /** Physical CPUs this vCPU may run on, bit i = CPU i; null = any. */
  readonly physCpuSet?: bigint | null;
  /** The physical CPU the scheduler should prefer. */
  readonly favorPhysCpu?: number;
}

/**
 * One virtual CPU: a backend `ArchVCpu` behind AxVisor's state machine.
 *
 * ```
 * Created --setup--> Free --bind--> Ready --run--> Running --(exit)--> Ready --unbind--> Free
 * Free/Ready --block--> Blocked --unblock--> (the state it was blocked from)
 * any failed precondition or throwing backend call --> Invalid (final)
 * ```
 *
 * `setEntry`, `setGpr`, `getGpr`, `injectInterrupt`, `setReturnValue` and `injectFault` go
 * straight to the backend in any state, as in AxVisor: the VMM calls them between runs.
 */
export class VCpu<CreateConfig = unknown, SetupConfig = unknown> implements VCpuIdentity {
  readonly vmId: number;
  readonly vcpuId: number;
  readonly physCpuSet: bigint | null;
  readonly favorPhysCpu: number;
  readonly arch: ArchVCpu<CreateConfig, SetupConfig>;

  #state = VCpuState.Created;
  #boundTo: CurrentVCpu | null = null;
  #blockedFrom: VCpuState.Free | VCpuState.Ready = VCpuState.Free;

  constructor(
    vmId: number,
    vcpuId: number,
    arch: ArchVCpu<CreateConfig, SetupConfig>,
    options: VCpuOptions = {},
  ) {
    this.vmId = vmId;
    this.vcpuId = vcpuId;
    this.arch = arch;
    this.physCpuSet = options.physCpuSet ?? null;
    this.favorPhysCpu = options.favorPhysCpu ?? 0;
  }

  /** Builds the backend with `factory` and wraps it (AxVisor's `AxVCpu::new`). */
  static create<C, S>(
    factory: ArchVCpuFactory<C, S>,
    vmId: number,
    vcpuId: number,
    createConfig: C,
    host: HostServices,
    options: VCpuOptions = {},
  ): VCpu<C, S> {
    return new VCpu(vmId, vcpuId, factory(vmId, vcpuId, createConfig, host), options);
  }

  get state(): VCpuState {
    return this.#state;
  }

  /** The bootstrap processor is vCPU 0. */
  isBsp(): boolean {
    return this.vcpuId === 0;
  }

  isBlocked(): boolean {
    return this.#state === VCpuState.Blocked;
  }

  /** The physical CPU this vCPU is bound to, or null when it is not bound. */
  get boundCpu(): CurrentVCpu | null {
    return this.#boundTo;
  }

  /** Created -> Free: entry point, nested page-table root, then the backend's setup. */
  setup(entry: GuestPhysAddr, eptRoot: HostPhysAddr, config: SetupConfig): void {
    this.#transition("setup", VCpuState.Created, VCpuState.Free, () => {
      this.arch.setEntry(entry);
      this.arch.setEptRoot(eptRoot);
      this.arch.setup(config);
    });
  }

  /** Free -> Ready: attaches the vCPU to physical CPU `cpu`. */
  bind(cpu: CurrentVCpu): void {
    this.#transition("bind", VCpuState.Free, VCpuState.Ready, () => {
      cpu.with(this, () => this.arch.bind());
    });
    this.#boundTo = cpu;
  }

  /** Ready -> Running -> Ready: runs the guest until the next exit the backend returns. */
  run(): ExitReason {
    // The transitions of #transition (Ready -> Running -> Ready), written out: this runs once
    // per exit, and closures here would be allocated on every one.
    const cpu = this.#requireBound("run");
    if (this.#state !== VCpuState.Ready) this.#fail("run", "needs Ready");
    this.#state = VCpuState.Running;
    let exit: ExitReason;
    try {
      cpu.enter(this);
      try {
        exit = this.arch.run();
      } finally {
        cpu.leave();
      }
    } catch (e) {
      this.#actionFailed("run", e);
    }
    this.#checkUnchanged("run", VCpuState.Running);
    this.#state = VCpuState.Ready;
    return exit;
  }

  /** Ready -> Free: detaches the vCPU from its physical CPU. */
  unbind(): void {
    const cpu = this.#requireBound("unbind");
    this.#transition("unbind", VCpuState.Ready, VCpuState.Free, () => {
      cpu.with(this, () => this.arch.unbind());
    });
    this.#boundTo = null;
  }

  /**
   * Free/Ready -> Blocked: the VMM parks the vCPU (guest halt, VM suspend). A blocked vCPU
   * cannot be bound or run; `unblock` returns it to where it was.
   */
  block(): void {
    const from = this.#state;
    if (from !== VCpuState.Free && from !== VCpuState.Ready) {
      this.#fail("block", "needs Free or Ready");
    }
    this.#blockedFrom = from;
    this.#state = VCpuState.Blocked;
  }

  /** Blocked -> the state `block` found. */
  unblock(): void {
    if (this.#state !== VCpuState.Blocked) this.#fail("unblock", "needs Blocked");
    this.#state = this.#blockedFrom;
  }

  setEntry(entry: GuestPhysAddr): void {
    this.arch.setEntry(entry);
  }

  setGpr(index: number, value: bigint): void {
    this.arch.setGpr(index, value);
  }

  getGpr(index: number): bigint {
    if (this.arch.getGpr === undefined) {
      throw axErr("Unsupported", `${formatVCpu(this)}: the backend cannot read registers`);
    }
    return this.arch.getGpr(index);
  }

  /** The boot-protocol registers at entry (see `ArchVCpu.setStartArgs`). */
  setStartArgs(cpuId: bigint, arg: bigint): void {
    this.arch.setStartArgs(cpuId, arg);
  }

  injectInterrupt(vector: number): void {
    this.arch.injectInterrupt(vector);
  }

  setInterruptLevel(vector: number, level: boolean): void {
    this.arch.setInterruptLevel(vector, level);
  }

  /** Time the vCPU was runnable but waited for a host CPU (steal time), if the backend reports it. */
  addStealTime(nanos: number): void {
    this.arch.addStealTime?.(nanos);
  }

  /** Releases the backend's host resources (timers); the VM is stopping or restarting. */
  dispose(): void {
    this.arch.dispose();
  }

  setReturnValue(value: bigint): void {
    this.arch.setReturnValue(value);
  }

  /** Delivers a guest-visible fault for the latest exit; false when the backend cannot. */
  injectFault(fault: GuestFault): boolean {
    if (this.arch.injectFault === undefined) return false;
    this.arch.injectFault(fault);
    return true;
  }

  toString(): string {
    return `${formatVCpu(this)} (${vcpuStateName(this.#state)})`;
  }

  #requireBound(op: string): CurrentVCpu {
    const cpu = this.#boundTo;
    if (cpu === null) this.#fail(op, "needs the vCPU bound to a physical CPU");
    return cpu;
  }

  #transition(op: string, from: VCpuState, to: VCpuState, action: () => void): void {
    if (this.#state !== from) this.#fail(op, `needs ${vcpuStateName(from)}`);
    try {
      action();
    } catch (e) {
      this.#actionFailed(op, e);
    }
    this.#checkUnchanged(op, from);
    this.#state = to;
  }

  /** The backend call of `op` threw: the vCPU is Invalid and the error says why. */
  #actionFailed(op: string, e: unknown): never {
    const state = vcpuStateName(this.#state);
    this.#state = VCpuState.Invalid;
    this.#boundTo = null;
    const why = e instanceof Error ? e.message : String(e);
    throw new AxError("BadState", `${formatVCpu(this)}: ${op} failed in state ${state}: ${why}`, {
      cause: e,
    });
  }

  /**
   * A backend that re-entered its own vCPU during the call (and made it Invalid) must not
   * have that hidden by the transition completing.
   */
  #checkUnchanged(op: string, from: VCpuState): void {
    if (this.#state !== from) {
      const state = vcpuStateName(this.#state);
      this.#state = VCpuState.Invalid;
      this.#boundTo = null;
      throw axErr("BadState", `${formatVCpu(this)}: state changed to ${state} during ${op}`);
    }
  }

  #fail(op: string, requirement: string): never {
    const state = vcpuStateName(this.#state);
    this.#state = VCpuState.Invalid;
    this.#boundTo = null;
    throw axErr("BadState", `${formatVCpu(this)}: cannot ${op} in state ${state} (${requirement})`);
  }
}
