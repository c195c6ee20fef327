import { gpa } from "@axvisor/memory-addr";
import type { VmInstance } from "../../../vmm/vm-instance.js";
import type { PostedWrite, WorkerCall } from "./vcpu-thread-protocol.js";

/**
 * How many blocking round trips to the main thread a threaded VM's workers made, by kind
 * (and, for MMIO, by device and register offset): each costs a thread switch, so these are
 * what a threaded run's speed depends on. Printed when AXVISOR_THREADS_STATS=1.
 */
export class CallCounts {
  readonly #counts = new Map<string, number>();

  count(call: WorkerCall, vm: VmInstance): void {
    this.#add(this.#key(call, vm));
  }

  /** A store the worker posted without waiting (not a round trip), for comparison. */
  countPosted(w: PostedWrite, vm: VmInstance): void {
    this.#add(
      `(posted) ${this.#key({ op: "mmio-write", vcpu: w.vcpu, addr: w.addr, width: 1, data: 0n }, vm)}`,
    );
  }

  #add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  #key(call: WorkerCall, vm: VmInstance): string {
    if (call.op !== "mmio-read" && call.op !== "mmio-write") return call.op;
    const device = vm.axvm.devices.findMmioDevice(gpa(call.addr));
    if (device === undefined) return `${call.op} RAM (lazy)`;
    return `${call.op} ${device.name} +0x${(call.addr - device.start).toString(16)}`;
  }

  report(): string {
    const rows = [...this.#counts].sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((n, [k, c]) => (k.startsWith("(") ? n : n + c), 0);
    return `threaded VM: ${total} main-thread round trips\n${rows.map(([k, c]) => `  ${String(c).padStart(8)}  ${k}\n`).join("")}`;
  }
}
