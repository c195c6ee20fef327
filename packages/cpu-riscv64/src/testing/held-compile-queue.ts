/**
 * A compile queue for tests of asynchronous compile: it compiles on `submit` but hands a
 * module out only once released (by `release()`, or by itself after `delay` polls of
 * `ready`), so a test decides what the guest does while its code is "being compiled".
 */
import { wasmApi } from "@axvisor/machine";
import type { JitCompileQueue } from "../jit/jit.js";

export class HeldCompileQueue implements JitCompileQueue {
  private readonly held: { ticket: number; module: object; polls: number; out: boolean }[] = [];
  private next = 1;
  /** Modules handed out so far. */
  taken = 0;

  /** `delay`: polls of `ready` after which a module goes out unreleased (Infinity: never). */
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

  take(each: (ticket: number, module: object) => void): void {
    const out = this.held.filter((h) => h.out);
    for (const h of out) this.held.splice(this.held.indexOf(h), 1);
    for (const h of out) {
      this.taken++;
      each(h.ticket, h.module);
    }
  }

  drain(each: (ticket: number, module: object) => void): void {
    this.release();
    this.take(each);
  }
}
