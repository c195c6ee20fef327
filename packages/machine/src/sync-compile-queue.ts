/**
 * The compile queue of hosts without worker threads (browsers here, or when asked for): the
 * module is compiled inside `submit`, so it is ready at once. Compile errors are kept and
 * thrown by `take`, as the off-thread queue does, so a JIT handles both alike.
 */
import type { CompiledModuleHandler, CompileQueue } from "./compile-queue.js";
import { type WasmModule, wasmApi } from "./wasm-api.js";

type Result = { readonly ticket: number; readonly module?: WasmModule; readonly error?: string };

export class SyncCompileQueue implements CompileQueue {
  readonly offThread = false;
  private readonly done: Result[] = [];
  private next = 0;

  submit(bytes: Uint8Array): number {
    const ticket = ++this.next;
    const api = wasmApi;
    if (api === undefined) {
      this.done.push({ ticket, error: "this host has no WebAssembly" });
      return ticket;
    }
    try {
      this.done.push({ ticket, module: new api.Module(bytes) });
    } catch (e) {
      this.done.push({ ticket, error: e instanceof Error ? e.message : String(e) });
    }
    return ticket;
  }

  get ready(): boolean {
    return this.done.length !== 0;
  }

  get pending(): number {
    return this.done.length;
  }

  take(fn: CompiledModuleHandler): number {
    let n = 0;
    while (this.done.length !== 0) {
      const r = this.done.shift()!;
      n++;
      if (r.module === undefined)
        throw new Error(`JIT module ${r.ticket} failed to compile: ${r.error}`);
      fn(r.ticket, r.module);
    }
    return n;
  }

  drain(fn: CompiledModuleHandler): number {
    return this.take(fn);
  }

  close(): void {
    this.done.length = 0;
  }
}
