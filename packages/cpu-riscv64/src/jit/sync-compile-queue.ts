/**
 * The compile queue that compiles on `submit`: the JIT's default until the shared queue of
 * @axvisor/machine is used.
 */
import { wasmApi } from "@axvisor/machine";
import type { JitCompileQueue } from "./jit.js";

export class SyncCompileQueue implements JitCompileQueue {
  private readonly done: [number, object][] = [];
  private next = 1;

  get ready(): boolean {
    return this.done.length > 0;
  }

  submit(bytes: Uint8Array): number {
    const ticket = this.next++;
    this.done.push([ticket, new wasmApi!.Module(bytes)]);
    return ticket;
  }

  take(each: (ticket: number, module: object) => void): void {
    const got = this.done.splice(0);
    for (const [t, m] of got) each(t, m);
  }

  drain(each: (ticket: number, module: object) => void): void {
    this.take(each);
  }
}
