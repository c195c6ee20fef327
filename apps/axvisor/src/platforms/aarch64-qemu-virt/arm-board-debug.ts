import { translateGuestVirtual } from "@axvisor/arm-vcpu";
import { type AxResult, axErr, err, ok } from "@axvisor/axerrno";
import { type Aarch64Cpu, SysReg } from "@axvisor/cpu-aarch64";
import {
  type BreakpointType,
  type DebugTarget,
  type ResumeAction,
  Signal,
  type StopEvent,
} from "@axvisor/gdbstub";
import { ARM_VIRT, type ArmVirtMachine } from "@axvisor/platform-aarch64-qemu-virt";
import {
  aarch64TargetXml,
  BRK0,
  CPSR,
  FPCR,
  FPSR,
  fromLe,
  G_BYTES,
  le,
  PC,
  regSize,
  SP,
  V0,
} from "./arm-debug.js";

const TARGET_XML = aarch64TargetXml();
const PAGE = 4096;

/**
 * The bare aarch64 machine (`axvisor emu -s`) as a `DebugTarget`: each CPU is a thread, all
 * CPUs stop together. BRK stops a CPU for the debugger (the CPU's `debugBreakpoints`), so the
 * guest's own debug exception handler never sees it. Memory is read through the CPU's
 * current stage-1 translation (the EL1&0 regime below EL2, the EL2 regime at EL2), RAM only:
 * a debugger's read never reaches a device register.
 */
export class ArmBoardDebugTarget implements DebugTarget {
  readonly #m: ArmVirtMachine;
  #pending: ((stop: StopEvent) => void) | undefined;
  readonly #breakpoints = new Map<bigint, { pa: number; saved: Uint8Array }>();
  #last = 1;
  #attached = true;
  /** Memory packets name physical addresses (Qqemu.PhyMemMode:1). */
  #physical = false;

