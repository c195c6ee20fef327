/**
 * Where a JIT hands the WebAssembly modules it writes to be compiled. V8 compiles a module's
 * functions with its baseline compiler when they are first called (lazy compilation), on the
 * thread that calls them: in an emulator that is the thread running the guest, which stalls
 * for every region it compiles. The off-thread queue compiles each module eagerly on a worker
 * thread and hands back a module whose code is ready, so the guest keeps running (interpreted)
 * while its hot code compiles on another core.
 *
 * The contract a JIT relies on: modules come back in submission order; `ready` is a single
 * read of shared memory (cheap enough for every block-boundary check); nothing is compiled
 * twice; a module that fails to compile makes `take` throw with V8's reason (it is a JIT
 * bug, not a guest error).
 */
import { SyncCompileQueue } from "./sync-compile-queue.js";
import type { WasmModule } from "./wasm-api.js";
import { openWorkerCompileQueue } from "./worker-compile-queue.js";

/** Called with each finished module, in submission order. */
export type CompiledModuleHandler = (ticket: number, module: WasmModule) => void;

export interface CompileQueue {
  /** Queues module bytes (copied: the caller may reuse its buffer); returns a ticket (> 0). */
  submit(bytes: Uint8Array): number;
  /** True when at least one submitted module is compiled and waits to be taken. */
  readonly ready: boolean;
  /** Submitted modules not yet taken. */
  readonly pending: number;
  /** Hands every finished module to `fn` without waiting; returns how many. */
  take(fn: CompiledModuleHandler): number;
  /** Waits until every submitted module is compiled and hands them all to `fn`. */
  drain(fn: CompiledModuleHandler): number;
  /** True when compiles run on another thread. */
  readonly offThread: boolean;
  /** Releases the queue (modules still pending are dropped). */
  close(): void;
}

export interface CompileQueueOptions {
  /**
   * Compile on a worker thread where the host has `node:worker_threads`. Default: only when
   * the environment variable AXVISOR_JIT_OFFTHREAD=1 asks for it, because on the 2-core hosts
   * measured it did not shorten a Linux boot (hot code waits interpreted for its module while
   * V8's own tier-up threads already use the second core). False, or a host without worker
   * threads, gives the synchronous queue: `submit` compiles at once.
   */
  readonly offThread?: boolean;
}

function offThreadRequestedByEnv(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.AXVISOR_JIT_OFFTHREAD === "1";
}

/** A compile queue: off-thread when asked for and the host allows it, else synchronous. */
export function openCompileQueue(opts: CompileQueueOptions = {}): CompileQueue {
  const offThread = opts.offThread ?? offThreadRequestedByEnv();
  if (offThread) {
    const q = openWorkerCompileQueue();
    if (q !== undefined) return q;
  }
  return new SyncCompileQueue();
}
