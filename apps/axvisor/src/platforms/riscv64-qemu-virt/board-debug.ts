import { type AxResult, axErr, err, ok } from "@axvisor/axerrno";
import type { Hart } from "@axvisor/cpu-riscv64";
import {
  type BreakpointType,
  type DebugTarget,
  type ResumeAction,
  Signal,
  type StopEvent,
} from "@axvisor/gdbstub";
import { VIRT, type VirtMachine } from "@axvisor/platform-riscv64-qemu-virt";
import { RiscvCsr, translateGuestVirtual } from "@axvisor/riscv-vcpu";
import {
  C_EBREAK,
  CSR0,
  EBREAK,
  FCSR,
  FFLAGS,
  FPR0,
  FRM,
  fromBytes,
  G_REGS,
  MACHINE_CSRS,
  PC,
  PRIV,
  riscvTargetXml,
  SUPERVISOR_CSRS,
  u64,
} from "./riscv-debug.js";

const TARGET_XML = riscvTargetXml([...SUPERVISOR_CSRS, ...MACHINE_CSRS]);
const PAGE = 4096;

/**
 * The bare machine (`axvisor emu -s`) as a `DebugTarget`: each hart is a thread, all harts
 * stop together. Breakpoint instructions stop a hart as external debug would (the hart's
 * `debugBreakpoints`), so firmware and kernel trap handlers never see them. Memory is read
 * through the hart's current translation (satp, below M-mode), RAM only: a debugger's read
 * never reaches a device register (the mask ROM is readable).
 */
export class RiscvBoardDebugTarget implements DebugTarget {
  readonly #m: VirtMachine;
  #pending: ((stop: StopEvent) => void) | undefined;
  readonly #breakpoints = new Map<bigint, { pa: number; saved: Uint8Array }>();
  #last = 1;
  #attached = true;
  /** Memory packets name physical addresses (Qqemu.PhyMemMode:1). */
  #physical = false;

