import type { HostServices } from "@axvisor/axvisor-api";
import type { GuestPhysAddr, HostPhysAddr } from "@axvisor/memory-addr";
import type { ArchVCpu, ArchVCpuFactory } from "../arch-vcpu.js";
import type { ExitReason } from "../exit-reason.js";
import type { GuestFault } from "../guest-fault.js";

/** Every backend call the double saw, in order. */
export type ArchCall =
  | { readonly op: "setEntry"; readonly entry: GuestPhysAddr }
  | { readonly op: "setEptRoot"; readonly root: HostPhysAddr }
  | { readonly op: "setup"; readonly config: unknown }
  | { readonly op: "bind" }
  | { readonly op: "unbind" }
  | { readonly op: "run"; readonly exit: ExitReason }
  | { readonly op: "setGpr"; readonly index: number; readonly value: bigint }
  | { readonly op: "setStartArgs"; readonly cpuId: bigint; readonly arg: bigint }
  | { readonly op: "injectInterrupt"; readonly vector: number }
  | { readonly op: "setInterruptLevel"; readonly vector: number; readonly level: boolean }
  | { readonly op: "dispose" }
  | { readonly op: "setReturnValue"; readonly value: bigint }
  | { readonly op: "injectFault"; readonly fault: GuestFault };

export type ArchOp = ArchCall["op"];

/** One scripted `run()` result, or a function computing it from the double's state. */
export type ScriptStep = ExitReason | ((vcpu: ScriptedArchVCpu) => ExitReason);

export interface ScriptedArchVCpuOptions {
  /** Provide `injectFault` (default true); false models a backend without the hook. */
  readonly injectFaults?: boolean;
  /** What `run()` returns once the script is used up (default `{ kind: "Nothing" }`). */
  readonly whenDone?: ExitReason;
}

/**
 * A backend double for tests of the layers above the backend: `run()` returns scripted
 * exits in order, every call is recorded, and registers live in a map so a test can read what
 * the VMM wrote. `failOn(op, error)` makes one operation throw, for error-path tests.
 */
export class ScriptedArchVCpu<C = unknown, S = unknown> implements ArchVCpu<C, S> {
  readonly calls: ArchCall[] = [];
  readonly gprs = new Map<number, bigint>();
  readonly createConfig?: C;
  readonly injectFault?: (fault: GuestFault) => void;
  entry: GuestPhysAddr | null = null;
  eptRoot: HostPhysAddr | null = null;
  bound = false;
  /** What the last `setStartArgs` set (the boot protocol registers), if anything. */
  startArgs: { readonly cpuId: bigint; readonly arg: bigint } | null = null;
  /** Level interrupt lines currently raised. */
  readonly levels = new Set<number>();
  disposed = false;
  readonly #script: ScriptStep[];
  readonly #whenDone: ExitReason;
  readonly #failures = new Map<ArchOp, Error>();

  constructor(script: readonly ScriptStep[] = [], options: ScriptedArchVCpuOptions = {}) {
    this.#script = [...script];
    this.#whenDone = options.whenDone ?? { kind: "Nothing" };
    if (options.injectFaults ?? true) {
      this.injectFault = (fault) => this.#record({ op: "injectFault", fault });
    }
  }

  static withConfig<C, S>(
    createConfig: C,
    script: readonly ScriptStep[],
    options?: ScriptedArchVCpuOptions,
  ): ScriptedArchVCpu<C, S> {
    const v = new ScriptedArchVCpu<C, S>(script, options);
    (v as { createConfig?: C }).createConfig = createConfig;
    return v;
  }

  /** Appends steps to the script. */
  push(...steps: ScriptStep[]): void {
    this.#script.push(...steps);
  }

  /** Scripted exits not yet returned. */
  get remaining(): number {
    return this.#script.length;
  }

  /** Makes the next call of `op` throw `error`. */
  failOn(op: ArchOp, error: Error): void {
    this.#failures.set(op, error);
  }

  /** The recorded calls of one kind. */
  callsOf<K extends ArchOp>(op: K): Extract<ArchCall, { op: K }>[] {
    return this.calls.filter((c): c is Extract<ArchCall, { op: K }> => c.op === op);
  }

