import type { AxResult } from "@axvisor/axerrno";
import { type BreakpointType, type ResumeAction, Signal, type StopEvent } from "@axvisor/gdbstub";
import type { EmuDebugTarget } from "./host-platform.js";
import { readPaged, writePaged } from "./paged-access.js";

/** The debugger controls of a bare board (`axvisor emu -s`): all-stop rounds of its CPUs. */
export interface DebuggableBoard {
  /** The CPUs stop at once; `onStop` hears of a breakpoint hit or a finished step. */
  debugAttach(onStop: (cpu: number, why: "breakpoint" | "step") => void): void;
  /** Stops the CPUs at the next instruction boundary. */
  debugHalt(): void;
  /** Lets the CPUs run (`stepCpu` < 0) or executes one instruction of CPU `stepCpu`. */
  debugResume(stepCpu: number): void;
  /** Breakpoint instructions reach the guest again and the CPUs run. */
  debugDetach(): void;
  stop(reason: string): void;
}

/**
 * What one architecture's board adds to the common debug target: its CPUs' registers as
 * GDB numbers them, address translation, the memory a debugger may touch, and the
 * breakpoint instruction. `cpu` is a CPU index (thread - 1).
 */
export interface BoardDebugArch {
  readonly board: DebuggableBoard;
  readonly targetXml: string;
  cpuCount(): number;
  threadInfo(cpu: number): string;
  readRegisters(cpu: number): Uint8Array;
  writeRegisters(cpu: number, data: Uint8Array): boolean;
  readRegister(cpu: number, regnum: number): Uint8Array | undefined;
  writeRegister(cpu: number, regnum: number, data: Uint8Array): boolean;
  /** The physical address behind `va` as CPU `cpu` translates data now; null: unmapped. */
  translate(cpu: number, va: bigint): number | null;
  /** Physical memory a debugger may read (RAM, ROM): never a device register. */
  readPhysical(pa: number, n: number): AxResult<Uint8Array>;
  writePhysical(pa: number, data: Uint8Array): AxResult<void>;
  /** Memory changed behind the CPUs' backs: cached translations and compiled code are stale. */
  fence(pa: number, length: number): void;
  /** The software breakpoint instruction of GDB's breakpoint `kind`; undefined: invalid. */
  breakpointInstruction(kind: number): Uint8Array | undefined;
}

/**
 * A bare board as GDB drives it: each CPU is a thread, all CPUs stop together, breakpoints
 * are instructions written into memory (hardware breakpoints too: the board's CPUs stop on
 * them the same way), and memory is read through the CPU's current translation unless GDB
 * asked for physical addresses (Qqemu.PhyMemMode:1).
 */
export class BoardDebugTarget implements EmuDebugTarget {
  readonly #arch: BoardDebugArch;
  #pending: ((stop: StopEvent) => void) | undefined;
  readonly #breakpoints = new Map<bigint, { pa: number; saved: Uint8Array }>();
  #last = 1;
  #attached = true;
  #physical = false;

  constructor(arch: BoardDebugArch) {
    this.#arch = arch;
    arch.board.debugAttach((cpu, why) =>
      this.#stop(
        why === "breakpoint"
          ? { kind: "breakpoint", thread: cpu + 1, type: "software" }
          : { kind: "signal", thread: cpu + 1, signal: Signal.TRAP },
      ),
    );
  }

  /** The machine's run ended (power-off, stop, fault): GDB hears that the target exited. */
  machineEnded(code: number): void {
    this.#stop({ kind: "exited", code });
  }

  features(annex: string): string | undefined {
    return annex === "target.xml" ? this.#arch.targetXml : undefined;
  }

  threads(): readonly number[] {
    return Array.from({ length: this.#arch.cpuCount() }, (_, i) => i + 1);
  }

  threadInfo(thread: number): string {
    return this.#arch.threadInfo(this.#cpu(thread));
  }

  readRegisters(thread: number): Uint8Array {
    return this.#arch.readRegisters(this.#cpu(thread));
  }

  writeRegisters(thread: number, data: Uint8Array): boolean {
    return this.#arch.writeRegisters(this.#cpu(thread), data);
  }

  readRegister(thread: number, regnum: number): Uint8Array | undefined {
    return this.#arch.readRegister(this.#cpu(thread), regnum);
  }

  writeRegister(thread: number, regnum: number, data: Uint8Array): boolean {
    return this.#arch.writeRegister(this.#cpu(thread), regnum, data);
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
        const r = this.#arch.readPhysical(pa, n);
        return r.ok ? r.value : undefined;
      },
    );
  }

  writeMemory(thread: number, addr: bigint, data: Uint8Array): boolean {
    return writePaged(
      addr,
      data,
      (at) => this.#translate(thread, at),
      (pa, bytes) => {
        if (!this.#arch.writePhysical(pa, bytes).ok) return false;
        this.#arch.fence(pa, bytes.length);
        return true;
      },
    );
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
    const pa = this.#translate(this.#last, addr);
    if (pa === null) return "error";
    const saved = this.#arch.readPhysical(pa, insn.length);
    if (!saved.ok || !this.#arch.writePhysical(pa, insn).ok) return "error";
    this.#breakpoints.set(addr, { pa, saved: saved.value });
    this.#arch.fence(pa, insn.length);
    return "ok";
  }

  resume(actions: readonly ResumeAction[]): Promise<StopEvent> {
    const step = actions.find((a) => a.step);
    const cpu = step === undefined ? -1 : (step.thread === "all" ? this.#last : step.thread) - 1;
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#arch.board.debugResume(cpu);
    });
  }

  interrupt(): void {
    this.#arch.board.debugHalt();
    this.#stop({ kind: "signal", thread: this.#last, signal: Signal.INT });
  }

  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    for (const addr of [...this.#breakpoints.keys()]) this.#remove(addr);
    this.#arch.board.debugDetach();
  }

  kill(): void {
    this.detach();
    this.#arch.board.stop("killed by gdb");
  }

  /** The CPU index of GDB's thread `thread` (CPU 0 for an unknown one). */
  #cpu(thread: number): number {
    return thread >= 1 && thread <= this.#arch.cpuCount() ? thread - 1 : 0;
  }

  #translate(thread: number, va: bigint): number | null {
    if (this.#physical) return va <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(va) : null;
    return this.#arch.translate(this.#cpu(thread), va);
  }

  #remove(addr: bigint): boolean {
    const bp = this.#breakpoints.get(addr);
    if (bp === undefined) return false;
    this.#breakpoints.delete(addr);
    const r = this.#arch.writePhysical(bp.pa, bp.saved);
    this.#arch.fence(bp.pa, bp.saved.length);
    return r.ok;
  }

  #stop(event: StopEvent): void {
    if ("thread" in event) this.#last = event.thread;
    const p = this.#pending;
    this.#pending = undefined;
    p?.(event);
  }
}