  constructor(machine: VirtMachine) {
    this.#m = machine;
    machine.debugAttach((hart, why) =>
      this.#stop(
        why === "breakpoint"
          ? { kind: "breakpoint", thread: hart + 1, type: "software" }
          : { kind: "signal", thread: hart + 1, signal: Signal.TRAP },
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
    return this.#m.harts.map((_, i) => i + 1);
  }

  threadInfo(thread: number): string {
    const h = this.#hart(thread);
    return `hart ${thread - 1} (${["U", "S", "?", "M"][h.priv] ?? "?"}-mode${h.virt ? ", V=1" : ""})`;
  }

  readRegisters(thread: number): Uint8Array {
    const h = this.#hart(thread);
    const out = new Uint8Array(G_REGS * 8);
    for (let i = 0; i < G_REGS; i++) out.set(u64(read(h, i) ?? 0n), i * 8);
    return out;
  }

  writeRegisters(thread: number, data: Uint8Array): boolean {
    const h = this.#hart(thread);
    for (let i = 0; i < G_REGS && (i + 1) * 8 <= data.length; i++) {
      write(h, i, fromBytes(data.subarray(i * 8, i * 8 + 8)) ?? 0n);
    }
    return true;
  }

  readRegister(thread: number, regnum: number): Uint8Array | undefined {
    const v = read(this.#hart(thread), regnum);
    return v === undefined ? undefined : u64(v);
  }

  writeRegister(thread: number, regnum: number, data: Uint8Array): boolean {
    const v = fromBytes(data);
    return v !== undefined && write(this.#hart(thread), regnum, v);
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
    const insn = kind === 2 ? C_EBREAK : kind === 4 ? EBREAK : undefined;
    if (insn === undefined) return "error";
    const pa = this.#translate(this.#last, addr);
    if (pa === null) return "error";
    const saved = this.#ramRead(pa, insn.length);
    if (!saved.ok || !this.#ramWrite(pa, insn).ok) return "error";
    this.#breakpoints.set(addr, { pa, saved: saved.value });
    this.#m.fenceAll();
    return "ok";
  }

  resume(actions: readonly ResumeAction[]): Promise<StopEvent> {
    const step = actions.find((a) => a.step);
    const hart = step === undefined ? -1 : (step.thread === "all" ? this.#last : step.thread) - 1;
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#m.debugResume(hart);
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

  #hart(thread: number): Hart {
    const h = this.#m.harts[thread - 1] ?? this.#m.harts[0];
    if (h === undefined) throw axErr("BadState", "the machine has no harts");
    return h;
  }

  /** The physical address behind `va` as hart `thread` translates data now; null: unmapped. */
  #translate(thread: number, va: bigint): number | null {
    const h = this.#hart(thread);
    const satp = h.readCsr(RiscvCsr.satp);
    if (this.#physical || h.priv === 3 || satp >> 60n === 0n) {
      return va <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(va) : null;
    }
    const signed = BigInt.asIntN(64, va);
    if (signed < BigInt(Number.MIN_SAFE_INTEGER)) return null;
    const memory = {
      read: (pa: number, n: number) => this.#ramRead(pa, n),
      write: () => ok(undefined),
    };
    return translateGuestVirtual(memory, satp, Number(signed));
  }

  /** RAM, or the mask ROM (read-only: the reset code lives there). */
  #ramRead(pa: number, n: number): AxResult<Uint8Array> {
    const rom = pa - VIRT.mrom.base;
    if (rom >= 0 && rom + n <= this.#m.rom.bytes.length)
      return ok(this.#m.rom.bytes.slice(rom, rom + n));
    const off = pa - VIRT.dram.base;
    if (off < 0 || off + n > this.#m.ram.length) return err("BadAddress", "not RAM");
    return ok(this.#m.ram.slice(off, off + n));
  }

  /** RAM, or the mask ROM: a debugger may patch ROM (breakpoints), as QEMU's may. */
  #ramWrite(pa: number, data: Uint8Array): AxResult<void> {
    const rom = pa - VIRT.mrom.base;
    if (rom >= 0 && rom + data.length <= this.#m.rom.bytes.length) {
      this.#m.rom.bytes.set(data, rom);
      return ok(undefined);
    }
    const off = pa - VIRT.dram.base;
    if (off < 0 || off + data.length > this.#m.ram.length) {
      return err("BadAddress", "not RAM");
    }
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

function read(h: Hart, regnum: number): bigint | undefined {
  if (regnum >= 0 && regnum < 32) {
    return (BigInt((h.x[2 * regnum + 1] ?? 0) >>> 0) << 32n) | BigInt((h.x[2 * regnum] ?? 0) >>> 0);
  }
  if (regnum === PC) return h.getPc();
  if (regnum >= FPR0 && regnum < FPR0 + 32) {
    const i = regnum - FPR0;
    return (BigInt((h.f[2 * i + 1] ?? 0) >>> 0) << 32n) | BigInt((h.f[2 * i] ?? 0) >>> 0);
  }
  if (regnum === PRIV) return BigInt(h.priv);
  const csr = regnum - CSR0;
  if (csr === FFLAGS) return BigInt(h.fflags);
  if (csr === FRM) return BigInt(h.frm);
  if (csr === FCSR) return BigInt((h.frm << 5) | h.fflags);
  if (!KNOWN_CSRS.has(csr)) return undefined;
  return h.readCsr(csr);
}

function write(h: Hart, regnum: number, value: bigint): boolean {
  const lo = Number(value & 0xffff_ffffn) | 0;
  const hi = Number((value >> 32n) & 0xffff_ffffn) | 0;
  if (regnum === 0) return true;
  if (regnum > 0 && regnum < 32) {
    h.x[2 * regnum] = lo;
    h.x[2 * regnum + 1] = hi;
  } else if (regnum === PC) h.setPc(value);
  else if (regnum >= FPR0 && regnum < FPR0 + 32) {
    const i = regnum - FPR0;
    h.f[2 * i] = lo;
    h.f[2 * i + 1] = hi;
  } else {
    const csr = regnum - CSR0;
    if (csr === FFLAGS) h.fflags = lo & 0x1f;
    else if (csr === FRM) h.frm = lo & 7;
    else if (csr === FCSR) {
      h.fflags = lo & 0x1f;
      h.frm = (lo >> 5) & 7;
    } else if (KNOWN_CSRS.has(csr)) h.writeCsr(csr, value);
    else return false;
  }
  return true;
}

const KNOWN_CSRS = new Set([...SUPERVISOR_CSRS, ...MACHINE_CSRS].map(([, n]) => n));
