/**
 * The RV64 hart: architectural state, the software TLBs and the load/store unit (memory
 * access fast paths), and the public API. The interpreter loop lives in interpreter.ts,
 * address translation in mmu.ts, CSRs in csr.ts and trap entry in trap.ts; they operate on
 * the fields of this class (the latter through HartCore).
 *
 * Representation: integer registers are int32 pairs in `x` (lo = x[2i], hi = x[2i+1]);
 * the PC and virtual addresses are JS numbers holding the signed 64-bit value (exact for
 * every canonical Sv39/Sv48 address and every physical address).
 */

import { adoptedWord, claimCpuState, CPU_STATE_BYTES as HART_STATE_BYTES } from "@axvisor/machine";
import type { HartOptions, PhysBus, RunExit, TimeSource } from "./bus.js";
import { csrGet, csrSet, GEILEN } from "./csr.js";
import { MS } from "./csr-numbers.js";
import type { FpState } from "./fpu/index.js";
import type { HartCore } from "./hart-core.js";
import {
  REC_BYTES,
  ST_F,
  ST_FOFF,
  ST_FREC,
  ST_FTAG,
  ST_LOFF,
  ST_LREC,
  ST_LTAG,
  ST_SOFF,
  ST_SREC,
  ST_STAG,
  ST_X,
  TLB_MASK,
  TLB_SIZE,
} from "./hart-state.js";
import { execute } from "./interpreter.js";
import { Jit, type JitOptions } from "./jit/jit.js";
import {
  ACC_FETCH,
  ACC_LOAD,
  ACC_STORE,
  CTX_MXR_M,
  CTX_MXR_VS,
  CTX_SUM,
  CTX_V,
  G_TLB_BITS,
  LEVEL_BYTES,
  xlate,
} from "./mmu.js";
import { Pmp } from "./pmp.js";
import { RVC_TABLE } from "./rvc.js";
import { SLOT_COUNT, Slot } from "./slots.js";
import { checkInterrupts, sret } from "./trap.js";
import { TRAP } from "./trap-signal.js";
import { Triggers } from "./triggers.js";

const TWO32 = 4294967296;
/** Compiled-code TLB records per access type (ACC_FETCH, ACC_LOAD, ACC_STORE). */
const REC_BASE = [ST_FREC, ST_LREC, ST_SREC] as const;
/** Instructions between interrupt/timer checks when nothing forces an earlier check. */
const SLICE = 4096;
/**
 * Entries per set of the negative G-stage cache (see `gmissTag`): guests touch few MMIO pages,
 * and a direct-mapped set this small is cheap to wipe on every fence.
 */
const GMISS_BITS = 4;
const GMISS_SIZE = 1 << GMISS_BITS;
const GMISS_MASK = GMISS_SIZE - 1;

/** Hardware-driven mip bits the board may set: SSIP is software-only, the rest are lines. */
const LINE_BITS = (1 << 3) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 11);

/** Identifies the superpage of `level` (1 = 2 MiB, ...) that holds address (or TLB tag) `va`. */
function superKey(level: number, va: number): number {
  return Math.floor(va / LEVEL_BYTES[level]!) * 4 + level;
}

