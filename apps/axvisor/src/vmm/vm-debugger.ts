import { VMStatus } from "@axvisor/axvm";
import {
  type BreakpointType,
  type DebugTarget,
  type ResumeAction,
  Signal,
  type StopEvent,
} from "@axvisor/gdbstub";
import { readPaged, writePaged } from "../platform/paged-access.js";
import type { VcpuDebugArch } from "../platform/vcpu-debug.js";
import type { VmEnd, VmInstance } from "./vm-instance.js";

/** What the debugger needs from the VMM around it. */
export interface VmDebuggerHost {
  /** Ends the scheduler's idle sleep: the VM may run again. */
  wake(): void;
  /** Drops compiled guest code and cached translations (after a breakpoint write). */
  fenceAll(): void;
  /** The debugger killed the VM. */
  kill(): void;
  /** The debugger went away; the VM runs on undebugged. */
  detached(): void;
}

interface InsertedBreakpoint {
  readonly gpa: number;
  readonly saved: Uint8Array;
  readonly type: "software" | "hardware";
}

/**
 * One VM as a `DebugTarget`: each vCPU is a thread (thread n = vCPU n-1), the VM stops as a
 * whole (all-stop) while the other VMs keep running - the scheduler skips the vCPUs of a
 * stopped VM (`mayRun`). Registers and the breakpoint instruction come from the platform's
 * `VcpuDebugArch`; memory goes through the vCPU's current translation (its guest page
 * tables, then the VM's nested tables).
 *
 * Breakpoints (Z0, and Z1 the same way: the hart has no trigger module) are breakpoint
 * instructions written into guest memory with the compiled-code fence the VMM uses after any
 * change of guest code; the vCPUs trap breakpoint exceptions to the VMM while attached.
 * Watchpoints are left to GDB, which single-steps and compares ("software watchpoints").
 */
export class VmDebugger implements DebugTarget {
  readonly vm: VmInstance;
  readonly #arch: VcpuDebugArch;
  readonly #host: VmDebuggerHost;
  #stopped = true;
  /** The vCPU a step runs alone (-1: none). */
  #stepping = -1;
  #pending: ((stop: StopEvent) => void) | undefined;
  readonly #breakpoints = new Map<bigint, InsertedBreakpoint>();
  #lastThread = 1;
  #attached = true;
  /** Memory packets name guest-physical addresses (Qqemu.PhyMemMode:1). */
  #physical = false;

  constructor(vm: VmInstance, arch: VcpuDebugArch, host: VmDebuggerHost) {
    this.vm = vm;
    this.#arch = arch;
    this.#host = host;
    this.applyTrapping();
  }

