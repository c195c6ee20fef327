/**
 * The ARMv8-A CPU: architectural state, the run loop, memory access fast paths, exception
 * entry and the public interface. Decode and execution live in execute.ts, system registers
 * in sysregs.ts, address translation in mmu.ts, the generic timer in timer.ts.
 *
 * Representation: X registers are int32 pairs in `x` (lo = x[2n], hi = x[2n+1]); slot 31
 * holds the stack pointer currently selected (SP_EL0 or SP_ELx), so "register or SP"
 * operands read x[62..63] directly and only XZR needs a test. The banked SPs not in use
 * live in `spBank`. The PC is a JS number holding the signed 64-bit value (exact for every
 * canonical address).
 */

import { CPU_STATE_BYTES, claimCpuState, type PhysBus, type TimeSource } from "@axvisor/machine";
import { EXC } from "./exception-signal.js";
import { dpImmediate as dpImmediateFn, dpRegister as dpRegisterFn } from "./execute.js";
import { FpSimdRegs, type GprPort, type SimdMemPort } from "./fpsimd/index.js";
import { executeFpSimd as executeFpSimdFn, makeGprPort, makeSimdMemPort } from "./fpsimd-bridge.js";
import { Aarch64Jit, CONTINUATION_WEIGHT, RUN_SKIP_ONE } from "./jit/jit.js";
import {
  EXIT_STOP,
  ST_END,
  ST_SP_BANK,
  ST_TLB_OFF,
  ST_TLB_TAG,
  ST_X,
  TLB_ENTRIES,
} from "./jit/state.js";
import { loadStore as loadStoreFn } from "./loadstore.js";
import {
  ACC_FETCH,
  ACC_LOAD,
  ACC_STORE,
  CTX_EL0,
  CTX_EL1,
  CTX_EL1_PAN,
  CTX_EL2,
  Mmu,
} from "./mmu.js";
import { SysReg } from "./sysreg-encoding.js";
import { HCR, SR, SysRegs } from "./sysregs.js";
import { branchSystem as branchSystemFn } from "./system.js";
import { Timer } from "./timer.js";
import type {
  CpuModel,
  CpuOptions,
  FirmwareHandler,
  RunExit,
  SysRegDevice,
  TrapKind,
} from "./types.js";

const TWO32 = 4294967296;
/**
 * The initial value of the fields that later hold addresses beyond the small-integer range
 * (PCs, RAM offsets, physical addresses): -0 is a heap number, so V8 gives those fields a
 * double representation from the start. A field that starts as a small integer changes
 * representation at its first large value, which deprecates the CPU object's map and
 * deoptimizes every function compiled against it (the whole interpreter, once per field,
 * early in every boot).
 */
export const DOUBLE_ZERO = -0;
/** The CPUs sharing each RAM buffer: the Inner Shareable domain TLBI ...IS broadcasts to. */
const shareDomains = new WeakMap<ArrayBufferLike, Set<Aarch64Cpu>>();
/*
 * The decode groups as module constants: module loaders that turn imports into namespace
 * getters (vitest's) then cost nothing per instruction.
 */
const dpImmediate = dpImmediateFn;
const dpRegister = dpRegisterFn;
const loadStore = loadStoreFn;
const branchSystem = branchSystemFn;
const executeFpSimd = executeFpSimdFn;
/** Instructions between interrupt checks when nothing forces an earlier one. */
const SLICE = 4096;
export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Exception vector offsets (added to 0x000/0x200/0x400 by origin). */
export const VEC_SYNC = 0x000;
export const VEC_IRQ = 0x080;
export const VEC_FIQ = 0x100;
export const VEC_SERROR = 0x180;

/** Exception classes (ESR_ELx.EC). */
export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  FP_ACCESS: 0x07,
  ILLEGAL_STATE: 0x0e,
  SVC: 0x15,
  HVC: 0x16,
  SMC: 0x17,
  SYSREG: 0x18,
  IABT_LOWER: 0x20,
  IABT_SAME: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOWER: 0x24,
  DABT_SAME: 0x25,
  SP_ALIGN: 0x26,
  SERROR: 0x2f,
  BRK: 0x3c,
} as const;

