/**
 * A compile queue for tests of asynchronous compile: it compiles on `submit` but hands a
 * module out only once released (by `release()`, or by itself after `delay` polls of
 * `ready`), so a test decides what the guest does while its code is "being compiled".
 */
import {
  type CompiledModuleHandler,
  type CompileQueue,
  type WasmModule,
  wasmApi,
} from "@axvisor/machine";

interface Held {
  readonly ticket: number;
  readonly module: WasmModule;
  polls: number;
  out: boolean;
}

export class HeldCompileQueue implements CompileQueue {
  readonly offThread = false;
  private held: Held[] = [];
  private next = 1;
  /** Modules handed out so far. */
  taken = 0;

  /** `delay`: polls of `ready` after which a module goes out unreleased (default: never). */
  constructor(private readonly delay = Number.POSITIVE_INFINITY) {}

  get pending(): number {
    return this.held.length;
  }

  get ready(): boolean {
    let any = false;
    for (const h of this.held) {
      if (++h.polls > this.delay) h.out = true;
      any ||= h.out;
    }
    return any;
  }

  submit(bytes: Uint8Array): number {
    const ticket = this.next++;
    this.held.push({ ticket, module: new wasmApi!.Module(bytes), polls: 0, out: false });
    return ticket;
  }

  /** Lets every module submitted so far go out at the next `ready`. */
  release(): void {
    for (const h of this.held) h.out = true;
  }

  take(fn: CompiledModuleHandler): number {
    // In submission order, as the real queues: the first still held stops the rest.
    const k = this.held.findIndex((h) => !h.out);
    const out = this.held.splice(0, k < 0 ? this.held.length : k);
    for (const h of out) {
      this.taken++;
      fn(h.ticket, h.module);
    }
    return out.length;
  }

  drain(fn: CompiledModuleHandler): number {
    this.release();
    return this.take(fn);
  }

  close(): void {
    this.held = [];
  }
}