  /** Whether the scheduler may run vCPU `vcpuId` of this VM now. */
  mayRun(vcpuId: number): boolean {
    return !this.#stopped && (this.#stepping < 0 || this.#stepping === vcpuId);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** (Re)arms breakpoint trapping on every vCPU (after attach, and after a VM restart). */
  applyTrapping(): void {
    for (let i = 0; i < this.vm.axvm.vcpuNum; i++) {
      this.#arch.setTrapping(this.vm.axvm.vcpu(i).arch, this.#attached);
    }
  }

  /** Called by the VMM after each slice of one of this VM's vCPUs. */
  afterSlice(vcpuId: number): void {
    const stop = this.#arch.takeStop(this.vm.axvm.vcpu(vcpuId).arch);
    if (stop === null || this.#stopped) return;
    const thread = vcpuId + 1;
    if (stop === "breakpoint") {
      const pc = this.#arch.pc(this.vm.axvm.vcpu(vcpuId).arch);
      const type = this.#breakpoints.get(pc)?.type ?? "software";
      this.#stop({ kind: "breakpoint", thread, type });
    } else if (this.#stepping === vcpuId) {
      this.#stop({ kind: "signal", thread, signal: Signal.TRAP });
    }
  }

  /** The VM stopped (powered off, stopped, crashed) while attached. */
  vmEnded(end: VmEnd): void {
    const code = end.kind === "poweroff" ? end.reason & 0xff : end.kind === "crashed" ? 1 : 0;
    this.#stop({ kind: "exited", code });
    // The session ends with the VM; a restarted VM runs undebugged.
    this.#breakpoints.clear();
    this.#attached = false;
    this.applyTrapping();
    this.#stopped = false;
    this.#host.detached();
  }

  /** Stops the VM at once (the first instruction with `--gdb`, or a shell command). */
  halt(): void {
    this.#stopped = true;
  }

  // --- DebugTarget ---------------------------------------------------------------------

  features(annex: string): string | undefined {
    return this.#arch.features(annex);
  }

  threads(): readonly number[] {
    return Array.from({ length: this.vm.axvm.vcpuNum }, (_, i) => i + 1);
  }

  threadInfo(thread: number): string {
    const slot = this.vm.slots[thread - 1];
    return `VM ${this.vm.id} vCPU ${thread - 1}${slot !== undefined ? ` (${slot.state})` : ""}`;
  }

  readRegisters(thread: number): Uint8Array {
    return this.#arch.readRegisters(this.#vcpu(thread));
  }

  writeRegisters(thread: number, data: Uint8Array): boolean {
    return this.#arch.writeRegisters(this.#vcpu(thread), data);
  }

  readRegister(thread: number, regnum: number): Uint8Array | undefined {
    return this.#arch.readRegister(this.#vcpu(thread), regnum);
  }

  writeRegister(thread: number, regnum: number, data: Uint8Array): boolean {
    return this.#arch.writeRegister(this.#vcpu(thread), regnum, data);
  }

  setPhysicalMemoryMode(on: boolean): void {
    this.#physical = on;
  }

  readMemory(thread: number, addr: bigint, length: number): Uint8Array {
    return readPaged(
      addr,
      length,
      (at) => this.#translate(thread, at),
      (pa, n) => {
        const r = this.vm.axvm.readGuest(pa, n);
        return r.ok ? r.value : undefined;
      },
    );
  }

  writeMemory(thread: number, addr: bigint, data: Uint8Array): boolean {
    const ok = writePaged(
      addr,
      data,
      (at) => this.#translate(thread, at),
      (gpa, bytes) => this.vm.axvm.writeGuest(gpa, bytes).ok,
    );
    // The guest may execute what was written: drop compiled code of it.
    if (ok) this.#host.fenceAll();
    return ok;
  }

  setBreakpoint(
    type: BreakpointType,
    addr: bigint,
    kind: number,
    insert: boolean,
  ): "ok" | "error" | "unsupported" {
    if (type !== "software" && type !== "hardware") return "unsupported";
    if (!insert) return this.#remove(addr) ? "ok" : "error";
    if (this.#breakpoints.has(addr)) return "ok";
    const insn = this.#arch.breakpointInstruction(kind);
    if (insn === undefined) return "error";
    const gpa = this.#translate(this.#lastThread, addr);
    if (gpa === null) return "error";
    const saved = this.vm.axvm.readGuest(gpa, insn.length);
    if (!saved.ok || !this.vm.axvm.writeGuest(gpa, insn).ok) return "error";
    this.#breakpoints.set(addr, { gpa, saved: saved.value, type });
    this.#host.fenceAll();
    return "ok";
  }

  resume(actions: readonly ResumeAction[]): Promise<StopEvent> {
    if (this.vm.status === VMStatus.Stopped) return Promise.resolve({ kind: "exited", code: 0 });
    const step = actions.find((a) => a.step && a.thread !== "all");
    const all = actions.find((a) => a.thread === "all");
    this.#stepping = -1;
    if (step !== undefined && typeof step.thread === "number") {
      this.#stepping = step.thread - 1;
    } else if (all?.step === true) {
      this.#stepping = this.#lastThread - 1;
    }
    if (this.#stepping >= 0) this.#arch.setSingleStep(this.#vcpu(this.#stepping + 1), true);
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#stopped = false;
      this.#host.wake();
    });
  }

  interrupt(): void {
    this.#stop({ kind: "signal", thread: this.#lastThread, signal: Signal.INT });
  }

  detach(): void {
    if (!this.#attached) return;
    for (const addr of [...this.#breakpoints.keys()]) this.#remove(addr);
    this.#attached = false;
    this.applyTrapping();
    this.#stepping = -1;
    this.#stopped = false;
    this.#host.detached();
    this.#host.wake();
  }

  kill(): void {
    this.detach();
    this.#host.kill();
  }

  // --- internals -----------------------------------------------------------------------

  #vcpu(thread: number) {
    const id = Math.min(Math.max(thread - 1, 0), this.vm.axvm.vcpuNum - 1);
    return this.vm.axvm.vcpu(id).arch;
  }

  /** The guest-physical address of `addr` (translated by the vCPU unless in physical mode). */
  #translate(thread: number, addr: bigint): number | null {
    if (this.#physical) return addr <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(addr) : null;
    return this.#arch.translate(this.#vcpu(thread), addr);
  }

  #remove(addr: bigint): boolean {
    const bp = this.#breakpoints.get(addr);
    if (bp === undefined) return false;
    this.#breakpoints.delete(addr);
    const ok = this.vm.axvm.writeGuest(bp.gpa, bp.saved).ok;
    this.#host.fenceAll();
    return ok;
  }

  #stop(event: StopEvent): void {
    if (this.#stepping >= 0) this.#arch.setSingleStep(this.#vcpu(this.#stepping + 1), false);
    this.#stepping = -1;
    this.#stopped = true;
    if ("thread" in event) this.#lastThread = event.thread;
    const p = this.#pending;
    this.#pending = undefined;
    p?.(event);
  }
}