/** AXVISOR_JIT=0 in the environment turns the JIT off for CPUs that do not choose. */
function jitFromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.AXVISOR_JIT !== "0";
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export class Aarch64Cpu {
  readonly cpuId: number;
  readonly bus: PhysBus;
  readonly time: TimeSource;
  readonly model: CpuModel;
  readonly hasEl2: boolean;
  readonly sysRegDevice: SysRegDevice | undefined;
  readonly firmware: FirmwareHandler<Aarch64Cpu> | undefined;
  /** Every CPU on the same RAM (this one included): where TLBI ...IS operations go. */
  readonly shareDomain: ReadonlySet<Aarch64Cpu>;
  /** MIDR_EL1 (what EL2 reads; EL1 reads VPIDR_EL2, reset to it). */
  readonly midr: number;
  /** MPIDR_EL1 as (lo, hi). */
  readonly mpidrLo: number;
  readonly mpidrHi: number;

  /**
   * x0..x30 and the current SP (slot 31), int32 lo/hi pairs (in the wasm memory's state
   * block when the CPU has a JIT).
   */
  readonly x: Int32Array;
  /**
   * SP_EL0, SP_EL1, SP_EL2 while not selected, int32 lo/hi pairs (in the state block when
   * the CPU has a JIT).
   */
  readonly spBank: Int32Array;
  pc = DOUBLE_ZERO;
  /** Address of the instruction being executed. */
  curPc = DOUBLE_ZERO;
  /** The instruction being executed. */
  insn = 0;

  // --- PSTATE ---
  el = 2;
  spsel = 1;
  nf = 0;
  zf = 0;
  cf = 0;
  vf = 0;
  /** D, A, I, F at their SPSR positions (bits 9..6). */
  daif = 0x3c0;
  pan = 0;
  ss = 0;
  il = 0;

  readonly sys: SysRegs;
  /** V0..V31, FPCR and FPSR (the FP/AdvSIMD unit's state). */
  readonly fp = new FpSimdRegs();
  readonly gprPort: GprPort;
  readonly simdMem: SimdMemPort;
  readonly mmu: Mmu;
  readonly timer: Timer;

  // --- memory ---
  readonly ram: Uint8Array;
  readonly dv: DataView;
  readonly r32: Int32Array;
  readonly ramBase: number;
  readonly ramSize: number;
  /**
   * Software TLB: [fetch | load | store] x TLB_SIZE; tag = page key * 1024 + TLB context
   * (CTX_* in bits 1:0, the address-space slot above: entries of other ASIDs/VMIDs stay).
   */
  readonly tlbTag: Float64Array;
  readonly tlbOff: Int32Array;
  /** log2 of the size of the mapping each entry came from (12: a page; 21, 30: blocks). */
  readonly tlbShift = new Uint8Array(3 * TLB_SIZE);
  /** Translation context of data accesses and of fetches (CTX_*). */
  dataCtx = CTX_EL2;
  fetchCtx = CTX_EL2;
  /** Current code page: its VA (NaN if none) and RAM byte offset. */
  fetchVa = Number.NaN;
  fetchOff = DOUBLE_ZERO;
  /**
   * The code page of the fetch context left by the last exception entry or return that
   * changed it (`fetchCtx` then), so that a round trip through another EL (a VM exit to EL2
   * and the ERET back) finds its code page again instead of translating the first fetch.
   * As valid as the TLB entry it came from: every TLB invalidation and change of translation
   * controls drops it (`dropFetchPage`, `updateCtx`).
   */
  private otherFetchVa = Number.NaN;
  private otherFetchOff = DOUBLE_ZERO;
  private otherFetchCtx = -1;
  /** SCTLR.A of the current regime: every unaligned access faults. */
  strictAlign = false;
  /** High word of the last 64-bit load. */
  mhi = 0;

  /**
   * Exclusive monitor: physical address of the reservation (-1: none, from reset()) and its
   * size.
   */
  exclAddr = DOUBLE_ZERO;
  exclSize = 0;
  /** Event register (SEV/SEVL/WFE). */
  event = false;

  // --- interrupt lines ---
  irqLine = false;
  fiqLine = false;
  virqLine = false;
  vfiqLine = false;

  // --- run control ---
  /**
   * Instructions executed since reset(): a double field (see DOUBLE_ZERO), as long runs pass
   * 2^31.
   */
  instructions = DOUBLE_ZERO;
  sliceBreak = false;
  /**
   * Set by timer register writes: run() returns after the current instruction, so the board
   * re-reads timerLines() (a timer output can change without time passing).
   */
  yieldRun = false;
  /**
   * A debugger owns breakpoints (the bare machine under `axvisor emu -s`): BRK stops the CPU
   * before the instruction (run() returns, `debugBreakHit` set) instead of taking the guest's
   * debug exception, as QEMU's gdbstub does.
   */
  debugBreakpoints = false;
  debugBreakHit = false;
  wfiExit = false;
  hostTrapped = false;
  /** Which exception made run() return "host-trap". */
  trapKind: TrapKind = "sync";
  private hostMode = false;
  private powered = false;
  /** The WebAssembly tier (undefined: interpreter only). */
  readonly jit: Aarch64Jit | undefined;

  constructor(opts: CpuOptions<Aarch64Cpu>) {
    const { bus } = opts;
    if (bus.ram.byteOffset % 8 !== 0) {
      throw new Error(
        `Aarch64Cpu: bus.ram must start 8-byte aligned (byteOffset ${bus.ram.byteOffset})`,
      );
    }
    if (!Number.isSafeInteger(bus.ramBase) || bus.ramBase < 0 || bus.ramBase % 4096 !== 0) {
      throw new Error(`Aarch64Cpu: bus.ramBase ${bus.ramBase} must be a 4 KiB-aligned address`);
    }
    this.cpuId = opts.cpuId;
    this.bus = bus;
    this.time = opts.time;
    this.model = opts.model ?? "cortex-a57";
    this.hasEl2 = opts.el2 ?? true;
    this.sysRegDevice = opts.sysRegDevice;
    this.firmware = opts.firmware;
    this.midr = (opts.midr ?? 0x411fd070) | 0;
    const mp = BigInt(opts.mpidr) | (1n << 31n);
    this.mpidrLo = Number(mp & 0xffffffffn) | 0;
    this.mpidrHi = Number((mp >> 32n) & 0xffffffffn) | 0;
    this.ram = bus.ram;
    this.ramBase = bus.ramBase;
    this.ramSize = bus.ram.byteLength - (bus.ram.byteLength % 8);
    this.dv = new DataView(bus.ram.buffer, bus.ram.byteOffset, this.ramSize);
    this.r32 = new Int32Array(bus.ram.buffer, bus.ram.byteOffset, this.ramSize >>> 2);
    // With RAM in a wasm memory (and a state block free there), the registers and the TLB
    // live in that memory, where compiled code reaches them.
    const state = (opts.jit ?? jitFromEnvironment()) ? claimCpuState(bus.ram) : undefined;
    if (state !== undefined && ST_END <= CPU_STATE_BYTES) {
      const buf = state.wasm.memory.buffer;
      this.x = new Int32Array(buf, state.offset + ST_X, 64);
      this.spBank = new Int32Array(buf, state.offset + ST_SP_BANK, 6);
      this.tlbTag = new Float64Array(buf, state.offset + ST_TLB_TAG, TLB_ENTRIES);
      this.tlbOff = new Int32Array(buf, state.offset + ST_TLB_OFF, TLB_ENTRIES);
    } else {
      this.x = new Int32Array(64);
      this.spBank = new Int32Array(6);
      this.tlbTag = new Float64Array(3 * TLB_SIZE);
      this.tlbOff = new Int32Array(3 * TLB_SIZE);
    }
    let domain = shareDomains.get(bus.ram.buffer);
    if (domain === undefined) {
      domain = new Set();
      shareDomains.set(bus.ram.buffer, domain);
    }
    domain.add(this);
    this.shareDomain = domain;
    this.sys = new SysRegs(this);
    this.mmu = new Mmu(this);
    this.timer = new Timer(this);
    this.gprPort = makeGprPort(this);
    this.simdMem = makeSimdMemPort(this);
    this.jit =
      state === undefined
        ? undefined
        : new Aarch64Jit(this, state.wasm, state.offset, opts.jitOptions);
    this.reset();
  }

  // ===================================================================== public API

  /** Resets the architectural state (the CPU stays powered on or off as it was). */
  reset(): void {
    this.x.fill(0);
    this.spBank.fill(0);
    this.pc = 0;
    this.el = this.hasEl2 ? 2 : 1;
    this.spsel = 1;
    this.nf = this.zf = this.cf = this.vf = 0;
    this.daif = 0x3c0;
    this.pan = 0;
    this.ss = 0;
    this.il = 0;
    this.sys.reset();
    this.fp.reset();
    // The cryptographic extension, as ID_AA64ISAR0_EL1 advertises it.
    this.fp.crypto = true;
    this.exclAddr = -1;
    this.event = false;
    this.irqLine = this.fiqLine = this.virqLine = this.vfiqLine = false;
    this.instructions = 0;
    this.sliceBreak = false;
    this.wfiExit = false;
    this.hostTrapped = false;
    if (this.hostMode) this.enterHostState();
    this.updateCtx();
    this.flushTlb();
    this.jit?.flush();
  }

  get poweredOn(): boolean {
    return this.powered;
  }

  /**
   * Starts the CPU at `entry` in EL `el` (EL2 only if implemented) with x0 = `x0`, the MMU
   * off and every interrupt masked, as PSCI CPU_ON and QEMU's boot code leave it.
   */
  powerOn(entry: number | bigint, x0: bigint, el: 1 | 2): void {
    const wasHost = this.hostMode;
    this.reset();
    if (el === 2 && !this.hasEl2) throw new Error("Aarch64Cpu.powerOn: EL2 is not implemented");
    this.setX(0, x0);
    this.setPstateEl(el, 1);
    this.pc = Number(BigInt.asIntN(64, BigInt(entry)));
    this.powered = true;
    if (wasHost) this.enterHostState();
  }

  powerOff(): void {
    this.powered = false;
  }

  /**
   * Host-trap mode: the TypeScript hypervisor is EL2. Exceptions taken to EL2 make run()
   * return "host-trap" with the EL2 syndrome registers set and the CPU at EL2.
   */
  get hostTrapMode(): boolean {
    return this.hostMode;
  }
  set hostTrapMode(on: boolean) {
    if (on && !this.hasEl2) throw new Error("Aarch64Cpu: host-trap mode needs EL2");
    this.hostMode = on;
    if (on) this.enterHostState();
  }

  private enterHostState(): void {
    // What an EL2 hypervisor leaves while it runs: EL2 with SP_EL2, interrupts masked.
    this.setPstateEl(2, 1);
    this.daif = 0x3c0;
    this.updateCtx();
  }

  /** Host-trap mode: exactly the effect of ERET at EL2. */
  enterGuest(): void {
    if (this.el !== 2) {
      throw new Error(`Aarch64Cpu.enterGuest: the CPU must be at EL2 (it is at EL${this.el})`);
    }
    this.hostTrapped = false;
    this.powered = true;
    this.eret();
  }

  /** Executes up to `budget` instructions. */
  run(budget: number): RunExit {
    if (!this.powered) return "wfi";
    if (this.hostMode && this.el === 2) {
      throw new Error(
        "Aarch64Cpu.run: in host-trap mode the CPU runs guests only; call enterGuest() first",
      );
    }
    let done = 0;
    this.wfiExit = false;
    this.hostTrapped = false;
    let result: RunExit = "budget";
    while (done < budget) {
      this.checkInterrupts();
      if (this.hostTrapped) {
        result = "host-trap";
        break;
      }
      const chunk = Math.min(budget - done, SLICE);
      done += this.execute(chunk, budget - done);
      if (this.hostTrapped) {
        result = "host-trap";
        break;
      }
      if (this.wfiExit || !this.powered) {
        result = "wfi";
        break;
      }
      if (this.yieldRun) break;
    }
    this.yieldRun = false;
    this.exclAddr = -1;
    return result;
  }

  /** Physical IRQ line from the interrupt controller. */
  setIrq(level: boolean): void {
    this.irqLine = level;
    this.sliceBreak = true;
  }
  setFiq(level: boolean): void {
    this.fiqLine = level;
    this.sliceBreak = true;
  }
  /** Virtual IRQ line (GICv2 GICV / GICv3 list registers), ORed with HCR_EL2.VI. */
  setVirq(level: boolean): void {
    this.virqLine = level;
    this.sliceBreak = true;
  }
  setVfiq(level: boolean): void {
    this.vfiqLine = level;
    this.sliceBreak = true;
  }

  /** Timer outputs: bit0 CNTP, bit1 CNTV, bit2 CNTHP, bit3 CNTPS (never: no EL3). */
  timerLines(): number {
    return this.timer.lines();
  }

  /** The earliest counter value at which a timer output rises, or Infinity. */
  nextTimerEvent(): number {
    return this.timer.nextEvent();
  }

  getX(n: number): bigint {
    this.checkReg(n);
    return u64(this.x[n * 2]!, this.x[n * 2 + 1]!);
  }
  setX(n: number, v: bigint): void {
    this.checkReg(n);
    this.x[n * 2] = Number(v & 0xffffffffn) | 0;
    this.x[n * 2 + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  private checkReg(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 30) {
      throw new RangeError(`Aarch64Cpu: register x${n} does not exist`);
    }
  }

  getPc(): bigint {
    return BigInt.asUintN(64, BigInt(this.pc));
  }
  setPc(v: bigint): void {
    this.pc = Number(BigInt.asIntN(64, v));
  }

  /** SP_ELn (n = 0..2), wherever it currently lives. */
  getSp(el: number): bigint {
    const [a, b] = this.spSlot(el);
    return u64(a[b]!, a[b + 1]!);
  }
  setSp(el: number, v: bigint): void {
    const [a, b] = this.spSlot(el);
    a[b] = Number(v & 0xffffffffn) | 0;
    a[b + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
  private spSlot(el: number): [Int32Array, number] {
    if (!Number.isInteger(el) || el < 0 || el > 2)
      throw new RangeError(`Aarch64Cpu: SP_EL${el} does not exist`);
    return this.activeSpIndex() === el ? [this.x, 62] : [this.spBank, el * 2];
  }

  /** PSTATE in SPSR layout (NZCV, PAN, SS, IL, DAIF, M). */
  get pstate(): number {
    return this.spsrValue();
  }
  set pstate(v: number) {
    this.nf = (v >>> 31) & 1;
    this.zf = (v >>> 30) & 1;
    this.cf = (v >>> 29) & 1;
    this.vf = (v >>> 28) & 1;
    this.pan = (v >>> 22) & 1;
    this.ss = (v >>> 21) & 1;
    this.il = (v >>> 20) & 1;
    this.daif = v & 0x3c0;
    const el = (v >>> 2) & 3;
    if (el === 3 || (el === 2 && !this.hasEl2))
      throw new RangeError(`Aarch64Cpu: EL${el} does not exist`);
    this.setPstateEl(el, v & 1);
    this.sliceBreak = true;
  }

  /** Host read of a system register (no traps). Throws if the register does not exist. */
  readSysReg(enc: number): bigint {
    if (!this.sys.read(enc, 2, false)) {
      throw new Error(`Aarch64Cpu.readSysReg: no system register ${encName(enc)}`);
    }
    return u64(this.sys.lo, this.sys.hi);
  }

  /** Host write of a system register (no traps). */
  writeSysReg(enc: number, v: bigint): void {
    const lo = Number(v & 0xffffffffn) | 0;
    const hi = Number((v >> 32n) & 0xffffffffn) | 0;
    if (!this.sys.write(enc, lo, hi, 2, false)) {
      throw new Error(`Aarch64Cpu.writeSysReg: no writable system register ${encName(enc)}`);
    }
  }

  /**
   * readSysReg as a number: the 64-bit value read as signed, exact within ±2^53 (syndromes,
   * IPAs, canonical virtual addresses such as an ELR or FAR in a kernel's upper half). For a
   * hypervisor's per-exit path, which then needs no BigInt.
   */
  readSysRegNum(enc: number): number {
    // The registers an exit path reads on every trap, straight from their slots (plain
    // registers: no side effects, no RES1 bits).
    const slot = this.hasEl2 ? trapRegSlot(enc) : -1;
    if (slot >= 0) {
      const r = this.sys.r;
      return r[slot * 2 + 1]! * TWO32 + (r[slot * 2]! >>> 0);
    }
    if (!this.sys.read(enc, 2, false)) {
      throw new Error(`Aarch64Cpu.readSysRegNum: no system register ${encName(enc)}`);
    }
    return this.sys.hi * TWO32 + (this.sys.lo >>> 0);
  }

  /** writeSysReg of a number taken as a signed 64-bit value (see readSysRegNum). */
  writeSysRegNum(enc: number, v: number): void {
    const hi = Math.floor(v / TWO32);
    if (enc === SysReg.ELR_EL2 && this.hasEl2) {
      // The exit path's step past a trapped instruction: a plain register, every bit writable.
      this.sys.r[SR.ELR_EL2 * 2] = (v - hi * TWO32) | 0;
      this.sys.r[SR.ELR_EL2 * 2 + 1] = hi | 0;
      return;
    }
    if (!this.sys.write(enc, (v - hi * TWO32) | 0, hi | 0, 2, false)) {
      throw new Error(`Aarch64Cpu.writeSysRegNum: no writable system register ${encName(enc)}`);
    }
  }

  /** DMA or another CPU wrote RAM: clears a reservation on those bytes. */
  notifyExternalWrite(paddr: number, len: number): void {
    this.jit?.notifyWrite(paddr - this.ramBase, len);
    if (
      this.exclAddr >= 0 &&
      this.exclAddr < paddr + len &&
      this.exclAddr + this.exclSize > paddr
    ) {
      this.exclAddr = -1;
    }
  }

  /**
   * Drops the cached translations of virtual page `page` (VA >> 12, signed) in every address
   * space, including 4 KiB pieces of a block mapping that contains it.
   */
  flushTlbPage(page: number): void {
    const tags = this.tlbTag;
    const i = page & TLB_MASK;
    tags[i] = Number.NaN;
    tags[TLB_SIZE + i] = Number.NaN;
    tags[2 * TLB_SIZE + i] = Number.NaN;
    this.dropFetchPage();
    if (this.blockPieces.size === 0) return;
    // Entries filled from a block mapping that contains the page (2 MiB, 1 GiB, 512 GiB).
    for (let shift = 21; shift <= 39; shift += 9) {
      const n = 2 ** (shift - 12);
      const block = Math.floor(page / n);
      const bkey = block * 64 + shift;
      const pieces = this.blockPieces.get(bkey);
      if (pieces === undefined) continue;
      this.blockPieces.delete(bkey);
      for (const e of pieces) {
        // Skip entries refilled since from another translation.
        if (this.tlbShift[e] === shift && Math.floor(Math.floor(tags[e]! / 1024) / n) === block) {
          tags[e] = Number.NaN;
        }
      }
    }
  }

  /** TLB entries filled from block mappings, by block (block number * 64 + shift). */
  private readonly blockPieces = new Map<number, number[]>();
  private blockPieceCount = 0;

  /** Records that TLB entry `e` (for page key `page`) came from a block of 2^shift bytes. */
  noteBlockPiece(e: number, page: number, shift: number): void {
    if (this.blockPieceCount >= 65536) this.flushTlb();
    const bkey = Math.floor(page / 2 ** (shift - 12)) * 64 + shift;
    let list = this.blockPieces.get(bkey);
    if (list === undefined) {
      list = [];
      this.blockPieces.set(bkey, list);
    }
    list.push(e);
    this.blockPieceCount++;
  }

  /** Drops every cached translation. */
  flushTlb(): void {
    this.mmu.clearStage2Cache();
    this.tlbShift.fill(0);
    this.blockPieces.clear();
    this.blockPieceCount = 0;
    this.tlbTag.fill(Number.NaN);
    this.dropFetchPage();
    this.asidSlots.clear();
    this.asidSlot = 0;
    this.asidKey = -1;
    this.updateAsid();
  }

  /**
   * The address space of the EL1&0 regime (VMID and ASID) as a small slot number, so that
   * TLB entries of several address spaces coexist: writing TTBRx_EL1 or VTTBR_EL2 (a context
   * switch, Linux's software PAN, a VM switch) changes the slot instead of flushing. Entries
   * of an address space stay valid until a TLBI, as the architecture allows.
   */
  asidSlot = 0;
  private asidKey = -1;
  private readonly asidSlots = new Map<number, number>();

  updateAsid(): void {
    const r = this.sys.r;
    const tcrLo = r[SR.TCR_EL1 * 2]!;
    const tcrHi = r[SR.TCR_EL1 * 2 + 1]!;
    // TCR_EL1.A1 (bit 22) picks TTBR1's ASID; AS (bit 36) says 16 bits, else 8.
    const ttbr = (tcrLo & (1 << 22)) !== 0 ? SR.TTBR1_EL1 : SR.TTBR0_EL1;
    let asid = r[ttbr * 2 + 1]! >>> 16;
    if ((tcrHi & 16) === 0) asid &= 0xff;
    const vmid = this.hasEl2 ? (r[SR.VTTBR_EL2 * 2 + 1]! >>> 16) & 0xff : 0;
    const key = vmid * 65536 + asid;
    if (key === this.asidKey) return;
    this.asidKey = key;
    let slot = this.asidSlots.get(key);
    if (slot === undefined) {
      if (this.asidSlots.size >= 255) {
        // Out of slots: start over (drops every cached translation).
        this.tlbTag.fill(Number.NaN);
        this.dropFetchPage();
        this.asidSlots.clear();
      }
      slot = this.asidSlots.size + 1;
      this.asidSlots.set(key, slot);
    }
    this.asidSlot = slot;
    this.updateCtx();
  }

  // ===================================================================== internals

  /** Whether SCTLR_ELx.SA (SA0 at EL0) makes SP-based accesses check SP alignment. */
  spAlignCheck(): boolean {
    const el = this.el;
    const sctlr = this.sys.r[(el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!;
    return (sctlr & (el === 0 ? 16 : 8)) !== 0;
  }

  /**
   * An instruction cache invalidation (IC ...) of RAM page `page` (-1: all of RAM): compiled
   * code of the other CPUs on this RAM is checked against the bytes it was compiled from
   * before it runs again. This CPU's own compiled code needs nothing: its stores to code
   * pages already dropped that code.
   */
  codeBarrier(page: number): void {
    for (const c of this.shareDomain) if (c !== this) c.jit?.codeBarrier(page);
  }

  /**
   * The RAM page the software TLB maps virtual address (lo, hi) to in the current contexts
   * (store, load or fetch entries), or -1 when none does.
   */
  cachedPage(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    const key = (hi * 1048576 + (lo >>> 12)) * 1024;
    const tags = this.tlbTag;
    if (tags[2 * TLB_SIZE + i] === key + this.dataCtx) return this.tlbOff[2 * TLB_SIZE + i]! >>> 12;
    if (tags[TLB_SIZE + i] === key + this.dataCtx) return this.tlbOff[TLB_SIZE + i]! >>> 12;
    if (tags[i] === key + this.fetchCtx) return this.tlbOff[i]! >>> 12;
    return -1;
  }

  /** Which SP_ELn slot 31 currently holds. */
  activeSpIndex(): number {
    return this.spsel === 0 ? 0 : this.el;
  }

  /** Changes EL and SPSel, banking the stack pointers. */
  setPstateEl(el: number, spsel: number): void {
    const old = this.activeSpIndex();
    const now = spsel === 0 || el === 0 ? 0 : el;
    if (old !== now) {
      this.spBank[old * 2] = this.x[62]!;
      this.spBank[old * 2 + 1] = this.x[63]!;
      this.x[62] = this.spBank[now * 2]!;
      this.x[63] = this.spBank[now * 2 + 1]!;
    }
    this.el = el;
    this.spsel = el === 0 ? 0 : spsel;
    // An EL change alone leaves every translation as it was: the code pages stay valid.
    const before = this.fetchCtx;
    this.computeCtx();
    const ctx = this.fetchCtx;
    if (this.il !== 0) {
      // The next fetch must take the slow path, which raises the illegal state exception.
      this.fetchVa = Number.NaN;
      return;
    }
    if (ctx === before) return;
    const va = this.fetchVa;
    const off = this.fetchOff;
    if (this.otherFetchCtx === ctx) {
      this.fetchVa = this.otherFetchVa;
      this.fetchOff = this.otherFetchOff;
    } else this.fetchVa = Number.NaN;
    this.otherFetchVa = va;
    this.otherFetchOff = off;
    this.otherFetchCtx = before;
  }

  /** Recomputes the translation contexts after a change of EL, PAN or translation controls. */
  updateCtx(): void {
    this.computeCtx();
    this.dropFetchPage();
  }

  private computeCtx(): void {
    const el = this.el;
    const slot = el === 2 ? 0 : this.asidSlot * 4;
    this.fetchCtx = (el === 2 ? CTX_EL2 : el === 1 ? CTX_EL1 : CTX_EL0) + slot;
    this.dataCtx = el === 1 && this.pan ? CTX_EL1_PAN + slot : this.fetchCtx;
    const sctlr = el === 2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1;
    this.strictAlign = (this.sys.r[sctlr * 2]! & 2) !== 0;
  }

  /** Forgets the code pages (a TLB invalidation, an ISB, an instruction cache invalidation). */
  dropFetchPage(): void {
    this.fetchVa = Number.NaN;
    this.otherFetchVa = Number.NaN;
    this.otherFetchCtx = -1;
  }

  spsrValue(): number {
    return (
      ((this.nf << 31) |
        (this.zf << 30) |
        (this.cf << 29) |
        (this.vf << 28) |
        (this.pan << 22) |
        (this.ss << 21) |
        (this.il << 20) |
        this.daif |
        (this.el << 2) |
        this.spsel) >>>
      0
    );
  }

  /**
   * Executes about n instructions (at most `limit`); returns how many were attempted. Compiled
   * code may go up to one region past n: a region that does not fit in the budget left returns
   * at once, and the interpreter would otherwise perform its instructions up to the next branch
   * at the end of every slice (and count them there as entries of their own).
   */
  private execute(n: number, limit: number): number {
    let i = 0;
    this.sliceBreak = false;
    const r32 = this.r32;
    const jit = this.jit;
    // JIT bookkeeping in locals (cheap per instruction): the next instruction starts a block
    // where compiled code may take over; compiled code stopped before the instruction being
    // interpreted, so the one after it is an entry; that entry is such a continuation.
    let jitEntry = jit !== undefined;
    let jitResume = false;
    let jitResumed = false;
    while (i < n) {
      try {
        while (i < n) {
          if (jitEntry) {
            jitEntry = false;
            const weight = jitResumed ? CONTINUATION_WEIGHT : 1;
            jitResumed = false;
            const done = jit!.cold(this.pc, weight)
              ? -1
              : jit!.run(this.pc, Math.min(n + jit!.maxInsns, limit) - i, weight);
            if (done > 0) {
              i += done;
              // After a control transfer compiled code may go on at once; after a stop the
              // interpreter performs the next instruction, and the one after it is an entry.
              if (jit!.lastExit === EXIT_STOP) jitResume = true;
              else jitEntry = true;
              if (this.sliceBreak) {
                this.instructions += i;
                return i;
              }
              continue;
            }
            // Compiled code stopped before its first instruction, or cannot start with it:
            // the one after it is an entry again.
            if (done === RUN_SKIP_ONE || (done === 0 && jit!.lastExit === EXIT_STOP)) {
              jitResume = true;
            }
          }
          const pc = this.pc;
          const d = pc - this.fetchVa;
          let word: number;
          // Counted before the fetch: a fetch that faults still costs one step.
          i++;
          if (d >= 0 && d < 4096 && (d & 3) === 0) {
            word = r32[(this.fetchOff + d) >> 2]!;
          } else {
            word = this.fetchSlow(pc);
          }
          this.curPc = pc;
          this.insn = word;
          this.pc = pc + 4;
          // Top-level A64 encoding groups (op0, bits 28:25).
          switch ((word >>> 25) & 0xf) {
            case 0x8:
            case 0x9:
              dpImmediate(this, word);
              break;
            case 0xa:
            case 0xb:
              branchSystem(this, word);
              if (this.pc !== pc + 4 && jit !== undefined) jitEntry = true;
              break;
            case 0x4:
            case 0x6:
            case 0xc:
            case 0xe:
              this.lsDefer = true;
              loadStore(this, word);
              this.lsDefer = false;
              if (this.trapDeferred) this.finishDeferredAbort();
              break;
            case 0x5:
            case 0xd:
              dpRegister(this, word);
              break;
            case 0x7:
            case 0xf:
              executeFpSimd(this, word);
              break;
            default:
              this.undefinedInstruction();
          }
          if (jitResume) {
            jitResume = false;
            jitEntry = true;
            jitResumed = true;
          }
          if (this.sliceBreak) {
            this.instructions += i;
            return i;
          }
        }
      } catch (e) {
        this.lsDefer = false;
        this.s2DeferArmed = false;
        if (e !== EXC) throw e;
        // An exception vector (or the instruction after a stop that faulted) starts a block.
        jitResume = false;
        jitEntry = jit !== undefined;
        if (this.hostTrapped || this.wfiExit || !this.powered || this.sliceBreak) break;
      }
    }
    this.instructions += i;
    return i;
  }

  /** Fetch through translation; sets up the code page for the fast path. */
  private fetchSlow(pc: number): number {
    this.curPc = pc;
    if (this.il) this.exception(EC.ILLEGAL_STATE, 0, false);
    if ((pc & 3) !== 0) {
      this.curPc = pc;
      this.abortSetFar(pc);
      this.exception(EC.PC_ALIGN, 0, false);
    }
    const lo = pc | 0;
    const hi = Math.floor(pc / TWO32) | 0;
    this.curPc = pc;
    const pa = this.mmu.translate(lo, hi, ACC_FETCH, this.fetchCtx, 4);
    const ro = pa - this.ramBase;
    if (ro >= 0 && ro + 4 <= this.ramSize) {
      const page = pc - (lo & 4095);
      this.fetchVa = page;
      this.fetchOff = ro - (lo & 4095);
      return this.dv.getInt32(ro, true);
    }
    const v = this.bus.load(pa, 4);
    if (v === null) {
      this.mmu.externalAbort(lo, hi, ACC_FETCH);
    }
    return Number(v & 0xffffffffn) | 0;
  }

  // ------------------------------------------------------------- memory access

  /**
   * Reads `size` bytes (1, 2, 4, 8) at virtual address (lo, hi) in translation context ctx;
   * returns the low word (zero-extended for sizes below 4) and leaves the high word in mhi.
   */
  read(lo: number, hi: number, size: number, ctx: number): number {
    const off = lo & 4095;
    if (off + size <= 4096 && ((lo & (size - 1)) === 0 || !this.strictAlign)) {
      const i = TLB_SIZE + ((lo >>> 12) & TLB_MASK);
      if (this.tlbTag[i] === (hi * 1048576 + (lo >>> 12)) * 1024 + ctx) {
        const ro = this.tlbOff[i]! + off;
        const dv = this.dv;
        switch (size) {
          case 1:
            return dv.getUint8(ro);
          case 2:
            return dv.getUint16(ro, true);
          case 4:
            return dv.getInt32(ro, true);
          default:
            this.mhi = dv.getInt32(ro + 4, true);
            return dv.getInt32(ro, true);
        }
      }
    }
    return this.readSlow(lo, hi, size, ctx);
  }

  private readSlow(lo: number, hi: number, size: number, ctx: number): number {
    // The rest of an instruction whose access was taken to the host does nothing.
    if (this.trapDeferred) return 0;
    if (this.strictAlign && (lo & (size - 1)) !== 0) this.mmu.alignmentFault(lo, hi, ACC_LOAD);
    const off = lo & 4095;
    if (off + size > 4096) {
      // Crosses a page: byte by byte, each translated (either page may fault).
      let vlo = 0;
      let vhi = 0;
      for (let k = 0; k < size; k++) {
        const a = (lo + k) | 0;
        const h = (hi + ((lo >>> 0) + k > 0xffffffff ? 1 : 0)) | 0;
        const b = this.read(a, h, 1, ctx);
        if (k < 4) vlo |= b << (8 * k);
        else vhi |= b << (8 * (k - 4));
      }
      this.mhi = vhi;
      return vlo;
    }
    this.s2DeferArmed = this.lsDefer;
    const pa = this.mmu.translate(lo, hi, ACC_LOAD, ctx, size);
    this.s2DeferArmed = false;
    if (this.trapDeferred) return 0;
    if (this.mmu.cacheable) {
      const i = TLB_SIZE + ((lo >>> 12) & TLB_MASK);
      const ro = this.tlbOff[i]! + off;
      return this.readRam(ro, size);
    }
    const ro = pa - this.ramBase;
    if (ro >= 0 && ro + size <= this.ramSize) return this.readRam(ro, size);
    const v = this.bus.load(pa, size as 1 | 2 | 4 | 8);
    if (v === null) this.mmu.externalAbort(lo, hi, ACC_LOAD);
    this.mhi = Number((v >> 32n) & 0xffffffffn) | 0;
    return Number(v & 0xffffffffn) | 0;
  }

  private readRam(ro: number, size: number): number {
    const dv = this.dv;
    switch (size) {
      case 1:
        return dv.getUint8(ro);
      case 2:
        return dv.getUint16(ro, true);
      case 4:
        return dv.getInt32(ro, true);
      default:
        this.mhi = dv.getInt32(ro + 4, true);
        return dv.getInt32(ro, true);
    }
  }

  /** Writes `size` bytes of (vlo, vhi) at virtual address (lo, hi). */
  write(lo: number, hi: number, size: number, vlo: number, vhi: number, ctx: number): void {
    const off = lo & 4095;
    if (off + size <= 4096 && ((lo & (size - 1)) === 0 || !this.strictAlign)) {
      const i = 2 * TLB_SIZE + ((lo >>> 12) & TLB_MASK);
      if (this.tlbTag[i] === (hi * 1048576 + (lo >>> 12)) * 1024 + ctx) {
        const ro = this.tlbOff[i]! + off;
        if (this.exclAddr >= 0) this.storeHitsMonitor(ro + this.ramBase, size);
        const dv = this.dv;
        switch (size) {
          case 1:
            dv.setUint8(ro, vlo);
            return;
          case 2:
            dv.setUint16(ro, vlo, true);
            return;
          case 4:
            dv.setInt32(ro, vlo, true);
            return;
          default:
            dv.setInt32(ro, vlo, true);
            dv.setInt32(ro + 4, vhi, true);
            return;
        }
      }
    }
    this.writeSlow(lo, hi, size, vlo, vhi, ctx);
  }

  private writeSlow(
    lo: number,
    hi: number,
    size: number,
    vlo: number,
    vhi: number,
    ctx: number,
  ): void {
    if (this.trapDeferred) return;
    if (this.strictAlign && (lo & (size - 1)) !== 0) this.mmu.alignmentFault(lo, hi, ACC_STORE);
    const off = lo & 4095;
    if (off + size > 4096) {
      // Check both pages before writing anything, so a fault leaves memory unchanged.
      const lo2 = (lo + size - 1) | 0;
      const hi2 = (hi + ((lo >>> 0) + size - 1 > 0xffffffff ? 1 : 0)) | 0;
      this.s2DeferArmed = this.lsDefer;
      this.mmu.translate(lo, hi, ACC_STORE, ctx, 1);
      if (!this.trapDeferred) this.mmu.translate(lo2, hi2, ACC_STORE, ctx, 1);
      this.s2DeferArmed = false;
      if (this.trapDeferred) return;
      for (let k = 0; k < size; k++) {
        const a = (lo + k) | 0;
        const h = (hi + ((lo >>> 0) + k > 0xffffffff ? 1 : 0)) | 0;
        const b = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
        this.write(a, h, 1, b & 0xff, 0, ctx);
      }
      return;
    }
    this.s2DeferArmed = this.lsDefer;
    const pa = this.mmu.translate(lo, hi, ACC_STORE, ctx, size);
    this.s2DeferArmed = false;
    if (this.trapDeferred) return;
    if (this.exclAddr >= 0) this.storeHitsMonitor(pa, size);
    const ro = pa - this.ramBase;
    if (ro >= 0 && ro + size <= this.ramSize) {
      this.writeRam(ro, size, vlo, vhi);
      return;
    }
    const value =
      size === 8
        ? u64(vlo, vhi)
        : BigInt(size === 4 ? vlo >>> 0 : vlo & (size === 2 ? 0xffff : 0xff));
    if (!this.bus.store(pa, size as 1 | 2 | 4 | 8, value))
      this.mmu.externalAbort(lo, hi, ACC_STORE);
  }

  writeRam(ro: number, size: number, vlo: number, vhi: number): void {
    const jit = this.jit;
    if (jit !== undefined) {
      // Stores to pages with compiled code come here (they never enter the store TLB).
      if (jit.codeFlags[ro >>> 12] !== 0) jit.invalidatePage(ro >>> 12);
      if (jit.codeFlags[(ro + size - 1) >>> 12] !== 0) jit.invalidatePage((ro + size - 1) >>> 12);
    }
    const dv = this.dv;
    switch (size) {
      case 1:
        dv.setUint8(ro, vlo);
        return;
      case 2:
        dv.setUint16(ro, vlo, true);
        return;
      case 4:
        dv.setInt32(ro, vlo, true);
        return;
      default:
        dv.setInt32(ro, vlo, true);
        dv.setInt32(ro + 4, vhi, true);
    }
  }

  /** A store by this CPU to its own reservation granule clears the monitor. */
  private storeHitsMonitor(pa: number, size: number): void {
    if (pa < this.exclAddr + 64 && pa + size > (this.exclAddr & ~63)) this.exclAddr = -1;
  }

  // ------------------------------------------------------------- exceptions

  /** The EL synchronous exceptions from the current EL are taken to. */
  syncTargetEl(): number {
    if (this.el === 2) return 2;
    if (this.el === 0 && this.hasEl2 && this.hcrHi(HCR.TGE)) return 2;
    return 1;
  }

  /** Whether HCR_EL2 bit `bit` (0..31) is set (false without EL2). */
  hcrHi(bit: number): boolean {
    return this.hasEl2 && (this.sys.r[SR.HCR_EL2 * 2]! & (1 << bit)) !== 0;
  }

  /** Records FAR for the next exception. */
  private pendingFarLo = 0;
  private pendingFarHi = 0;
  private pendingFar = false;
  /** IPA of a stage-2 fault for HPFAR_EL2 (NaN: none; a double field, see DOUBLE_ZERO). */
  private pendingHpfar = Number.NaN;

  abortSetFar(va: number): void {
    this.pendingFarLo = va | 0;
    this.pendingFarHi = Math.floor(va / TWO32) | 0;
    this.pendingFar = true;
  }
  abortSetFarPair(lo: number, hi: number): void {
    this.pendingFarLo = lo;
    this.pendingFarHi = hi;
    this.pendingFar = true;
  }
  /** IPA of a stage-2 fault, for HPFAR_EL2. */
  abortSetIpa(ipa: number): void {
    this.pendingHpfar = ipa;
  }

  /**
   * Raises a synchronous exception for the current instruction with the given class and
   * syndrome, to the default target EL (or to EL2 when `toEl2`), and unwinds to the run loop.
   * The preferred return address is the instruction itself unless `next` is set.
   */
  exception(ec: number, iss: number, toEl2: boolean, next = false): never {
    const target = toEl2 ? 2 : this.syncTargetEl();
    // From an EL below the target an abort's class becomes the "lower EL" variant.
    if (target > this.el) {
      if (ec === EC.IABT_SAME || ec === EC.DABT_SAME) ec -= 1;
    } else if (ec === EC.IABT_LOWER || ec === EC.DABT_LOWER) ec += 1;
    const ret = next ? this.pc : this.curPc;
    this.enter(target, VEC_SYNC, ret, ((ec << 26) | (1 << 25) | (iss & 0x1ffffff)) >>> 0);
    throw EXC;
  }

  /**
   * The interpreter is performing a load or store (loadStore): its slow paths may take a
   * stage-2 data abort to the host without unwinding (`deferDataAbort`).
   */
  private lsDefer = false;
  /** Set by readSlow/writeSlow around their translation while `lsDefer` holds. */
  s2DeferArmed = false;
  /** A data abort was taken to the host inside loadStore, which is finishing without effect. */
  trapDeferred = false;
  private deferRt = 31;
  private deferRtLo = 0;
  private deferRtHi = 0;

  /**
   * Host-trap mode: takes a stage-2 data abort with a valid instruction syndrome (ISS.ISV;
   * one general register, no writeback) to the host without a JS throw, which costs more
   * than the rest of an MMIO exit. The access and any later one of the same instruction do
   * nothing, and the interpreter puts back the register a load would have written
   * (`finishDeferredAbort`). Returns false when the abort must be raised normally.
   */
  deferDataAbort(iss: number): boolean {
    if (!this.hostMode || this.el === 2) return false;
    const rt = (iss >>> 16) & 31;
    this.deferRt = rt;
    this.deferRtLo = this.x[rt * 2]!;
    this.deferRtHi = this.x[rt * 2 + 1]!;
    this.trapDeferred = true;
    this.enter(
      2,
      VEC_SYNC,
      this.curPc,
      ((EC.DABT_LOWER << 26) | (1 << 25) | (iss & 0x1ffffff)) >>> 0,
    );
    return true;
  }

  private finishDeferredAbort(): void {
    this.trapDeferred = false;
    const rt = this.deferRt;
    if (rt !== 31) {
      this.x[rt * 2] = this.deferRtLo;
      this.x[rt * 2 + 1] = this.deferRtHi;
    }
  }

  undefinedInstruction(): never {
    return this.exception(EC.UNKNOWN, 0, false);
  }

  /** Exception entry to `target` (1 or 2), vector group `kind`; esr < 0 for interrupts. */
  enter(target: number, kind: number, ret: number, esr: number): void {
    const s = this.sys.r;
    const spsr = this.spsrValue();
    const from = this.el;
    const base = target === 2 ? SR.ESR_EL2 : SR.ESR_EL1;
    if (esr >= 0) {
      s[base * 2] = esr | 0;
      s[base * 2 + 1] = 0;
    }
    const far = target === 2 ? SR.FAR_EL2 : SR.FAR_EL1;
    if (this.pendingFar) {
      s[far * 2] = this.pendingFarLo;
      s[far * 2 + 1] = this.pendingFarHi;
    }
    if (target === 2 && this.pendingHpfar >= 0) {
      // HPFAR_EL2.FIPA holds IPA[47:12] at bits 43:4.
      const page = Math.floor(this.pendingHpfar / 4096);
      s[SR.HPFAR_EL2 * 2] = (page << 4) | 0;
      s[SR.HPFAR_EL2 * 2 + 1] = Math.floor(page / 0x10000000) | 0;
    }
    this.pendingFar = false;
    this.pendingHpfar = Number.NaN;
    const elr = target === 2 ? SR.ELR_EL2 : SR.ELR_EL1;
    s[elr * 2] = ret | 0;
    s[elr * 2 + 1] = Math.floor(ret / TWO32) | 0;
    const spsrSlot = target === 2 ? SR.SPSR_EL2 : SR.SPSR_EL1;
    s[spsrSlot * 2] = spsr | 0;
    s[spsrSlot * 2 + 1] = 0;
    this.daif = 0x3c0;
    this.il = 0;
    this.ss = 0;
    // PAN is set on exception entry to EL1 when SCTLR_EL1.SPAN is 0.
    if (target === 1 && this.model === "max" && (s[SR.SCTLR_EL1 * 2]! & (1 << 23)) === 0)
      this.pan = 1;
    // After PAN: the new translation contexts (setPstateEl recomputes them) depend on it.
    this.setPstateEl(target, 1);
    this.exclAddr = -1;
    this.sliceBreak = true;
    if (target === 2 && this.hostMode) {
      this.hostTrapped = true;
      this.trapKind =
        kind === VEC_SYNC ? "sync" : kind === VEC_IRQ ? "irq" : kind === VEC_FIQ ? "fiq" : "serror";
      this.pc = ret;
      return;
    }
    const origin = from === target ? (spsr & 1 ? 0x200 : 0) : 0x400;
    const vbar = target === 2 ? SR.VBAR_EL2 : SR.VBAR_EL1;
    this.pc = s[vbar * 2 + 1]! * TWO32 + ((s[vbar * 2]! & ~0x7ff) >>> 0) + origin + kind;
  }

  /** ERET from the current EL (1 or 2). */
  eret(): void {
    const s = this.sys.r;
    const el = this.el;
    const spsr = s[(el === 2 ? SR.SPSR_EL2 : SR.SPSR_EL1) * 2]! >>> 0;
    const elrSlot = el === 2 ? SR.ELR_EL2 : SR.ELR_EL1;
    const target = s[elrSlot * 2 + 1]! * TWO32 + (s[elrSlot * 2]! >>> 0);
    const m = spsr & 0x1f;
    const tel = (m >>> 2) & 3;
    const illegal =
      (m & 0x10) !== 0 ||
      tel > el ||
      (tel === 2 && !this.hasEl2) ||
      (m & 2) !== 0 ||
      (tel === 0 && (m & 1) !== 0) ||
      (tel === 1 && el === 2 && this.hcrHi(HCR.TGE));
    this.exclAddr = -1;
    this.event = true;
    this.nf = (spsr >>> 31) & 1;
    this.zf = (spsr >>> 30) & 1;
    this.cf = (spsr >>> 29) & 1;
    this.vf = (spsr >>> 28) & 1;
    this.daif = spsr & 0x3c0;
    this.ss = 0;
    if (illegal) {
      // PSTATE.IL set, EL unchanged: the next instruction raises an illegal state exception.
      this.il = 1;
      this.updateCtx();
    } else {
      this.il = (spsr >>> 20) & 1;
      this.pan = this.model === "max" ? (spsr >>> 22) & 1 : 0;
      // Recomputes the translation contexts (and drops the fetch page) for the new EL and PAN.
      this.setPstateEl(tel, m & 1);
    }
    // The PC is the ELR with the tag bits of an AArch64 target kept as written.
    this.pc = target;
    this.sliceBreak = true;
  }

  /** Takes a pending unmasked interrupt, if any. */
  checkInterrupts(): void {
    const el = this.el;
    let imo = false;
    let fmo = false;
    let tge = false;
    let vi = false;
    let vf = false;
    let vse = false;
    if (this.hasEl2) {
      const h = this.sys.r[SR.HCR_EL2 * 2]!;
      tge = (h & (1 << HCR.TGE)) !== 0;
      imo = tge || (h & (1 << HCR.IMO)) !== 0;
      fmo = tge || (h & (1 << HCR.FMO)) !== 0;
      vi = !tge && (h & (1 << HCR.IMO)) !== 0 && ((h & (1 << HCR.VI)) !== 0 || this.virqLine);
      vf = !tge && (h & (1 << HCR.FMO)) !== 0 && ((h & (1 << HCR.VF)) !== 0 || this.vfiqLine);
      vse = !tge && (h & (1 << HCR.AMO)) !== 0 && (h & (1 << HCR.VSE)) !== 0;
    }
    const d = this.daif;
    // Physical FIQ and IRQ (FIQ has priority).
    if (this.fiqLine && this.interruptTaken(fmo, (d & 0x40) !== 0)) {
      this.takeInterrupt(fmo ? 2 : 1, VEC_FIQ);
      return;
    }
    if (this.irqLine && this.interruptTaken(imo, (d & 0x80) !== 0)) {
      this.takeInterrupt(imo ? 2 : 1, VEC_IRQ);
      return;
    }
    if (el < 2) {
      if (vse && (d & 0x100) === 0) {
        // A virtual SError is taken once: hardware clears HCR_EL2.VSE.
        this.sys.r[SR.HCR_EL2 * 2] = this.sys.r[SR.HCR_EL2 * 2]! & ~(1 << HCR.VSE);
        this.takeInterrupt(1, VEC_SERROR, ((EC.SERROR << 26) | (1 << 25)) >>> 0);
        return;
      }
      if (vf && (d & 0x40) === 0) {
        this.takeInterrupt(1, VEC_FIQ);
        return;
      }
      if (vi && (d & 0x80) === 0) {
        this.takeInterrupt(1, VEC_IRQ);
        return;
      }
    }
  }

  /** Whether a physical interrupt routed to EL2 (`toEl2`) or EL1 is taken at the current EL. */
  private interruptTaken(toEl2: boolean, masked: boolean): boolean {
    const el = this.el;
    if (toEl2) return el < 2 || !masked;
    // Routed to EL1: never taken at EL2, masked by PSTATE at EL0/EL1.
    return el < 2 && !masked;
  }

  private takeInterrupt(target: number, kind: number, esr = -1): void {
    this.curPc = this.pc;
    this.event = true;
    this.enter(target, kind, this.pc, esr);
  }

  /** Any interrupt pending (for WFI wake-up), masked or not. */
  interruptPending(): boolean {
    if (this.irqLine || this.fiqLine) return true;
    if (this.el < 2 && this.hasEl2) {
      const h = this.sys.r[SR.HCR_EL2 * 2]!;
      if (h & (1 << HCR.TGE)) return false;
      if (h & (1 << HCR.IMO) && (h & (1 << HCR.VI) || this.virqLine)) return true;
      if (h & (1 << HCR.FMO) && (h & (1 << HCR.VF) || this.vfiqLine)) return true;
      if (h & (1 << HCR.AMO) && h & (1 << HCR.VSE)) return true;
    }
    return false;
  }
}

/** The register-file slot of ESR_EL2, FAR_EL2, HPFAR_EL2 or ELR_EL2, else -1. */
function trapRegSlot(enc: number): number {
  switch (enc) {
    case SysReg.ESR_EL2:
      return SR.ESR_EL2;
    case SysReg.FAR_EL2:
      return SR.FAR_EL2;
    case SysReg.HPFAR_EL2:
      return SR.HPFAR_EL2;
    case SysReg.ELR_EL2:
      return SR.ELR_EL2;
    default:
      return -1;
  }
}

function encName(enc: number): string {
  return `S${enc >>> 14}_${(enc >>> 11) & 7}_C${(enc >>> 7) & 15}_C${(enc >>> 3) & 15}_${enc & 7}`;
}
