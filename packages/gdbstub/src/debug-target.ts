/**
 * What the gdb stub drives: one debuggable machine or VM, its CPUs as threads. The protocol
 * engine knows no architecture; register layout, memory translation and the breakpoint
 * instruction are the target's business.
 *
 * Threads are numbered from 1 (GDB reserves 0 for "any" and -1 for "all").
 */
export interface DebugTarget {
  /** The target description documents GDB reads with `qXfer:features:read` ("target.xml", ...). */
  features(annex: string): string | undefined;
  /** The live threads, in the order `info threads` should list them. */
  threads(): readonly number[];
  /** A short description of a thread for `info threads` (e.g. "VM 1 vCPU 0"). */
  threadInfo(thread: number): string;
  /** Every register of the `g` packet, in the target description's order, target byte order. */
  readRegisters(thread: number): Uint8Array;
  /** Writes the `g` set (as many registers as `data` covers). */
  writeRegisters(thread: number, data: Uint8Array): boolean;
  /** Register `regnum` of the target description; undefined if there is no such register. */
  readRegister(thread: number, regnum: number): Uint8Array | undefined;
  writeRegister(thread: number, regnum: number, data: Uint8Array): boolean;
  /**
   * Memory as `thread` sees it now (its current address translation). Returns the bytes that
   * could be read from `addr` on: fewer than asked (possibly none) where the range stops being
   * readable.
   */
  readMemory(thread: number, addr: bigint, length: number): Uint8Array;
  /** False when some byte could not be written. */
  writeMemory(thread: number, addr: bigint, data: Uint8Array): boolean;
  /**
   * Memory packets address physical memory (on) or what the thread sees (off, the default):
   * QEMU's `maintenance packet Qqemu.PhyMemMode:1`. Absent: virtual only.
   */
  setPhysicalMemoryMode?(on: boolean): void;
  /** Inserts (`insert`) or removes a breakpoint or watchpoint; "unsupported" makes GDB fall back. */
  setBreakpoint(
    type: BreakpointType,
    addr: bigint,
    kind: number,
    insert: boolean,
  ): "ok" | "error" | "unsupported";
  /**
   * Resumes the target as `actions` say and resolves when it stops again (a breakpoint, a step
   * done, `interrupt()`, the guest powered off). Threads no action names stay stopped only if
   * the target can do that; an all-stop target runs them (GDB's all-stop mode).
   */
  resume(actions: readonly ResumeAction[]): Promise<StopEvent>;
  /** Stops a running target as soon as possible; the pending `resume` resolves with a stop. */
  interrupt(): void;
  /** The debugger ended the session: remove breakpoints and let the target run freely. */
  detach(): void;
  /** The debugger killed the target. */
  kill(): void;
}

export type BreakpointType = "software" | "hardware" | "write" | "read" | "access";

export interface ResumeAction {
  /** The thread, or "all" for every thread no other action names. */
  readonly thread: number | "all";
  readonly step: boolean;
}

/** Why the target stopped, as a stop reply tells GDB. */
export type StopEvent =
  | { readonly kind: "signal"; readonly thread: number; readonly signal: number }
  | { readonly kind: "breakpoint"; readonly thread: number; readonly type: "software" | "hardware" }
  | {
      readonly kind: "watchpoint";
      readonly thread: number;
      readonly type: "write" | "read" | "access";
      readonly addr: bigint;
    }
  | { readonly kind: "exited"; readonly code: number };

/** GDB's signal numbers for the stops a machine has. */
export const Signal = {
  INT: 2,
  ILL: 4,
  TRAP: 5,
  SEGV: 11,
} as const;