  constructor(machine: ArmVirtMachine) {
    this.#m = machine;
    machine.debugAttach((cpu, why) =>
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
    return annex === "target.xml" ? TARGET_XML : undefined;
  }

  threads(): readonly number[] {
    return this.#m.cpus.map((_, i) => i + 1);
  }

  threadInfo(thread: number): string {
    const c = this.#cpu(thread);
    return `CPU ${thread - 1} (${c.poweredOn ? `EL${c.el}` : "off"})`;
  }

  readRegisters(thread: number): Uint8Array {
    const c = this.#cpu(thread);
    const out = new Uint8Array(G_BYTES);
    for (let r = 0, at = 0; r <= CPSR; at += regSize(r), r++) out.set(read(c, r) ?? [], at);
    return out;
  }

  writeRegisters(thread: number, data: Uint8Array): boolean {
    const c = this.#cpu(thread);
    for (let r = 0, at = 0; r <= CPSR && at + regSize(r) <= data.length; at += regSize(r), r++) {
      write(c, r, data.subarray(at, at + regSize(r)));
    }
    return true;
  }

  readRegister(thread: number, regnum: number): Uint8Array | undefined {
    return read(this.#cpu(thread), regnum);
  }

  writeRegister(thread: number, regnum: number, data: Uint8Array): boolean {
    return write(this.#cpu(thread), regnum, data);
  }

  setPhysicalMemoryMode(on: boolean): void {
    this.#physical = on;
  }

  readMemory(thread: number, addr: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const at = addr + BigInt(done);
      const pa = this.#translate(thread, at);
      if (pa === null) break;
      const n = Math.min(length - done, PAGE - Number(at & BigInt(PAGE - 1)));
      const r = this.#ramRead(pa, n);
      if (!r.ok) break;
      out.set(r.value, done);
      done += n;
    }
    return out.subarray(0, done);
  }

  writeMemory(thread: number, addr: bigint, data: Uint8Array): boolean {
    let done = 0;
    while (done < data.length) {
      const at = addr + BigInt(done);
      const pa = this.#translate(thread, at);
      if (pa === null) return false;
      const n = Math.min(data.length - done, PAGE - Number(at & BigInt(PAGE - 1)));
      if (!this.#ramWrite(pa, data.subarray(done, done + n)).ok) return false;
      done += n;
    }
    this.#m.fenceAll();
    return true;
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
    if (kind !== 4) return "error";
    const pa = this.#translate(this.#last, addr);
    if (pa === null) return "error";
    const saved = this.#ramRead(pa, BRK0.length);
    if (!saved.ok || !this.#ramWrite(pa, BRK0).ok) return "error";
    this.#breakpoints.set(addr, { pa, saved: saved.value });
    this.#m.fenceAll();
    return "ok";
  }

  resume(actions: readonly ResumeAction[]): Promise<StopEvent> {
    const step = actions.find((a) => a.step);
    const cpu = step === undefined ? -1 : (step.thread === "all" ? this.#last : step.thread) - 1;
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#m.debugResume(cpu);
    });
  }

  interrupt(): void {
    this.#m.debugHalt();
    this.#stop({ kind: "signal", thread: this.#last, signal: Signal.INT });
  }

  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    for (const addr of [...this.#breakpoints.keys()]) this.#remove(addr);
    this.#m.debugDetach();
  }

  kill(): void {
    this.detach();
    this.#m.stop("killed by gdb");
  }

  #cpu(thread: number): Aarch64Cpu {
    const c = this.#m.cpus[thread - 1] ?? this.#m.cpus[0];
    if (c === undefined) throw axErr("BadState", "the machine has no CPUs");
    return c;
  }

  /** The physical address behind `va` as CPU `thread` translates data now; null: unmapped. */
  #translate(thread: number, va: bigint): number | null {
    if (this.#physical) return va <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(va) : null;
    const c = this.#cpu(thread);
    const el2 = c.el === 2;
    const memory = {
      read: (pa: number, n: number) => this.#ramRead(pa, n),
      write: () => ok(undefined),
    };
    return translateGuestVirtual(
      memory,
      {
        sctlr: c.readSysReg(el2 ? SysReg.SCTLR_EL2 : SysReg.SCTLR_EL1),
        tcr: c.readSysReg(el2 ? SysReg.TCR_EL2 : SysReg.TCR_EL1),
        ttbr0: c.readSysReg(el2 ? SysReg.TTBR0_EL2 : SysReg.TTBR0_EL1),
        ttbr1: el2 ? 0n : c.readSysReg(SysReg.TTBR1_EL1),
      },
      va,
    );
  }

  #ramRead(pa: number, n: number): AxResult<Uint8Array> {
    const off = pa - ARM_VIRT.ram.base;
    if (off < 0 || off + n > this.#m.ram.length) return err("BadAddress", "not RAM");
    return ok(this.#m.ram.slice(off, off + n));
  }

  #ramWrite(pa: number, data: Uint8Array): AxResult<void> {
    const off = pa - ARM_VIRT.ram.base;
    if (off < 0 || off + data.length > this.#m.ram.length) return err("BadAddress", "not RAM");
    this.#m.ram.set(data, off);
    return ok(undefined);
  }

  #remove(addr: bigint): boolean {
    const bp = this.#breakpoints.get(addr);
    if (bp === undefined) return false;
    this.#breakpoints.delete(addr);
    const r = this.#ramWrite(bp.pa, bp.saved);
    this.#m.fenceAll();
    return r.ok;
  }

  #stop(event: StopEvent): void {
    if ("thread" in event) this.#last = event.thread;
    const p = this.#pending;
    this.#pending = undefined;
    p?.(event);
  }
}

/** A register as GDB numbers it; sp is the stack pointer of the CPU's current EL and SPSel. */
function read(c: Aarch64Cpu, regnum: number): Uint8Array | undefined {
  if (regnum >= 0 && regnum <= 30) return le(c.getX(regnum), 8);
  if (regnum === SP) return le(c.getSp(c.activeSpIndex()), 8);
  if (regnum === PC) return le(c.getPc(), 8);
  if (regnum === CPSR) return le(BigInt(c.pstate >>> 0), 4);
  if (regnum >= V0 && regnum < V0 + 32)
    return c.fp.u8.slice((regnum - V0) * 16, (regnum - V0 + 1) * 16);
  if (regnum === FPSR) return le(BigInt(c.fp.fpsr >>> 0), 4);
  if (regnum === FPCR) return le(BigInt(c.fp.fpcr >>> 0), 4);
  return undefined;
}

function write(c: Aarch64Cpu, regnum: number, data: Uint8Array): boolean {
  if (data.length !== regSize(regnum)) return false;
  const v = fromLe(data);
  if (regnum >= 0 && regnum <= 30) c.setX(regnum, v);
  else if (regnum === SP) c.setSp(c.activeSpIndex(), v);
  else if (regnum === PC) c.setPc(v);
  else if (regnum === CPSR) {
    try {
      c.pstate = Number(v);
    } catch {
      return false; // an EL the CPU does not have
    }
  } else if (regnum >= V0 && regnum < V0 + 32) c.fp.u8.set(data, (regnum - V0) * 16);
  else if (regnum === FPSR) c.fp.fpsr = Number(v);
  else c.fp.fpcr = Number(v);
  return true;
}