/** AXVISOR_JIT=0 in the environment turns the JIT off for harts that do not choose. */
function jitFromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.AXVISOR_JIT !== "0";
}

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export class Hart implements FpState, HartCore {
  readonly x: Int32Array;
  readonly f: Int32Array;
  fflags = 0;
  frm = 0;

  readonly hartId: number;
  readonly bus: PhysBus;
  readonly time: TimeSource;
  readonly resetPc: number;
  readonly hasH: boolean;
  readonly hasSstc: boolean;
  readonly misa: number;

  readonly ram: Uint8Array;
  readonly r16: Uint16Array;
  readonly r32: Int32Array;
  readonly r64: BigInt64Array;
  readonly ramAdopted: Int32Array;
  readonly ramBase: number;
  readonly ramSize: number;

  /** Current PC (the signed 64-bit value as a number). */
  pc = 0;
  private privMode = 3;
  private virtMode = false;
  private hostMode = false;

  // --- CSR state (low words as numbers; 64-bit plain CSRs in c64) ---
  mstatus = 0;
  mstatusMpv = false;
  mstatusGva = false;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-written mip bits (SSIP, STIP, SEIP). */
  mipSw = 0;
  /** Hardware interrupt lines (MSIP, MTIP, MEIP, SEIP, STIP). */
  hwIrq = 0;
  mcounteren = 0;
  scounteren = 0;
  hcounteren = 0;
  mcountinhibit = 0;
  menvcfg = 0;
  menvcfgStce = false;
  senvcfg = 0;
  henvcfg = 0;
  henvcfgStce = false;
  hstatus = 0;
  hedeleg = 0;
  hideleg = 0;
  hvip = 0;
  hgeip = 0;
  hgeie = 0;
  vsstatus = 0;
  readonly c64 = new Int32Array(SLOT_COUNT * 2);
  readonly pmp = new Pmp();
  /** Sdtrig triggers; `triggers.armed` is tested on slow paths only. */
  readonly triggers = new Triggers();
  instret = 0;
  /** mhpmcounter3..31 / mhpmevent3..31 values (slot n at [2n], [2n+1]); they never count. */
  readonly hpmCounter = new Int32Array(64);
  readonly hpmEvent = new Int32Array(64);
  mcycleOff = 0;
  minstretOff = 0;

  /** LR reservation (physical address) or -1. */
  resAddr = -1;
  resLo = 0;
  resHi = 0;

  // --- scratch outputs (avoid allocating result objects) ---
  csrLo = 0;
  csrHi = 0;
  pteLo = 0;
  pteHi = 0;
  /** High word of the last 64-bit load. */
  hi = 0;
  xlateCacheable = true;
  /** Level of the stage-1 leaf PTE of the last xlate() (0 = 4 KiB page, 1 = 2 MiB, ...). */
  xlateLevel = 0;

  // --- pending trap, filled by fault() ---
  trapCause = 0;
  trapTval = 0;
  trapTval2 = 0;
  /** -1 = "the transformed current instruction". */
  trapTinst = 0;
  trapGva = false;
  /**
   * Start address of the misaligned access being split into bytes (NaN otherwise): a fault on
   * one of its bytes reports the byte's offset in htinst's address-offset field.
   */
  misalignedVa = Number.NaN;
  /** Current instruction (expanded to 32 bits) and its length in bytes. */
  insn = 0;
  insnLen = 4;

  /** Set by CSR writes and xRET: end the slice so interrupts are re-evaluated. */
  sliceBreak = false;
  /** Host-trap mode: a trap was taken into HS-mode. */
  hostTrapped = false;
  /** Set by WFI when no enabled interrupt is pending: run() returns "wfi". */
  wfiExit = false;
  /**
   * PAUSE (Zihintpause, the spin-wait hint in Linux's cpu_relax()) ends run() with "budget"
   * right after it. A host that time-slices several harts of one guest on one thread sets it:
   * a hart spinning on a lock held by a hart that is not running gives the thread back instead
   * of spinning out its slice. Off by default (PAUSE is then a no-op, as the ISA allows).
   */
  pauseExit = false;
  /** Set when a PAUSE ended execute() because of `pauseExit`. */
  paused = false;
  /**
   * A debugger owns breakpoint exceptions (external debug, like dcsr.ebreakm/s/u set): EBREAK
   * and C.EBREAK stop the hart at the instruction instead of trapping, and run() returns
   * "host-trap" with `debugBreakHit` set. Off by default; only the exception path reads it.
   */
  debugBreakpoints = false;
  /** The last run() stopped at a breakpoint instruction for the debugger. */
  debugBreakHit = false;

  // --- software TLBs: tag = page VA + ctx, off = RAM byte offset of the page ---
  // (ftag/foff/stag/soff/fetchVa/fetchOff are also read by the JIT: not private.)
  readonly ftag: Float64Array;
  readonly foff: Uint32Array;
  private readonly ltag: Float64Array;
  private readonly loff: Uint32Array;
  readonly stag: Float64Array;
  readonly soff: Uint32Array;
  /** The whole state block (see hart-state.ts) as f64s and as int32s. */
  readonly stateF64: Float64Array;
  readonly stateI32: Int32Array;
  /** The JIT tier, or null when this hart only interprets. */
  readonly jit: Jit | null;
  /** Byte offset of RAM in the wasm memory (with a JIT). */
  private readonly ramWasmOffset: number;
  /** G-stage TLB (GPA page -> HPA page), four sets: PTE reads, fetch, load, store. */
  readonly gtag = new Float64Array(4 << G_TLB_BITS);
  readonly ghpa = new Float64Array(4 << G_TLB_BITS);
  /**
   * Negative G-stage cache: guest loads (set 0) and stores (set 1) whose virtual page, in a
   * translation context, led to a guest-page fault at the G-stage (a page the hypervisor left
   * unmapped: MMIO, or RAM not yet allocated). Tag = page VA + ctx, like the TLBs; `gmissGpa`
   * holds the guest-physical page. A hit raises the same fault without walking either stage,
   * and without unwinding (see `trapDeferred`). The spec lets a hart cache invalid entries as
   * long as fences drop them: every TLB flush empties this cache, and `fenceGuestPage` (the
   * hypervisor's HFENCE.GVMA after it maps a page) drops that page.
   */
  private readonly gmissTag = new Float64Array(2 * GMISS_SIZE).fill(Number.NaN);
  private readonly gmissGpa = new Float64Array(2 * GMISS_SIZE);
  /**
   * A load or store recorded its trap in the trap fields instead of throwing (a negative
   * G-stage cache hit). The interpreter checks it after its loads and stores and takes the
   * trap as if it had been thrown.
   */
  trapDeferred = false;
  /**
   * Stage-1 leaf level of each TLB entry (fetch, load, store sets), so SFENCE.VMA of one
   * address can find every 4 KiB piece of a superpage: `superPieces` maps a superpage (its
   * level and number) to the entries (set * TLB_SIZE + slot) that were filled from it.
   */
  private readonly tlbLevel = new Uint8Array(3 * TLB_SIZE);
  private readonly superPieces = new Map<number, number[]>();
  /** The superPieces key each entry was last listed under (NaN: none). */
  private readonly pieceKey = new Float64Array(3 * TLB_SIZE).fill(Number.NaN);
  /**
   * hgatp and vsatp under which the cached V=1 translations (and the G-stage cache) were
   * made, as lo/hi words. Writing those CSRs flushes nothing by itself (translations are
   * tagged by VMID and ASID, as the spec allows); entering V=1 or using the G-stage with
   * different values does.
   */
  private readonly v1Tag = new Int32Array(4);
  private v1TagValid = false;
  /** Translation context of instruction fetch and of loads/stores (see mmu.ts CTX_*). */
  ctxFetch = 3;
  ctxData = 3;
  /** Fetch page cache: VA of the current code page (NaN if none) and its RAM offset. */
  fetchVa = Number.NaN;
  fetchOff = 0;

  constructor(opts: HartOptions) {
    const { bus } = opts;
    const ram = bus.ram;
    if (ram.byteOffset % 8 !== 0) {
      throw new Error(`Hart: bus.ram must start 8-byte aligned (byteOffset ${ram.byteOffset})`);
    }
    if (!Number.isSafeInteger(bus.ramBase) || bus.ramBase < 0 || bus.ramBase % 4096 !== 0) {
      throw new Error(`Hart: bus.ramBase ${bus.ramBase} must be a 4 KiB-aligned address`);
    }
    this.hartId = opts.hartId;
    this.bus = bus;
    this.time = opts.time;
    this.resetPc = opts.resetPc;
    this.hasH = opts.extensions?.h ?? true;
    this.hasSstc = opts.extensions?.sstc ?? true;
    // RV64 with A, C, D, F, I, M, S, U (+H).
    this.misa =
      (1 << 0) |
      (1 << 2) |
      (1 << 3) |
      (1 << 5) |
      (1 << 8) |
      (1 << 12) |
      (1 << 18) |
      (1 << 20) |
      (this.hasH ? 1 << 7 : 0);
    this.ram = ram;
    this.ramBase = bus.ramBase;
    this.ramSize = ram.byteLength - (ram.byteLength % 8);
    this.r16 = new Uint16Array(ram.buffer, ram.byteOffset, this.ramSize >>> 1);
    this.r32 = new Int32Array(ram.buffer, ram.byteOffset, this.ramSize >>> 2);
    this.r64 = new BigInt64Array(ram.buffer, ram.byteOffset, this.ramSize >>> 3);
    this.ramAdopted = adoptedWord(ram);
    // The state block goes into RAM's wasm memory when RAM came from allocateRam() and the JIT
    // is wanted, so compiled code reaches registers and TLBs; otherwise into a plain buffer.
    const jitOpts = opts.jit ?? jitFromEnvironment();
    const claim = jitOpts === false ? undefined : claimCpuState(ram);
    const buf = claim?.wasm.memory.buffer ?? new ArrayBuffer(HART_STATE_BYTES);
    const at = claim?.offset ?? 0;
    this.x = new Int32Array(buf, at + ST_X, 64);
    this.f = new Int32Array(buf, at + ST_F, 64);
    this.ltag = new Float64Array(buf, at + ST_LTAG, TLB_SIZE);
    this.stag = new Float64Array(buf, at + ST_STAG, TLB_SIZE);
    this.loff = new Uint32Array(buf, at + ST_LOFF, TLB_SIZE);
    this.soff = new Uint32Array(buf, at + ST_SOFF, TLB_SIZE);
    this.ftag = new Float64Array(buf, at + ST_FTAG, TLB_SIZE);
    this.foff = new Uint32Array(buf, at + ST_FOFF, TLB_SIZE);
    this.stateF64 = new Float64Array(buf, at, HART_STATE_BYTES / 8);
    this.stateI32 = new Int32Array(buf, at, HART_STATE_BYTES / 4);
    this.ramWasmOffset = claim?.wasm.ramOffset ?? 0;
    this.jit =
      claim === undefined
        ? null
        : new Jit(this, claim.wasm, at, jitOpts === true ? {} : (jitOpts as JitOptions));
    this.reset();
  }

  // ===================================================================== public API

  get priv(): number {
    return this.privMode;
  }
  get virt(): boolean {
    return this.virtMode;
  }

  /**
   * Host-trap mode: TypeScript plays HS-mode software. M-mode is absent (all traps are
   * delegated to S, M-level interrupts are ignored) and traps into HS-mode make run() return
   * "host-trap" instead of jumping to stvec.
   */
  get hostTrapMode(): boolean {
    return this.hostMode;
  }
  set hostTrapMode(on: boolean) {
    this.hostMode = on;
    if (on) this.enterHostState();
  }

  reset(): void {
    this.x.fill(0);
    this.f.fill(0);
    this.fflags = 0;
    this.frm = 0;
    this.pc = this.resetPc;
    this.mstatus = 0;
    this.mstatusMpv = false;
    this.mstatusGva = false;
    this.medeleg = 0;
    this.mideleg = 0;
    this.mie = 0;
    this.mipSw = 0;
    this.hwIrq = 0;
    this.mcounteren = 0;
    this.scounteren = 0;
    this.hcounteren = 0;
    this.mcountinhibit = 0;
    this.menvcfg = 0;
    this.menvcfgStce = false;
    this.senvcfg = 0;
    this.henvcfg = 0;
    this.henvcfgStce = false;
    this.hstatus = 0;
    this.hedeleg = 0;
    this.hideleg = 0;
    this.hvip = 0;
    this.hgeip = 0;
    this.hgeie = 0;
    this.vsstatus = 0;
    this.c64.fill(0);
    this.pmp.reset();
    this.instret = 0;
    this.hpmCounter.fill(0);
    this.hpmEvent.fill(0);
    this.mcycleOff = 0;
    this.minstretOff = 0;
    this.resAddr = -1;
    this.sliceBreak = false;
    this.hostTrapped = false;
    this.wfiExit = false;
    this.paused = false;
    this.privMode = 3;
    this.virtMode = false;
    if (this.hostMode) this.enterHostState();
    this.updateCtx();
    this.flushTlb();
    this.jit?.flush();
  }

  private enterHostState(): void {
    // What M-mode firmware would have set up for a hypervisor: counters and Sstc usable,
    // FP on (Initial), and the hart in HS-mode.
    this.mcounteren = -1;
    // Firmware delegates every supervisor interrupt to S, so HS software owns sie/sip.
    this.mideleg = 0x222;
    this.menvcfgStce = this.hasSstc;
    if ((this.mstatus & MS.FS) === 0) this.mstatus |= 1 << 13;
    this.setMode(1, false);
  }

  /**
   * Host-trap mode: the effect of `sret` in HS-mode. With hstatus.SPV=1 this enters the
   * guest (V=1) at sepc in the mode given by sstatus.SPP.
   */
  enterGuest(): void {
    if (this.privMode !== 1 || this.virtMode) {
      throw new Error(
        `Hart.enterGuest: the hart must be in HS-mode (it is in priv=${this.privMode}, V=${this.virtMode})`,
      );
    }
    this.hostTrapped = false;
    sret(this);
  }

  /** Executes up to `budget` instructions. */
  run(budget: number): RunExit {
    if (this.hostMode && !this.virtMode) {
      throw new Error(
        "Hart.run: in host-trap mode the hart runs guests only; call enterGuest() first",
      );
    }
    let done = 0;
    this.wfiExit = false;
    this.hostTrapped = false;
    this.paused = false;
    let result: RunExit = "budget";
    while (done < budget) {
      if (checkInterrupts(this) && this.hostTrapped) {
        result = "host-trap";
        break;
      }
      const chunk = Math.min(budget - done, SLICE);
      done += execute(this, chunk);
      if (this.hostTrapped) {
        result = "host-trap";
        break;
      }
      if (this.wfiExit) {
        result = "wfi";
        break;
      }
      if (this.paused) break;
    }
    this.resAddr = -1;
    return result;
  }

  /** Drives a hardware interrupt line: MSIP=3, MTIP=7, MEIP=11, SEIP=9 (STIP=5 also allowed). */
  setInterruptLine(bit: number, level: boolean): void {
    if (!Number.isInteger(bit) || bit < 0 || bit > 11 || ((LINE_BITS >>> bit) & 1) === 0) {
      throw new RangeError(`Hart.setInterruptLine: ${bit} is not a hardware interrupt line`);
    }
    if (level) this.hwIrq |= 1 << bit;
    else this.hwIrq &= ~(1 << bit);
  }

  /** Drives guest external interrupt line n (hgeip bit n, 1..GEILEN). */
  setGuestExternalLine(n: number, level: boolean): void {
    if (!this.hasH || !Number.isInteger(n) || n < 1 || n > GEILEN) {
      throw new RangeError(`Hart.setGuestExternalLine: line ${n} is not in 1..${GEILEN}`);
    }
    if (level) this.hgeip |= 1 << n;
    else this.hgeip &= ~(1 << n);
  }

  /**
   * Drops the LR reservation, so the next SC fails (the architecture lets a reservation be
   * lost at any time): a hypervisor does this when the state it puts on the hart did not
   * come from the code that made the reservation (a restored VM).
   */
  clearReservation(): void {
    this.resAddr = -1;
  }

  /** FENCE.I on behalf of another hart (or after the host wrote code into RAM). */
  fenceI(): void {
    this.jit?.fenceI();
  }

  getPc(): bigint {
    return BigInt.asUintN(64, BigInt(this.pc));
  }
  setPc(v: bigint): void {
    this.pc = Number(BigInt.asIntN(64, v) & ~1n);
  }

  getX(i: number): bigint {
    this.checkReg(i);
    return u64(this.x[i * 2]!, this.x[i * 2 + 1]!);
  }
  setX(i: number, v: bigint): void {
    this.checkReg(i);
    if (i === 0) return;
    this.x[i * 2] = Number(v & 0xffffffffn) | 0;
    this.x[i * 2 + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  private checkReg(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i > 31) {
      throw new RangeError(`Hart: register x${i} does not exist`);
    }
  }

  /** Host read of a CSR (no privilege checks; V=0 numbering). */
  readCsr(num: number): bigint {
    if (!csrGet(this, num, false)) {
      throw new Error(`Hart.readCsr: CSR 0x${num.toString(16)} is not implemented`);
    }
    return u64(this.csrLo, this.csrHi);
  }

  /**
   * Host read of a CSR as a number, for a world switch without BigInt: the 64-bit value taken
   * as signed, so addresses come out sign-extended as the hart keeps its pc (exact below 2^53
   * in magnitude). The low word stays in `csrLo` (e.g. scause's code beside its interrupt bit,
   * which makes the number negative).
   */
  readCsrNum(num: number): number {
    if (!csrGet(this, num, false)) {
      throw new Error(`Hart.readCsrNum: CSR 0x${num.toString(16)} is not implemented`);
    }
    return this.csrHi * TWO32 + (this.csrLo >>> 0);
  }

  /** Host write of a CSR from a number (an integer; negative = sign-extended), no BigInt. */
  writeCsrNum(num: number, v: number): void {
    if (!csrSet(this, num, v | 0, Math.floor(v / TWO32) | 0, false)) {
      throw new Error(`Hart.writeCsrNum: CSR 0x${num.toString(16)} is not implemented`);
    }
  }

  /** Host write of a CSR from its low and high words (int32 each), no BigInt and no double. */
  writeCsrWords(num: number, lo: number, hi: number): void {
    if (!csrSet(this, num, lo | 0, hi | 0, false)) {
      throw new Error(`Hart.writeCsrWords: CSR 0x${num.toString(16)} is not implemented`);
    }
  }

  /** Host write of a CSR (no privilege checks; same WARL legalisation as instructions). */
  writeCsr(num: number, v: bigint): void {
    const lo = Number(v & 0xffffffffn) | 0;
    const hi = Number((v >> 32n) & 0xffffffffn) | 0;
    if (!csrSet(this, num, lo, hi, false)) {
      throw new Error(`Hart.writeCsr: CSR 0x${num.toString(16)} is not implemented`);
    }
  }

  /**
   * The earliest `time` value at which an Sstc compare (stimecmp, or vstimecmp against
   * time + htimedelta) will raise STIP/VSTIP, or Infinity if neither is armed. A board that
   * gets "wfi" from run() sleeps until this (or until its own timers and devices fire).
   */
  nextTimerEvent(): number {
    if (!this.hasSstc || !this.menvcfgStce) return Number.POSITIVE_INFINITY;
    const c = this.c64;
    let t = (c[Slot.stimecmp * 2 + 1]! >>> 0) * TWO32 + (c[Slot.stimecmp * 2]! >>> 0);
    if (this.hasH && this.henvcfgStce) {
      const v = (c[Slot.vstimecmp * 2 + 1]! >>> 0) * TWO32 + (c[Slot.vstimecmp * 2]! >>> 0);
      const delta = c[Slot.htimedelta * 2 + 1]! * TWO32 + (c[Slot.htimedelta * 2]! >>> 0);
      if (v - delta < t) t = v - delta;
    }
    return t >= 2 ** 64 - 2 ** 11 ? Number.POSITIVE_INFINITY : t;
  }

  /** DMA (or another hart) wrote RAM: drop anything derived from those bytes. */
  notifyExternalWrite(paddr: number, len: number): void {
    if (this.resAddr >= 0 && this.resAddr + 8 > paddr && this.resAddr < paddr + len) {
      this.resAddr = -1;
    }
    const ro = paddr - this.ramBase;
    if (this.jit !== null && len > 0 && ro + len > 0 && ro < this.ramSize) {
      this.jit.notifyWrite(ro, len);
    }
  }

  // ===================================================================== internals

  /** Changes privilege/V and recomputes the translation contexts. */
  setMode(priv: number, virt: boolean): void {
    this.privMode = priv;
    this.virtMode = virt;
    if (virt) this.checkGuestTranslations();
    this.updateCtx();
  }

  /**
   * Before guest (V=1) translations are used: drops cached ones made under another hgatp or
   * vsatp (another VM, another address space). A hypervisor rewriting the same values at
   * every world switch keeps its guest's TLB entries, as VMID-tagged hardware would.
   */
  checkGuestTranslations(): void {
    const c = this.c64;
    const t = this.v1Tag;
    const hl = c[Slot.hgatp * 2]!;
    const hh = c[Slot.hgatp * 2 + 1]!;
    const vl = c[Slot.vsatp * 2]!;
    const vh = c[Slot.vsatp * 2 + 1]!;
    if (this.v1TagValid && t[0] === hl && t[1] === hh && t[2] === vl && t[3] === vh) return;
    this.flushTlb(true);
    // Another guest, or this guest restarted: the host may have loaded code behind the
    // hart's back, so compiled code is checked against RAM before it runs again.
    this.jit?.fenceI();
    t[0] = hl;
    t[1] = hh;
    t[2] = vl;
    t[3] = vh;
    this.v1TagValid = true;
  }

  /**
   * SFENCE.VMA / HFENCE.VVMA with an address: drops the cached translations of that virtual
   * page, and of any superpage containing it, in every context.
   */
  flushTlbPage(va: number): void {
    const i = (va >>> 12) & TLB_MASK;
    this.gmissTag.fill(Number.NaN);
    this.ftag[i] = Number.NaN;
    this.ltag[i] = Number.NaN;
    this.stag[i] = Number.NaN;
    this.killRecord(ACC_FETCH, i);
    this.killRecord(ACC_LOAD, i);
    this.killRecord(ACC_STORE, i);
    this.fetchVa = Number.NaN;
    const lv = this.tlbLevel;
    lv[i] = 0;
    lv[TLB_SIZE + i] = 0;
    lv[2 * TLB_SIZE + i] = 0;
    if (this.superPieces.size === 0) return;
    const tags = [this.ftag, this.ltag, this.stag];
    for (let level = 1; level <= 3; level++) {
      const size = LEVEL_BYTES[level]!;
      const key = superKey(level, va);
      const pieces = this.superPieces.get(key);
      if (pieces === undefined) continue;
      this.superPieces.delete(key);
      for (const e of pieces) {
        // Skip entries refilled since from another translation.
        const tag = tags[(e / TLB_SIZE) | 0]!;
        const slot = e & TLB_MASK;
        if (lv[e] === level && Math.floor(tag[slot]! / size) === Math.floor(va / size)) {
          tag[slot] = Number.NaN;
          this.killRecord((e / TLB_SIZE) | 0, slot);
          lv[e] = 0;
        }
        if (this.pieceKey[e] === key) this.pieceKey[e] = Number.NaN;
      }
    }
  }

  /** Recomputes ctxFetch/ctxData after a change of mode or of mstatus/vsstatus. */
  updateCtx(): void {
    const priv = this.privMode;
    const virt = this.virtMode;
    this.ctxFetch = priv | (virt ? CTX_V : 0);
    let p = priv;
    let v = virt;
    if (priv === 3 && !this.hostMode && (this.mstatus & MS.MPRV) !== 0) {
      p = (this.mstatus >> 11) & 3;
      v = p !== 3 && this.hasH && this.mstatusMpv;
    }
    let ctx = p | (this.mstatus & MS.MXR ? CTX_MXR_M : 0);
    if (v) {
      ctx |= CTX_V;
      if (this.vsstatus & MS.SUM) ctx |= CTX_SUM;
      if (this.vsstatus & MS.MXR) ctx |= CTX_MXR_VS;
    } else if (this.mstatus & MS.SUM) ctx |= CTX_SUM;
    this.ctxData = ctx;
    this.fetchVa = Number.NaN;
  }

  /**
   * Drops cached translations. The G-stage cache (GPA->HPA) survives unless `gstage` is set:
   * SFENCE.VMA, HFENCE.VVMA and satp/vsatp writes do not change guest-physical mappings.
   */
  flushTlb(gstage = true): void {
    this.ftag.fill(Number.NaN);
    this.gmissTag.fill(Number.NaN);
    if (this.jit !== null)
      this.stateI32.fill(-1, ST_LREC / 4, (ST_FREC + REC_BYTES * TLB_SIZE) / 4);
    this.ltag.fill(Number.NaN);
    this.stag.fill(Number.NaN);
    if (gstage) this.gtag.fill(Number.NaN);
    this.tlbLevel.fill(0);
    this.superPieces.clear();
    this.pieceKey.fill(Number.NaN);
    this.fetchVa = Number.NaN;
  }

  /**
   * HFENCE.GVMA of one guest-physical page: what a hypervisor executes after it mapped that
   * page (a lazily allocated frame), so the hart forgets that the page faulted.
   */
  fenceGuestPage(gpa: number): void {
    const page = gpa - (gpa % 4096);
    for (let e = 0; e < 2 * GMISS_SIZE; e++) {
      if (this.gmissGpa[e] === page) this.gmissTag[e] = Number.NaN;
    }
    const i = (gpa >>> 12) & ((1 << G_TLB_BITS) - 1);
    for (let kind = 0; kind < 4; kind++) this.gtag[(kind << G_TLB_BITS) | i] = Number.NaN;
  }

  /**
   * The G-stage walk of a load or store at `va` (context `ctx`) found guest-physical `gpa`
   * unmapped: remember it in the negative cache. Only where the result holds for the whole
   * page (no PMP narrowing it).
   */
  noteGuestPageFault(va: number, gpa: number, type: number, ctx: number): void {
    if (type === ACC_FETCH || !this.pmp.inactive) return;
    const e = ((type - 1) << GMISS_BITS) | ((va >>> 12) & GMISS_MASK);
    this.gmissTag[e] = va - (va & 4095) + ctx;
    this.gmissGpa[e] = gpa - (gpa % 4096);
  }

  /**
   * Translation of an aligned load or store: `translate`, except that a page in the negative
   * G-stage cache records its guest-page fault and returns -1 (trapDeferred set) instead of
   * walking and throwing. Not inside a split misaligned access, whose bytes report offsets.
   */
  private translateData(va: number, type: number, len: number): number {
    const e = ((type - 1) << GMISS_BITS) | ((va >>> 12) & GMISS_MASK);
    if (
      this.gmissTag[e] === va - (va & 4095) + this.ctxData &&
      Number.isNaN(this.misalignedVa) &&
      !this.triggers.armed
    ) {
      this.trapCause = type === ACC_LOAD ? 21 : 23;
      this.trapTval = va;
      this.trapTval2 = this.gmissGpa[e]! + (va & 4095);
      this.trapTinst = -1;
      this.trapGva = true;
      this.trapDeferred = true;
      return -1;
    }
    return this.translate(va, type, len);
  }

  /** stimecmp/vstimecmp changed: re-evaluate the timer interrupts at the next boundary. */
  updateTimers(): void {
    this.sliceBreak = true;
  }

  fpEnabled(): boolean {
    return (this.mstatus & MS.FS) !== 0 && (!this.virtMode || (this.vsstatus & MS.FS) !== 0);
  }

  markFsDirty(): void {
    this.mstatus |= MS.FS;
    if (this.virtMode) this.vsstatus |= MS.FS;
  }

  /** Records a synchronous exception and unwinds to the run loop. */
  fault(cause: number, tval: number, tval2: number, tinst: number, gva: boolean): never {
    this.trapCause = cause;
    this.trapTval = tval;
    this.trapTval2 = tval2;
    this.trapTinst = tinst;
    this.trapGva = gva;
    throw TRAP;
  }

  illegal(): never {
    return this.fault(2, this.insnLen === 2 ? this.rawCompressed() : this.insn >>> 0, 0, 0, false);
  }

  virtualInstruction(): never {
    return this.fault(22, this.insnLen === 2 ? this.rawCompressed() : this.insn >>> 0, 0, 0, false);
  }

  /** The original 16-bit parcel of the current compressed instruction (for tval). */
  private rawCompressed(): number {
    try {
      const pa = xlate(this, this.pc, ACC_FETCH, this.ctxFetch);
      const ro = pa - this.ramBase;
      if (ro >= 0 && ro + 2 <= this.ramSize) return this.r16[ro >>> 1]!;
    } catch {
      // the fetch just succeeded; nothing can fail here
    }
    return 0;
  }

  // ------------------------------------------------------------- memory access

  /** Data-access translation for the current context; fills the load or store TLB. */
  translate(va: number, type: number, len = 1): number {
    const ctx = this.ctxData;
    const armed = this.triggers.armed;
    if (armed) this.triggers.checkData(this, va, len, type === ACC_STORE);
    const pa = xlate(this, va, type, ctx);
    if (this.xlateCacheable && !armed) {
      const ro = pa - (pa & 4095) - this.ramBase;
      if (ro >= 0 && ro + 4096 <= this.ramSize) {
        // A store into a page with compiled code drops that code first (it may be rewritten).
        if (type === ACC_STORE && this.jit !== null && this.jit.codeFlags[ro >>> 12] !== 0) {
          this.jit.invalidatePage(ro >>> 12);
        }
        const i = (va >>> 12) & TLB_MASK;
        const tag = va - (va & 4095) + ctx;
        if (type === ACC_LOAD) {
          this.ltag[i] = tag;
          this.loff[i] = ro;
        } else {
          this.stag[i] = tag;
          this.soff[i] = ro;
        }
        if (this.jit !== null) this.fillRecord(type, i, va - (va & 4095), ctx, ro);
        this.noteLevel(type, i);
      }
    }
    return pa;
  }

  /**
   * The compiled-code view of TLB entry `i` of set `type` (ACC_*): page VA `page` in context
   * `ctx` is RAM offset `ro` (see ST_LREC in hart-state.ts).
   */
  private fillRecord(type: number, i: number, page: number, ctx: number, ro: number): void {
    const w = (REC_BASE[type]! + i * REC_BYTES) >> 2;
    const s = this.stateI32;
    s[w] = page | 0 | (ctx << 4);
    s[w + 1] = Math.floor(page / TWO32) | 0;
    s[w + 2] = type === ACC_FETCH ? ro : (this.ramWasmOffset + ro - (page | 0)) | 0;
  }

  /** Empties the compiled-code view of TLB entry `i` of set `type`. */
  killRecord(type: number, i: number): void {
    const w = (REC_BASE[type]! + i * REC_BYTES) >> 2;
    this.stateI32[w] = -1;
    this.stateI32[w + 1] = -1;
  }

  /** Records the stage-1 level of the translation just put into TLB set `type`, slot i. */
  private noteLevel(type: number, i: number): void {
    const level = this.xlateLevel;
    const e = type * TLB_SIZE + i;
    this.tlbLevel[e] = level;
    if (level !== 0) {
      const tag = type === ACC_FETCH ? this.ftag : type === ACC_LOAD ? this.ltag : this.stag;
      const key = superKey(level, tag[i]!);
      if (this.pieceKey[e] !== key) {
        this.pieceKey[e] = key;
        const pieces = this.superPieces.get(key);
        if (pieces === undefined) this.superPieces.set(key, [e]);
        else {
          pieces.push(e);
          // Entries that moved on to other superpages stay listed until here.
          if (pieces.length > TLB_SIZE) {
            const live = pieces.filter((x) => this.pieceKey[x] === key);
            this.superPieces.set(key, live);
          }
        }
      }
    }
  }

  /** Physical read of 1/2/4/8 bytes (naturally aligned); 8 puts the high word in this.hi. */
  physLoad(pa: number, size: number, va: number, cause: number): number {
    const ro = pa - this.ramBase;
    if (ro >= 0 && ro + size <= this.ramSize) {
      if (size === 1) return this.ram[ro]!;
      if (size === 2) return this.r16[ro >>> 1]!;
      if (size === 4) return this.r32[ro >>> 2]!;
      this.hi = this.r32[(ro >>> 2) + 1]!;
      return this.r32[ro >>> 2]!;
    }
    const v = this.bus.load(pa, size as 1 | 2 | 4 | 8);
    if (v === null) return this.fault(cause, va, 0, 0, (this.ctxData & CTX_V) !== 0);
    // Narrow values convert exactly through a double; only 8-byte reads need BigInt masking.
    if (size < 8) return Number(v) | 0;
    this.hi = Number((v >> 32n) & 0xffffffffn) | 0;
    return Number(v & 0xffffffffn) | 0;
  }

  noteRamWrite(ro: number): void {
    if (this.jit !== null && this.jit.codeFlags[ro >>> 12] !== 0)
      this.jit.invalidatePage(ro >>> 12);
  }

  physStore(pa: number, size: number, lo: number, hi: number, va: number): void {
    const ro = pa - this.ramBase;
    if (ro >= 0 && ro + size <= this.ramSize) {
      if (this.jit !== null && this.jit.codeFlags[ro >>> 12] !== 0) {
        this.jit.invalidatePage(ro >>> 12);
      }
      if (size === 1) this.ram[ro] = lo;
      else if (size === 2) this.r16[ro >>> 1] = lo;
      else if (size === 4) this.r32[ro >>> 2] = lo;
      else {
        this.r32[ro >>> 2] = lo;
        this.r32[(ro >>> 2) + 1] = hi;
      }
      return;
    }
    const value =
      size === 8 ? u64(lo, hi) : BigInt((size === 4 ? lo : lo & ((1 << (8 * size)) - 1)) >>> 0);
    if (!this.bus.store(pa, size as 1 | 2 | 4 | 8, value)) {
      this.fault(7, va, 0, 0, (this.ctxData & CTX_V) !== 0);
    }
  }

  /** Unsigned byte load. */
  lbu(va: number): number {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.ltag[i] === va - off + this.ctxData) return this.ram[this.loff[i]! + off]!;
    const pa = this.translateData(va, ACC_LOAD, 1);
    return pa >= 0 ? this.physLoad(pa, 1, va, 5) : 0;
  }

  /** Unsigned halfword load. */
  lhu(va: number): number {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.ltag[i] === va - off + this.ctxData && (off & 1) === 0) {
      return this.r16[(this.loff[i]! + off) >>> 1]!;
    }
    if ((off & 1) !== 0) return this.loadMisaligned(va, 2);
    const pa = this.translateData(va, ACC_LOAD, 2);
    return pa >= 0 ? this.physLoad(pa, 2, va, 5) : 0;
  }

  /** Word load (as a signed int32). */
  lw(va: number): number {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.ltag[i] === va - off + this.ctxData && (off & 3) === 0) {
      return this.r32[(this.loff[i]! + off) >>> 2]!;
    }
    if ((off & 3) !== 0) return this.loadMisaligned(va, 4);
    const pa = this.translateData(va, ACC_LOAD, 4);
    return pa >= 0 ? this.physLoad(pa, 4, va, 5) : 0;
  }

  /** Doubleword load: returns the low word, the high word goes to this.hi. */
  ld(va: number): number {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.ltag[i] === va - off + this.ctxData && (off & 7) === 0) {
      const k = (this.loff[i]! + off) >>> 2;
      this.hi = this.r32[k + 1]!;
      return this.r32[k]!;
    }
    if ((off & 7) !== 0) return this.loadMisaligned(va, 8);
    const pa = this.translateData(va, ACC_LOAD, 8);
    return pa >= 0 ? this.physLoad(pa, 8, va, 5) : 0;
  }

  /** Misaligned loads are emulated byte by byte (each byte translated). */
  private loadMisaligned(va: number, size: number): number {
    let lo = 0;
    let hi = 0;
    this.misalignedVa = va;
    for (let k = 0; k < size; k++) {
      const b = this.lbu(va + k);
      if (k < 4) lo |= b << (8 * k);
      else hi |= b << (8 * (k - 4));
    }
    this.misalignedVa = Number.NaN;
    this.hi = hi;
    return lo;
  }

  sb(va: number, v: number): void {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.stag[i] === va - off + this.ctxData) {
      this.ram[this.soff[i]! + off] = v;
      return;
    }
    const pa = this.translateData(va, ACC_STORE, 1);
    if (pa >= 0) this.physStore(pa, 1, v, 0, va);
  }

  sh(va: number, v: number): void {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.stag[i] === va - off + this.ctxData && (off & 1) === 0) {
      this.r16[(this.soff[i]! + off) >>> 1] = v;
      return;
    }
    if ((off & 1) !== 0) {
      this.storeMisaligned(va, 2, v, 0);
      return;
    }
    const pa = this.translateData(va, ACC_STORE, 2);
    if (pa >= 0) this.physStore(pa, 2, v, 0, va);
  }

  sw(va: number, v: number): void {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.stag[i] === va - off + this.ctxData && (off & 3) === 0) {
      this.r32[(this.soff[i]! + off) >>> 2] = v;
      return;
    }
    if ((off & 3) !== 0) {
      this.storeMisaligned(va, 4, v, 0);
      return;
    }
    const pa = this.translateData(va, ACC_STORE, 4);
    if (pa >= 0) this.physStore(pa, 4, v, 0, va);
  }

  sd(va: number, lo: number, hi: number): void {
    const i = (va >>> 12) & TLB_MASK;
    const off = va & 4095;
    if (this.stag[i] === va - off + this.ctxData && (off & 7) === 0) {
      const k = (this.soff[i]! + off) >>> 2;
      this.r32[k] = lo;
      this.r32[k + 1] = hi;
      return;
    }
    if ((off & 7) !== 0) {
      this.storeMisaligned(va, 8, lo, hi);
      return;
    }
    const pa = this.translateData(va, ACC_STORE, 8);
    if (pa >= 0) this.physStore(pa, 8, lo, hi, va);
  }

  private storeMisaligned(va: number, size: number, lo: number, hi: number): void {
    // Translate every byte first so that a fault leaves memory untouched.
    this.misalignedVa = va;
    for (let k = 0; k < size; k++) this.translate(va + k, ACC_STORE);
    for (let k = 0; k < size; k++) {
      const b = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
      this.sb(va + k, b);
    }
    this.misalignedVa = Number.NaN;
  }

  /**
   * Instruction fetch when the PC left the cached code page. Sets this.insnLen. A fetch from a
   * physical address nothing answers records its access fault and returns with trapDeferred
   * set instead of throwing: code that runs off into unbacked memory takes that fault on
   * every instruction, and a thrown trap costs the host far more than a recorded one.
   */
  fetchSlow(pc: number): number {
    const ctx = this.ctxFetch;
    const i = (pc >>> 12) & TLB_MASK;
    const tag = pc - (pc & 4095) + ctx;
    const armed = this.triggers.armed;
    if (armed) this.triggers.checkFetch(this, pc);
    let pa: number;
    if (this.ftag[i] === tag && !armed) {
      pa = this.ramBase + this.foff[i]! + (pc & 4095);
      this.fetchVa = pc - (pc & 4095);
      this.fetchOff = this.foff[i]!;
    } else {
      pa = xlate(this, pc, ACC_FETCH, ctx);
      const ro = pa - (pa & 4095) - this.ramBase;
      if (this.xlateCacheable && !armed && ro >= 0 && ro + 4096 <= this.ramSize) {
        this.fetchVa = pc - (pc & 4095);
        this.fetchOff = ro;
        this.ftag[i] = tag;
        this.foff[i] = ro;
        if (this.jit !== null) this.fillRecord(ACC_FETCH, i, pc - (pc & 4095), ctx, ro);
        this.noteLevel(ACC_FETCH, i);
      }
    }
    const p = this.fetch16(pa, pc);
    if (this.trapDeferred) return 0;
    if ((p & 3) !== 3) {
      this.insnLen = 2;
      const e = RVC_TABLE[p]!;
      if (e === 0) this.fault(2, p, 0, 0, false);
      return e;
    }
    const pc2 = pc + 2;
    const pa2 = (pc2 & 4095) === 0 ? xlate(this, pc2, ACC_FETCH, ctx) : pa + 2;
    const q = this.fetch16(pa2, pc2);
    this.insnLen = 4;
    return p | (q << 16);
  }

  private fetch16(pa: number, va: number): number {
    const ro = pa - this.ramBase;
    if (ro >= 0 && ro + 2 <= this.ramSize) return this.r16[ro >>> 1]!;
    const v = this.bus.load(pa, 2);
    if (v === null) {
      this.trapCause = 1;
      this.trapTval = va;
      this.trapTval2 = 0;
      this.trapTinst = 0;
      this.trapGva = this.virtMode;
      this.trapDeferred = true;
      return 0;
    }
    return Number(v & 0xffffn);
  }

  /** Instructions retired by the last runCompiled(). */
  jitRetired = 0;
  /**
   * The last runCompiled() stopped before an instruction compiled code does not perform:
   * the interpreter executes that one and then tries compiled code again at once (instead of
   * waiting for the next taken branch, which may be far away in straight-line code).
   */
  jitSideExit = false;
}
