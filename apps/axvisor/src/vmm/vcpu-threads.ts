/**
 * What `axvisor run --threads N` asks of a platform that can run one VM's vCPUs on worker
 * threads. The VMM core knows only this contract; each platform's runner lives with the
 * platform (it builds that architecture's CPUs on the workers) and is listed, Node-only, in
 * `platforms/node.ts`.
 */
import type { VmInstance } from "./vm-instance.js";
import type { Vmm } from "./vmm.js";

/** A VM whose vCPUs run on worker threads; `done` resolves once every worker has left. */
export interface ThreadedVm {
  readonly done: Promise<void>;
  /**
   * Resolves with performance.now() at the moment every worker had built its CPU and all
   * were released together (thread creation and module loading come before it).
   */
  readonly started: Promise<number>;
  /** Stops the workers (the VMM ends the VM as stopped unless it ended already). */
  stop(): void;
  /** Guest instructions the workers retired, once `done`. */
  readonly instructions: number;
}

export interface VcpuThreadRunner {
  /** Why this VMM's VM cannot run on `threads` worker threads, or undefined when it can. */
  refusal(vmm: Vmm, threads: number): string | undefined;
  /**
   * Runs the vCPUs of `vm` (started, status Running) on `threads` workers; the main thread
   * keeps the VM's devices and console and serves the workers' calls for them.
   */
  run(vmm: Vmm, vm: VmInstance, threads: number): ThreadedVm;
}