  setEntry(entry: GuestPhysAddr): void {
    this.#record({ op: "setEntry", entry });
    this.entry = entry;
  }

  setEptRoot(root: HostPhysAddr): void {
    this.#record({ op: "setEptRoot", root });
    this.eptRoot = root;
  }

  setup(config: S): void {
    this.#record({ op: "setup", config });
  }

  run(): ExitReason {
    this.#throwIfFailing("run");
    const step = this.#script.shift();
    const exit =
      step === undefined ? this.#whenDone : typeof step === "function" ? step(this) : step;
    this.calls.push({ op: "run", exit });
    return exit;
  }

  bind(): void {
    this.#record({ op: "bind" });
    this.bound = true;
  }

  unbind(): void {
    this.#record({ op: "unbind" });
    this.bound = false;
  }

  setGpr(index: number, value: bigint): void {
    this.#record({ op: "setGpr", index, value });
    this.gprs.set(index, value);
  }

  getGpr(index: number): bigint {
    return this.gprs.get(index) ?? 0n;
  }

  setStartArgs(cpuId: bigint, arg: bigint): void {
    this.#record({ op: "setStartArgs", cpuId, arg });
    this.startArgs = { cpuId, arg };
  }

  injectInterrupt(vector: number): void {
    this.#record({ op: "injectInterrupt", vector });
  }

  setInterruptLevel(vector: number, level: boolean): void {
    this.#record({ op: "setInterruptLevel", vector, level });
    if (level) this.levels.add(vector);
    else this.levels.delete(vector);
  }

  dispose(): void {
    this.#record({ op: "dispose" });
    this.disposed = true;
  }

  setReturnValue(value: bigint): void {
    this.#record({ op: "setReturnValue", value });
  }

  #throwIfFailing(op: ArchOp): void {
    const error = this.#failures.get(op);
    if (error !== undefined) {
      this.#failures.delete(op);
      throw error;
    }
  }

  #record(call: Exclude<ArchCall, { op: "run" }>): void {
    this.#throwIfFailing(call.op);
    this.calls.push(call);
  }
}

/**
 * A factory handing out `ScriptedArchVCpu`s, scripted per vCPU by `scriptFor`; keeps every
 * instance it built (a VM restart builds new ones) so tests can inspect them.
 */
export class ScriptedVCpuFactory<C = unknown, S = unknown> {
  /** Every backend built, in order, with the VM and vCPU it was built for. */
  readonly created: {
    readonly vmId: number;
    readonly vcpuId: number;
    readonly vcpu: ScriptedArchVCpu<C, S>;
    readonly host: HostServices;
  }[] = [];
  readonly #scriptFor: (vmId: number, vcpuId: number, generation: number) => readonly ScriptStep[];
  readonly #options: ScriptedArchVCpuOptions;

  /**
   * `scriptFor` gets the VM and vCPU ids and how many backends were already built for that
   * vCPU (0 on first creation, 1 after one VM restart, ...).
   */
  constructor(
    scriptFor: (
      vmId: number,
      vcpuId: number,
      generation: number,
    ) => readonly ScriptStep[] = () => [],
    options: ScriptedArchVCpuOptions = {},
  ) {
    this.#scriptFor = scriptFor;
    this.#options = options;
  }

  readonly create: ArchVCpuFactory<C, S> = (vmId, vcpuId, createConfig, host) => {
    const generation = this.created.filter((c) => c.vmId === vmId && c.vcpuId === vcpuId).length;
    const vcpu = ScriptedArchVCpu.withConfig<C, S>(
      createConfig,
      this.#scriptFor(vmId, vcpuId, generation),
      this.#options,
    );
    this.created.push({ vmId, vcpuId, vcpu, host });
    return vcpu;
  };

  /** The most recently built backend of a vCPU. */
  latest(vcpuId: number, vmId?: number): ScriptedArchVCpu<C, S> {
    for (let i = this.created.length - 1; i >= 0; i--) {
      const c = this.created[i]!;
      if (c.vcpuId === vcpuId && (vmId === undefined || c.vmId === vmId)) return c.vcpu;
    }
    throw new Error(`no scripted backend was built for vCPU ${vcpuId}`);
  }
}
