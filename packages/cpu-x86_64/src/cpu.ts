/**
 * The x86-64 CPU: architectural state, memory access through segmentation and the paging TLB,
 * the run loop with interrupt and exception delivery, and the public API. The instruction
 * interpreter is exec.ts, descriptor tables and event delivery are system.ts, MSRs msr.ts,
 * CPUID cpuid.ts, VMX vmx.ts; they operate on the fields of this class.
 *
 * Representation: general-purpose registers are unsigned 32-bit halves in `rlo`/`rhi`; RIP,
 * segment bases and linear addresses are JS numbers (32-bit unsigned outside long mode, the
 * signed canonical value in it: exact, since canonical addresses have 48 bits).
 */
import type { PhysBus, TimeSource } from "@axvisor/machine";
import { step } from "./exec.js";
import { FpuState, resetFpu } from "./fpu/index.js";
import { FpuPorts } from "./fpu-ports.js";
import * as int64 from "./int64.js";
import { type JitShared, jitFromEnvironment, X86Jit } from "./jit/jit.js";
import { ST_RHI, ST_RLO, ST_TLB_PHYS, ST_TLB_TAG, TLB_ENTRIES } from "./jit/layout.js";
import { rdmsr, wrmsr } from "./msr.js";
import * as pagingOps from "./paging.js";
import * as regs from "./regs.js";
import * as systemOps from "./system.js";
import type {
  CpuModel,
  InterruptController,
  PortIo,
  RunExit,
  SegmentState,
  X86CpuOptions,
} from "./types.js";
import { fieldSlot } from "./vmcs-fields.js";
import { Vmx } from "./vmx.js";

const { deliverEvent, EVENT_EXCEPTION, EVENT_EXTERNAL, EVENT_NMI } = systemOps;
const { wrap64 } = int64;
const { ACC_FETCH, ACC_READ, ACC_WRITE, walk } = pagingOps;

// Bound once: under vitest an imported name is a getter on every use.
const {
  CR0_ET,
  CR0_PE,
  CR0_PG,
  CR4_PAE,
  CS,
  EFER_LMA,
  EX_GP,
  EX_PF,
  EX_SS,
  EX_UD,
  FS,
  IF,
  LDTR,
  SA_DB,
  SA_L,
  SA_P,
  SA_S,
  SS,
  TR,
} = regs;

/**
 * The interpreter's entry, bound when the first CPU is made (exec.ts and this module import
 * each other, and under vitest every use of an imported name is a getter call).
 */
let stepImpl: typeof step;

/** Thrown (never escapes `run`) when an instruction raises an exception; see `X86Cpu.raise`. */
export const FAULT: { readonly fault: true } = Object.freeze({ fault: true });
/** Thrown after a VM exit happened inside an instruction (the exit is already complete). */
export const VMEXIT: { readonly vmexit: true } = Object.freeze({ vmexit: true });

const TWO32 = 4294967296;
/**
 * The initial value of the fields that later hold values beyond V8's small-integer range
 * (linear addresses, RIP, MSR halves, the instruction count, RAM offsets): -0 is a heap
 * number, so V8 gives those fields a double representation from the start. A field that
 * starts as a small integer changes representation at its first large value, which
 * deprecates the CPU object's map and deoptimizes every function compiled against it (the
 * interpreter, once per field, early in every boot). reset() gives them their values.
 */
const DOUBLE_ZERO = -0;
const TLB_SIZE = TLB_ENTRIES;
const TLB_MASK = TLB_SIZE - 1;
/** Instructions between polls of the interrupt lines when nothing forces an earlier one. */
const POLL = 64;
/** At most this many instructions per call into compiled code (interrupts are polled between). */
const JIT_SLICE = 4096;
/** Translation contexts a TLB tag can name (see tlbCtx). */
const TLB_CONTEXTS = 64;
/** Entries of the cache of guest walks to pages EPT does not map (X86Cpu.mmioLinTag). */
const MMIO_LIN_SIZE = 16;
/** TLB sets: access type (read, write, fetch) x (supervisor, user). */
const TLB_SETS = 6;

export type X86RegName =
  | "rax"
  | "rcx"
  | "rdx"
  | "rbx"
  | "rsp"
  | "rbp"
  | "rsi"
  | "rdi"
  | "r8"
  | "r9"
  | "r10"
  | "r11"
  | "r12"
  | "r13"
  | "r14"
  | "r15"
  | "rip"
  | "rflags"
  | "cr0"
  | "cr2"
  | "cr3"
  | "cr4"
  | "cr8"
  | "efer";

const GPR_NAMES: readonly string[] = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];

function toNumber64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

export class X86Cpu {
  readonly cpuId: number;
  apicId: number;
  readonly bus: PhysBus;
  readonly io: PortIo;
  readonly time: TimeSource;
  readonly model: Required<CpuModel>;
  lapic: InterruptController | undefined;

  readonly ram: Uint8Array;
  readonly ramView: DataView;
  readonly ramBase: number;
  readonly ramSize: number;

  /** RAX..R15 low and high halves (each an unsigned 32-bit value stored as int32). */
  readonly rlo: Int32Array;
  readonly rhi: Int32Array;
  rip = DOUBLE_ZERO;
  /** RFLAGS (bit 1 always set). */
  flags = 2;
  /** Scratch: high half of the last 64-bit ALU result or memory read. */
  hi = DOUBLE_ZERO;

  /** Segment registers ES..GS, then LDTR and TR: selector and descriptor cache. */
  readonly segSel = new Int32Array(8);
  readonly segBase = new Float64Array(8);
  readonly segLimit = new Float64Array(8);
  readonly segAttr = new Int32Array(8);
  gdtBase = DOUBLE_ZERO;
  gdtLimit = 0xffff;
  idtBase = DOUBLE_ZERO;
  idtLimit = 0xffff;

  cr0 = CR0_ET;
  cr2 = DOUBLE_ZERO;
  cr3 = DOUBLE_ZERO;
  cr4 = 0;
  /** CR8 = TPR[7:4]. */
  cr8 = 0;
  efer = 0;
  readonly dr = new Float64Array(8);
  cpl = 0;

  // --- mode, derived from CR0/EFER/CS/SS (updateMode) ---
  /** 64-bit mode (EFER.LMA and CS.L). */
  code64 = false;
  /** Default operand/address size of the code segment: 2 or 4 (64-bit mode: 4). */
  csSize = 2;
  /** Stack width: 2, 4 or 8. */
  ssSize = 2;
  /** Linear addresses are 32-bit (everything but long mode). */
  lin32 = true;
  readonly has1GPages = true;

  // --- MSRs ---
  star = 0;
  starHi = 0;
  lstar = DOUBLE_ZERO;
  cstar = 0;
  sfmask = 0;
  kernelGsBase = DOUBLE_ZERO;
  tscAux = 0;
  tscOffset = 0;
  patLo = 0x00070406;
  patHi = 0x00070406;
  sysenterCs = 0;
  sysenterEsp = DOUBLE_ZERO;
  sysenterEip = DOUBLE_ZERO;
  miscEnable = 1;
  mtrrDefType = 0;
  readonly mtrrFixed = new Float64Array(11);
  readonly mtrrVar = new Float64Array(16);
  /** IA32_FEATURE_CONTROL as firmware leaves it: locked, VMX outside SMX enabled. */
  featureControl = 5;
  apicBaseFallback = 0xfee00900;
  xcr0 = 1;

  // --- events ---
  /** The exception being raised (set by `raise`). */
  exVec = 0;
  /** Its error code, or -1. */
  exErr = -1;
  pfError = 0;
  /** The linear address of the #PF being raised (CR2 when it is delivered). */
  pfLinear = DOUBLE_ZERO;
  /** Vector class of the event being delivered (-1 none), for the #DF rules. */
  delivering = -1;
  /** The event being delivered (kind, vector, error code) for IDT-vectoring information. */
  deliveryKind = -1;
  deliveryVector = 0;
  deliveryErr = -1;
  halted = false;
  /** An AP after INIT: waits for a SIPI. */
  waitSipi = false;
  shutdown = false;
  nmiPending = false;
  /** NMIs blocked until the next IRET. */
  nmiBlocked = false;
  /** RDMSR result halves (msr.ts). */
  msrLo = DOUBLE_ZERO;
  msrHi = DOUBLE_ZERO;
  /** The address after a software interrupt instruction being delivered. */
  softNext = DOUBLE_ZERO;
  /** Retired instruction count. */
  icount = DOUBLE_ZERO;
  /** Interrupts are inhibited before the instruction with this icount (STI, MOV SS). */
  shadowAt = DOUBLE_ZERO;
  /** Instructions until the run loop polls the interrupt lines again. */
  pollIn = 0;
  /** Set when something the run loop reads changed (halt, host trap). */
  stopReason: RunExit | null = null;
  /**
   * A debugger owns breakpoints (the bare board under `axvisor emu -s`): INT3 stops the CPU
   * before the instruction (run() returns "budget", `debugBreakHit` set, RIP at the INT3)
   * instead of delivering #BP to the guest, as QEMU's gdbstub does.
   */
  debugBreakpoints = false;
  debugBreakHit = false;

  // --- page walk outputs (paging.ts) ---
  walkGlobal = false;
  walkWritable = false;
  walkDirty = false;
  walkUser = false;
  walkNx = false;
  /** The size of the page the last walk ended at (4 KiB, 2/4 MiB or 1 GiB). */
  walkPageSize = DOUBLE_ZERO;
  /**
   * Per TLB slot, log2 of the 4 KiB pieces in the page its entry came from (0: a 4 KiB page,
   * 9: 2 MiB, 10: 4 MiB, 18: 1 GiB): INVLPG of one address must drop every piece of the large
   * page that holds it.
   */
  private readonly tlbShift = new Uint8Array(TLB_SETS * TLB_SIZE);
  /**
   * The slots filled from each large page, by the page's first 4 KiB page number and size
   * (key: page * 32 + shift); entries go stale when their slot is refilled (INVLPG checks).
   */
  private readonly tlbLarge = new Map<number, number[]>();
  private tlbLargeSlots = 0;

  // --- software TLB ---
  private readonly tlbTag: Float64Array;
  private readonly tlbPhys: Float64Array;
  private readonly tlbGlobal = new Uint8Array(TLB_SETS * TLB_SIZE);
  /**
   * The slots filled since the last flush, so that a CR3 write (which keeps global pages)
   * visits those instead of all 6144 slots: Linux writes CR3 thousands of times in a boot
   * with few entries filled in between. Past its capacity the next flush scans them all.
   */
  private readonly tlbFilled = new Int32Array(TLB_SETS * TLB_SIZE);
  private tlbFilledCount = 0;
  /**
   * Guest page walks whose guest-physical page the TLB could not take because EPT does not
   * map it (device pages: every access is an EPT violation): linear page (tagged as the TLB)
   * -> guest-physical page, so a guest polling a device register does not walk its page
   * tables through EPT again on each access. An entry lives as long as the TLB would have kept
   * it: any TLB flush (MOV CR3/CR0/CR4, INVLPG, INVVPID, a context flush) bumps `tlbGen`,
   * which retires every entry. Filled under the TLB's own rules (a write walk only for a
   * writable, dirty page), so skipping the walk skips no accessed/dirty update.
   */
  private readonly mmioLinTag = new Float64Array(MMIO_LIN_SIZE).fill(Number.NaN);
  private readonly mmioLinSet = new Int8Array(MMIO_LIN_SIZE);
  private readonly mmioLinGpa = new Float64Array(MMIO_LIN_SIZE);
  private readonly mmioLinGen = new Float64Array(MMIO_LIN_SIZE).fill(-1);
  /** Counts TLB invalidations (see mmioLinTag). */
  private tlbGen = 0;
  /** The fetch page cache: linear page base and its RAM offset (NaN = none). */
  fetchLin = Number.NaN;
  fetchOff = DOUBLE_ZERO;
  /** Bumped whenever the fetch page cache is dropped (exec.ts keeps an IP window on it). */
  fetchGen = 0;
  /**
   * The last RAM page read and the last written through a translation (linear page base, RAM
   * offset, user access), dropped with the TLB and the fetch page (invalidateFetch).
   */
  rdLin = Number.NaN;
  rdOff = DOUBLE_ZERO;
  rdUser = false;
  wrLin = Number.NaN;
  wrOff = DOUBLE_ZERO;
  wrUser = false;

  readonly vmx: Vmx;
  /** The x87/MMX/SSE state and the unit's view of registers and memory (fpu/). */
  readonly fpu = new FpuState();
  readonly fpuPorts: FpuPorts;
  /** Host-trap mode: this CPU is the guest side of a TypeScript hypervisor (vmx.ts). */
  hostTrapMode = false;

  /** The JIT tier (undefined: interpreter only; see jit/jit.ts). */
  readonly jit: X86Jit | undefined;
  /** The code-page map every CPU of this RAM shares (undefined without a JIT). */
  private readonly codeMap: Uint8Array | undefined;
  private readonly jitShared: JitShared | undefined;
  /** Set by taken branches: the run loop then offers the JIT the new RIP. */
  jitProbe = false;
  /** After the interpreter's next instruction, offer the JIT the RIP (it stopped before it). */
  private jitResume = false;

  constructor(options: X86CpuOptions) {
    this.cpuId = options.cpuId;
    this.apicId = options.apicId;
    this.bus = options.bus;
    this.io = options.io;
    this.time = options.time;
    this.lapic = options.lapic;
    this.model = {
      vendor: options.model?.vendor ?? "GenuineIntel",
      brand: options.model?.brand ?? "AxVisor.ts x86-64 CPU",
      vmx: options.model?.vmx ?? true,
    };
    this.ram = options.bus.ram;
    this.ramView = new DataView(this.ram.buffer, this.ram.byteOffset, this.ram.byteLength);
    this.ramBase = options.bus.ramBase;
    this.ramSize = this.ram.byteLength;
    // With RAM from machine's allocateRam, registers and the TLB live in this CPU's state
    // block of the wasm memory, where compiled code reads them.
    const jit = (options.jit ?? jitFromEnvironment()) ? X86Jit.create(this) : undefined;
    this.jit = jit;
    if (jit !== undefined) {
      const buf = jit.memory;
      this.rlo = new Int32Array(buf, jit.state + ST_RLO, 16);
      this.rhi = new Int32Array(buf, jit.state + ST_RHI, 16);
      this.tlbTag = new Float64Array(buf, jit.state + ST_TLB_TAG, TLB_SETS * TLB_SIZE);
      this.tlbPhys = new Float64Array(buf, jit.state + ST_TLB_PHYS, TLB_SETS * TLB_SIZE);
      this.codeMap = jit.shared.codeMap;
      this.jitShared = jit.shared;
    } else {
      this.rlo = new Int32Array(16);
      this.rhi = new Int32Array(16);
      this.tlbTag = new Float64Array(TLB_SETS * TLB_SIZE);
      this.tlbPhys = new Float64Array(TLB_SETS * TLB_SIZE);
      this.codeMap = undefined;
      this.jitShared = undefined;
    }
    this.tlbTag.fill(Number.NaN);
    stepImpl = step;
    this.vmx = new Vmx(this);
    this.fpuPorts = new FpuPorts(this);
    this.reset();
    if (!(options.bsp ?? options.cpuId === 0)) this.waitSipi = true;
  }

  /** The state after RESET (SDM vol. 3 §9.1.1): real mode at F000:FFF0, CS base FFFF0000. */
  reset(): void {
    this.rlo.fill(0);
    this.rhi.fill(0);
    this.rlo[2] = 0x000806f8 | 0; // EDX: family/model/stepping signature
    this.rip = 0xfff0;
    this.flags = 2;
    this.cr0 = 0x60000000 | CR0_ET;
    this.cr2 = 0;
    this.cr3 = 0;
    this.cr4 = 0;
    this.cr8 = 0;
    this.efer = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0;
    this.dr[7] = 0x400;
    for (let s = 0; s < 6; s++) {
      this.segSel[s] = 0;
      this.segBase[s] = 0;
      this.segLimit[s] = 0xffff;
      this.segAttr[s] = SA_P | SA_S | 3;
    }
    this.segSel[CS] = 0xf000;
    this.segBase[CS] = 0xffff0000;
    this.segAttr[CS] = SA_P | SA_S | 0xb;
    this.segSel[LDTR] = 0;
    this.segBase[LDTR] = 0;
    this.segLimit[LDTR] = 0xffff;
    this.segAttr[LDTR] = SA_P | 2;
    this.segSel[TR] = 0;
    this.segBase[TR] = 0;
    this.segLimit[TR] = 0xffff;
    this.segAttr[TR] = SA_P | 0xb;
    this.gdtBase = 0;
    this.gdtLimit = 0xffff;
    this.idtBase = 0;
    this.idtLimit = 0xffff;
    this.cpl = 0;
    this.star = this.starHi = this.lstar = this.cstar = this.sfmask = 0;
    this.kernelGsBase = 0;
    this.tscAux = 0;
    this.halted = false;
    this.waitSipi = false;
    this.shutdown = false;
    this.nmiPending = false;
    this.nmiBlocked = false;
    this.delivering = -1;
    this.shadowAt = -1;
    this.walkPageSize = 4096;
    this.xcr0 = 1;
    resetFpu(this.fpu);
    this.vmx.reset();
    this.updateMode();
    this.flushTlb(true);
    // A board reset reloads RAM without telling the CPUs: compiled code is not kept across it.
    this.jit?.clear();
  }

  // ------------------------------------------------------------------ external events

  /** INIT: the processor state after INIT (RESET without touching MSRs); APs wait for a SIPI. */
  init(): void {
    if (this.vmx.onInit()) return;
    const efer = this.efer;
    this.reset();
    this.efer = efer & 0;
    if (this.cpuId !== 0) this.waitSipi = true;
  }

  /** A Startup IPI: an AP waiting for it starts in real mode at vector << 12. */
  startupIpi(vector: number): void {
    if (!this.waitSipi) return;
    if (this.vmx.onSipi(vector)) return;
    this.waitSipi = false;
    this.halted = false;
    this.segSel[CS] = (vector & 0xff) << 8;
    this.segBase[CS] = (vector & 0xff) << 12;
    this.rip = 0;
    this.updateMode();
  }

  /** The NMI line (an edge). */
  nmi(): void {
    this.nmiPending = true;
    this.pollIn = 0;
  }

  /** An external interrupt controller attached after construction (boards build the CPU first). */
  setInterruptController(ic: InterruptController | undefined): void {
    this.lapic = ic;
  }

  // ------------------------------------------------------------------ run loop

  /** Runs at most `budget` instructions. */
  run(budget: number): RunExit {
    if (this.hostTrapMode) {
      if (this.pendingHostTrap) {
        this.pendingHostTrap = false;
        return "host-trap";
      }
      if (!this.vmx.guestMode)
        throw new Error("X86Cpu.run: in host-trap mode call enterGuest() first");
    }
    if (this.shutdown) return "shutdown";
    if (this.waitSipi) return "hlt";
    this.stopReason = null;
    this.pollIn = 0;
    const end = this.icount + budget;
    // The try block is entered once per exception, not once per instruction.
    while (this.icount < end && this.stopReason === null) {
      try {
        this.runUntil(end);
      } catch (e) {
        this.vmx.softExit = false;
        if (e === FAULT) this.deliver(EVENT_EXCEPTION, this.exVec, this.exErr);
        else if (e !== VMEXIT) throw e;
        this.icount++;
      }
    }
    const r = this.stopReason;
    this.stopReason = null;
    if (r !== null) return r;
    if (this.shutdown) return "shutdown";
    return "budget";
  }

  /** Executes instructions until icount reaches `end` or something sets stopReason. */
  private runUntil(end: number): void {
    while (this.icount < end) {
      if (--this.pollIn < 0 || this.halted) {
        // Interrupt lines are polled every POLL instructions, and at once after anything that
        // can unmask them (STI, POPF, IRET, SYSRET, NMI, VM entry: they zero pollIn).
        this.pollIn = POLL;
        if (this.icount === this.shadowAt) {
          this.pollIn = 0;
        } else if (this.checkEvents()) {
          if (this.stopReason !== null) return;
        } else if (this.halted) {
          this.stopReason = "hlt";
          return;
        }
      }
      if (this.jitProbe) {
        this.jitProbe = false;
        const jit = this.jit;
        // A block known to be cold is interpreted without asking the JIT (jit.ts lukewarm).
        if (jit !== undefined && this.code64 && !jit.lukewarm(this.rip)) {
          // Under an armed VMX-preemption timer compiled code runs no longer than the
          // interpreter between two polls, so the timer's exit comes as soon as it would.
          const slice = this.vmx.preemptionTimerArmed ? POLL : JIT_SLICE;
          const n = jit.run(Math.min(end - this.icount, slice));
          // Stopped at an instruction only the interpreter runs: offer the JIT the one after.
          this.jitResume = jit.stepNext;
          if (n > 0) {
            this.icount += n;
            // Poll the interrupt lines before going on.
            this.pollIn = 0;
            this.jitProbe = !jit.stepNext;
            continue;
          }
        }
      }
      stepImpl(this);
      this.icount++;
      if (this.jitResume) {
        this.jitResume = false;
        this.jitProbe = true;
      }
      if (this.stopReason !== null) return;
    }
  }

  /** Delivers a pending NMI or interrupt if one may be taken now. True if one was taken. */
  private checkEvents(): boolean {
    if (this.vmx.guestMode && this.vmx.checkEvents()) return true;
    if (this.nmiPending && !this.nmiBlocked) {
      this.nmiPending = false;
      this.halted = false;
      if (this.vmx.guestMode && this.vmx.exitOnNmi()) return true;
      this.nmiBlocked = true;
      this.deliver(EVENT_NMI, 2, -1);
      return true;
    }
    if ((this.flags & IF) === 0 || this.lapic === undefined) return false;
    if (!this.lapic.hasInterrupt()) return false;
    this.halted = false;
    if (this.vmx.guestMode && this.vmx.exitOnExternalInterrupt()) return true;
    const vector = this.lapic.acknowledge();
    this.deliver(EVENT_EXTERNAL, vector & 0xff, -1);
    return true;
  }

  /** Event delivery with the double-fault and triple-fault rules; see system.ts. */
  deliver(kind: number, vector: number, err: number): void {
    for (;;) {
      try {
        deliverEvent(this, kind, vector, err);
        this.delivering = -1;
        this.deliveryKind = -1;
        return;
      } catch (e) {
        if (e === VMEXIT) {
          this.delivering = -1;
          this.deliveryKind = -1;
          return;
        }
        if (e !== FAULT) throw e;
        if (this.shutdown || this.stopReason !== null) {
          this.deliveryKind = -1;
          return;
        }
        const first = this.delivering;
        const second = this.exVec;
        this.delivering = -1;
        if (first === 8) {
          this.deliveryKind = -1;
          this.tripleFault();
          return;
        }
        const contributory = (v: number) => v === 0 || (v >= 10 && v <= 13);
        if (
          (contributory(first) && contributory(second)) ||
          (first === EX_PF && (second === EX_PF || contributory(second)))
        ) {
          kind = EVENT_EXCEPTION;
          vector = 8;
          err = 0;
        } else {
          kind = EVENT_EXCEPTION;
          vector = second;
          err = this.exErr;
        }
      }
    }
  }

  tripleFault(): void {
    if (this.vmx.guestMode && this.vmx.exitOnTripleFault()) return;
    this.shutdown = true;
    this.stopReason = "shutdown";
  }

  /** Raises exception `vector` with error code `err` (-1: none) from inside an instruction. */
  raise(vector: number, err = -1): never {
    this.exVec = vector;
    this.exErr = err;
    throw FAULT;
  }

  gp(err = 0): never {
    return this.raise(EX_GP, err);
  }

  ud(): never {
    return this.raise(EX_UD);
  }

  // ------------------------------------------------------------------ modes

  /** Recomputes the mode fields after CR0, EFER, CS or SS changed. */
  updateMode(): void {
    const lma = (this.efer & EFER_LMA) !== 0;
    const csAttr = this.segAttr[CS]!;
    this.code64 = lma && (csAttr & SA_L) !== 0;
    this.lin32 = !lma;
    if (this.code64) {
      this.csSize = 4;
      this.ssSize = 8;
    } else {
      const pe = (this.cr0 & CR0_PE) !== 0;
      this.csSize = pe && csAttr & SA_DB ? 4 : 2;
      this.ssSize = pe && this.segAttr[SS]! & SA_DB ? 4 : 2;
    }
    this.invalidateFetch();
  }

  cr3Base(): number {
    // CR3 bits 51:12 (PCID off): cr3 holds the whole value as a number.
    return this.cr3 - (this.cr3 % 4096);
  }

  pagingOn(): boolean {
    return (this.cr0 & CR0_PG) !== 0 && (this.cr0 & CR0_PE) !== 0;
  }

  // ------------------------------------------------------------------ TLB

  /**
   * The translation context TLB entries are tagged with: 0 = VMX root (and VPID 0), others =
   * a guest's VPID and EPT root (vmx.ts assigns them).
   */
  tlbCtx = 0;

  /** Forgets the cached translations of one context (all pages, global ones too). */
  flushTlbContext(ctx: number): void {
    this.tlbGen++;
    const tags = this.tlbTag;
    for (let i = 0; i < tags.length; i++) {
      if (((tags[i]! % TLB_CONTEXTS) + TLB_CONTEXTS) % TLB_CONTEXTS === ctx) tags[i] = Number.NaN;
    }
    this.invalidateFetch();
  }

  /** Drops the fetch page cache: code addresses or their translation may have changed. */
  invalidateFetch(): void {
    this.fetchLin = Number.NaN;
    this.fetchGen++;
    this.rdLin = Number.NaN;
    this.wrLin = Number.NaN;
  }

  /** Forgets cached translations: all, or all but global pages. */
  flushTlb(includeGlobal = true): void {
    this.tlbGen++;
    const tags = this.tlbTag;
    const glob = this.tlbGlobal;
    if (includeGlobal) {
      tags.fill(Number.NaN);
      this.tlbShift.fill(0);
      this.tlbLarge.clear();
      this.tlbLargeSlots = 0;
    } else if (this.tlbFilledCount < this.tlbFilled.length) {
      // Every entry still valid and not global was filled since the last flush.
      const filled = this.tlbFilled;
      for (let k = 0; k < this.tlbFilledCount; k++) {
        const i = filled[k]!;
        if (glob[i] === 0) tags[i] = Number.NaN;
      }
    } else {
      for (let i = 0; i < tags.length; i++) if (glob[i] === 0) tags[i] = Number.NaN;
    }
    this.tlbFilledCount = 0;
    this.invalidateFetch();
    this.vmx.flushGuestTlb();
  }

  /** Forgets the translation of one linear address (INVLPG). */
  flushPage(lin: number): void {
    this.tlbGen++;
    const page = Math.floor(lin / 4096);
    const tags = this.tlbTag;
    const k = page & TLB_MASK;
    for (let set = 0; set < TLB_SETS; set++) tags[set * TLB_SIZE + k] = Number.NaN;
    // Large pages are cached as 4 KiB pieces: drop every piece of the page holding `lin`.
    if (this.tlbLargeSlots > 0) {
      for (const sh of [9, 10, 18]) {
        const span = 2 ** sh;
        const base = Math.floor(page / span) * span;
        const key = base * 32 + sh;
        const slots = this.tlbLarge.get(key);
        if (slots === undefined) continue;
        for (const i of slots) {
          if (this.tlbShift[i] !== sh) continue;
          const p = Math.floor(tags[i]! / TLB_CONTEXTS);
          if (p >= base && p < base + span) tags[i] = Number.NaN;
        }
        this.tlbLargeSlots -= slots.length;
        this.tlbLarge.delete(key);
      }
    }
    this.invalidateFetch();
    this.vmx.flushGuestTlb();
  }

  /**
   * Translates linear address `lin` for an access of type `acc`: the physical address, or
   * raises #PF. `user` = the access is a user-mode one (CPL 3, not an implicit system access).
   */
  translate(lin: number, acc: number, user: boolean): number {
    if (!this.pagingOn()) {
      const pa = this.lin32 ? lin >>> 0 : lin;
      return this.vmx.eptActive ? this.vmx.gpaToHpa(pa, acc, lin, true) : pa;
    }
    const page = Math.floor(lin / 4096);
    const set = acc * 2 + (user ? 1 : 0);
    const slot = set * TLB_SIZE + (page & TLB_MASK);
    const tag = page * TLB_CONTEXTS + this.tlbCtx;
    if (this.tlbTag[slot] === tag) return this.tlbPhys[slot]! + (lin - page * 4096);
    const ept = this.vmx.eptActive;
    const m = page & (MMIO_LIN_SIZE - 1);
    if (
      ept &&
      this.mmioLinTag[m] === tag &&
      this.mmioLinSet[m] === set &&
      this.mmioLinGen[m] === this.tlbGen
    ) {
      // Not put in the TLB even if EPT maps the page by now (the walk's details are gone).
      return this.vmx.gpaToHpa(this.mmioLinGpa[m]! + (lin - page * 4096), acc, lin, true);
    }
    const pa = walk(this, lin, acc, user);
    if (pa < 0) {
      // CR2 is written when the #PF is delivered (a VM exit for it leaves CR2 alone).
      this.pfLinear = lin;
      this.raise(EX_PF, this.pfError);
    }
    // The write set only holds pages that are writable and already dirty.
    const cacheable = acc !== ACC_WRITE || (this.walkWritable && this.walkDirty);
    if (!ept) {
      if (cacheable) this.fillSlot(slot, tag, pa);
      return pa;
    }
    if (cacheable) {
      this.mmioLinTag[m] = tag;
      this.mmioLinSet[m] = set;
      this.mmioLinGpa[m] = pa - (pa % 4096);
      this.mmioLinGen[m] = this.tlbGen;
    }
    const hpa = this.vmx.gpaToHpa(pa, acc, lin, true);
    if (hpa < 0) return hpa;
    if (cacheable) this.fillSlot(slot, tag, hpa);
    return hpa;
  }

  /** Caches the last walk's translation (to `hpa`) in TLB slot `slot` under `tag`. */
  private fillSlot(slot: number, tag: number, hpa: number): void {
    const sh = this.walkPageSize === 4096 ? 0 : Math.log2(this.walkPageSize / 4096);
    // The large-page index only grows between full flushes: start afresh when it is long.
    if (sh !== 0 && this.tlbLargeSlots >= 4 * TLB_SETS * TLB_SIZE) this.flushTlb(true);
    this.tlbTag[slot] = tag;
    if (this.tlbFilledCount < this.tlbFilled.length) this.tlbFilled[this.tlbFilledCount] = slot;
    this.tlbFilledCount++;
    this.tlbPhys[slot] = hpa - (hpa % 4096);
    this.tlbGlobal[slot] = this.walkGlobal && (this.cr4 & 0x80) !== 0 ? 1 : 0;
    this.tlbShift[slot] = sh;
    if (sh !== 0) {
      const span = 2 ** sh;
      const key = Math.floor(Math.floor(tag / TLB_CONTEXTS) / span) * span * 32 + sh;
      const slots = this.tlbLarge.get(key);
      if (slots === undefined) this.tlbLarge.set(key, [slot]);
      else slots.push(slot);
      this.tlbLargeSlots++;
    }
  }

  /**
   * Compiled code's TLB miss (jit/codegen.ts): walks the page tables for canonical `lin` and
   * caches the translation as translate() would, raising nothing. False when the walk faults,
   * when translate() would not cache it (a write to a read-only or clean page) and outside
   * 64-bit paging without VMX non-root operation: compiled code then leaves the access to
   * the interpreter, which raises the fault or takes the slow path.
   */
  tryFill(lin: number, acc: number, user: boolean): boolean {
    if (!this.code64 || !this.pagingOn() || this.vmx.guestMode || this.vmx.eptActive) return false;
    if (!(lin >= -0x800000000000 && lin < 0x800000000000)) return false;
    const page = Math.floor(lin / 4096);
    const pa = walk(this, lin, acc, user);
    if (pa < 0) return false;
    if (acc === ACC_WRITE && !(this.walkWritable && this.walkDirty)) return false;
    const slot = (acc * 2 + (user ? 1 : 0)) * TLB_SIZE + (page & TLB_MASK);
    this.fillSlot(slot, page * TLB_CONTEXTS + this.tlbCtx, pa);
    return true;
  }

  // ------------------------------------------------------------------ physical memory

  physRead8(pa: number): number {
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) return this.ram[off]!;
    const v = this.bus.load(pa, 1);
    return v === null ? 0xff : Number(v & 0xffn);
  }

  physRead16(pa: number): number {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 2 <= this.ramSize) return this.ramView.getUint16(off, true);
    const v = this.bus.load(pa, 2);
    return v === null ? 0xffff : Number(v & 0xffffn);
  }

  physRead32(pa: number): number {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 4 <= this.ramSize) return this.ramView.getUint32(off, true);
    const v = this.bus.load(pa, 4);
    return v === null ? 0xffffffff : Number(v & 0xffffffffn);
  }

  /** 64-bit read: low half returned, high half in `this.hi`. */
  physRead64(pa: number): number {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 8 <= this.ramSize) {
      this.hi = this.ramView.getUint32(off + 4, true);
      return this.ramView.getUint32(off, true);
    }
    const v = this.bus.load(pa, 8);
    if (v === null) {
      this.hi = 0xffffffff;
      return 0xffffffff;
    }
    this.hi = Number((v >> 32n) & 0xffffffffn);
    return Number(v & 0xffffffffn);
  }

  physWrite8(pa: number, v: number): void {
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      this.ram[off] = v;
      if (this.codeMap !== undefined) this.codeWritten(off, 1);
    } else this.bus.store(pa, 1, BigInt(v & 0xff));
  }

  physWrite16(pa: number, v: number): void {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 2 <= this.ramSize) {
      this.ramView.setUint16(off, v, true);
      if (this.codeMap !== undefined) this.codeWritten(off, 2);
    } else this.bus.store(pa, 2, BigInt(v & 0xffff));
  }

  physWrite32(pa: number, v: number): void {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 4 <= this.ramSize) {
      this.ramView.setUint32(off, v >>> 0, true);
      if (this.codeMap !== undefined) this.codeWritten(off, 4);
    } else this.bus.store(pa, 4, BigInt(v >>> 0));
  }

  physWrite64(pa: number, lo: number, hi: number): void {
    const off = pa - this.ramBase;
    if (off >= 0 && off + 8 <= this.ramSize) {
      this.ramView.setUint32(off, lo >>> 0, true);
      this.ramView.setUint32(off + 4, hi >>> 0, true);
      if (this.codeMap !== undefined) this.codeWritten(off, 8);
    } else {
      this.bus.store(pa, 8, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    }
  }

  /** Paging-structure reads and A/D writes: guest-physical under EPT. */
  pteRead32(addr: number): number {
    return this.physRead32(this.vmx.eptActive ? this.vmx.gpaToHpa(addr, ACC_READ, 0, false) : addr);
  }

  pteWrite32(addr: number, v: number): void {
    this.physWrite32(this.vmx.eptActive ? this.vmx.gpaToHpa(addr, ACC_WRITE, 0, false) : addr, v);
  }

  // ------------------------------------------------------------------ linear memory

  /** Reads `size` (1, 2, 4, 8) bytes at a linear address; 8: the high half in `this.hi`. */
  readLin(lin: number, size: number, user: boolean = this.cpl === 3): number {
    const d = lin - this.rdLin;
    if (d >= 0 && d <= 4096 - size && user === this.rdUser) {
      const o = this.rdOff + d;
      switch (size) {
        case 1:
          return this.ram[o]!;
        case 2:
          return this.ramView.getUint16(o, true);
        case 4:
          return this.ramView.getUint32(o, true);
        default:
          this.hi = this.ramView.getUint32(o + 4, true);
          return this.ramView.getUint32(o, true);
      }
    }
    if ((lin & 0xfff) + size > 0x1000) return this.readSplit(lin, size, user);
    const pa = this.translate(lin, ACC_READ, user);
    if (pa < 0) return 0; // a soft VM exit (Vmx.softExit)
    const po = pa - this.ramBase - (lin & 0xfff);
    if (po >= 0 && po + 4096 <= this.ramSize) {
      // Remember the page: the next reads from it skip translation (dropped with the TLB).
      this.rdLin = lin - (lin & 0xfff);
      this.rdOff = po;
      this.rdUser = user;
    }
    switch (size) {
      case 1:
        return this.physRead8(pa);
      case 2:
        return this.physRead16(pa);
      case 4:
        return this.physRead32(pa);
      default:
        return this.physRead64(pa);
    }
  }

  private readSplit(lin: number, size: number, user: boolean): number {
    this.vmx.softExit = false;
    // Translate both pages before reading so a fault on the second leaves no side effects.
    const first = 0x1000 - (lin & 0xfff);
    const pa0 = this.translate(lin, ACC_READ, user);
    const pa1 = this.translate(this.linAdd(lin, first), ACC_READ, user);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < size; i++) {
      const b = this.physRead8(i < first ? pa0 + i : pa1 + i - first);
      if (i < 4) lo |= b << (8 * i);
      else hi |= b << (8 * (i - 4));
    }
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  writeLin(lin: number, size: number, lo: number, hi = 0, user: boolean = this.cpl === 3): void {
    const d = lin - this.wrLin;
    if (d >= 0 && d <= 4096 - size && user === this.wrUser) {
      const o = this.wrOff + d;
      switch (size) {
        case 1:
          this.ram[o] = lo;
          return;
        case 2:
          this.ramView.setUint16(o, lo, true);
          return;
        case 4:
          this.ramView.setUint32(o, lo >>> 0, true);
          return;
        default:
          this.ramView.setUint32(o, lo >>> 0, true);
          this.ramView.setUint32(o + 4, hi >>> 0, true);
          return;
      }
    }
    if ((lin & 0xfff) + size > 0x1000) {
      this.writeSplit(lin, size, lo, hi, user);
      return;
    }
    const pa = this.translate(lin, ACC_WRITE, user);
    if (pa < 0) return; // a soft VM exit (Vmx.softExit)
    const po = pa - this.ramBase - (lin & 0xfff);
    if (
      po >= 0 &&
      po + 4096 <= this.ramSize &&
      (this.codeMap === undefined || this.codeMap[po / 4096] === 0)
    ) {
      // The page is writable and dirty now (translate set D): later writes go straight to RAM
      // (not for a page compiled code came from: its stores must reach codeWritten).
      this.wrLin = lin - (lin & 0xfff);
      this.wrOff = po;
      this.wrUser = user;
    }
    switch (size) {
      case 1:
        this.physWrite8(pa, lo);
        break;
      case 2:
        this.physWrite16(pa, lo);
        break;
      case 4:
        this.physWrite32(pa, lo);
        break;
      default:
        this.physWrite64(pa, lo, hi);
    }
  }

  private writeSplit(lin: number, size: number, lo: number, hi: number, user: boolean): void {
    this.vmx.softExit = false;
    const first = 0x1000 - (lin & 0xfff);
    const pa0 = this.translate(lin, ACC_WRITE, user);
    const pa1 = this.translate(this.linAdd(lin, first), ACC_WRITE, user);
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
      this.physWrite8(i < first ? pa0 + i : pa1 + i - first, b);
    }
  }

  /** Checks that a write to [lin, lin+size) would succeed (for instructions writing twice). */
  probeWrite(lin: number, size: number): void {
    this.translate(lin, ACC_WRITE, this.cpl === 3);
    if ((lin & 0xfff) + size > 0x1000) {
      this.translate(this.linAdd(lin, size - 1), ACC_WRITE, this.cpl === 3);
    }
  }

  /** lin + d in the current linear address width. */
  linAdd(lin: number, d: number): number {
    if (this.lin32) return (lin + d) >>> 0;
    return wrap64(lin + d);
  }

  /**
   * The linear address of offset `off` in segment `seg`; in 64-bit mode only FS and GS have
   * a base and a non-canonical address raises #GP(0) (#SS(0) for stack accesses).
   */
  segLin(seg: number, off: number): number {
    if (this.code64) {
      const lin = seg >= FS ? wrap64(this.segBase[seg]! + off) : off;
      if (lin < -0x800000000000 || lin >= 0x800000000000) {
        this.raise(seg === SS ? EX_SS : EX_GP, 0);
      }
      return lin;
    }
    return (this.segBase[seg]! + off) >>> 0;
  }

  /** The physical address the fetch TLB maps `lin` to for CPL 3 or not, or -1 (no entry). */
  probeFetch(lin: number, user: boolean): number {
    const page = Math.floor(lin / 4096);
    const slot = (ACC_FETCH * 2 + (user ? 1 : 0)) * TLB_SIZE + (page & TLB_MASK);
    if (this.tlbTag[slot] !== page * TLB_CONTEXTS + this.tlbCtx) return -1;
    return this.tlbPhys[slot]! + (lin - page * 4096);
  }

  /** A store reached RAM bytes [off, off + size): compiled code from those pages is stale. */
  codeWritten(off: number, size: number): void {
    const map = this.codeMap;
    if (map === undefined) return;
    const p0 = Math.floor(off / 4096);
    const p1 = Math.floor((off + size - 1) / 4096);
    if (map[p0] !== 0) this.jitShared!.written(p0);
    if (p1 !== p0 && map[p1] !== 0) this.jitShared!.written(p1);
  }

  /** Instruction fetch of one byte at linear address `lin`. */
  fetch8(lin: number): number {
    const d = lin - this.fetchLin;
    if (d >= 0 && d < 4096) return this.ram[this.fetchOff + d]!;
    const pa = this.translate(lin, ACC_FETCH, this.cpl === 3);
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      const page = lin - (((lin % 4096) + 4096) % 4096);
      this.fetchLin = page;
      this.fetchOff = off - (lin - page);
      if (this.fetchOff + 4096 > this.ramSize) this.invalidateFetch();
      return this.ram[off]!;
    }
    return this.physRead8(pa);
  }

  // ------------------------------------------------------------------ public register access

  getReg(name: X86RegName): bigint {
    const i = GPR_NAMES.indexOf(name);
    if (i >= 0) return (BigInt(this.rhi[i]! >>> 0) << 32n) | BigInt(this.rlo[i]! >>> 0);
    switch (name) {
      case "rip":
        return BigInt.asUintN(64, BigInt(this.rip));
      case "rflags":
        return BigInt(this.flags >>> 0);
      case "cr0":
        return BigInt(this.cr0 >>> 0);
      case "cr2":
        return BigInt.asUintN(64, BigInt(this.cr2));
      case "cr3":
        return BigInt(this.cr3);
      case "cr4":
        return BigInt(this.cr4 >>> 0);
      case "cr8":
        return BigInt(this.cr8);
      default:
        return BigInt(this.efer >>> 0);
    }
  }

  setReg(name: X86RegName, value: bigint): void {
    const v = BigInt.asUintN(64, value);
    const i = GPR_NAMES.indexOf(name);
    if (i >= 0) {
      this.rlo[i] = Number(v & 0xffffffffn) | 0;
      this.rhi[i] = Number(v >> 32n) | 0;
      return;
    }
    switch (name) {
      case "rip":
        this.rip = this.lin32 ? Number(v & 0xffffffffn) : toNumber64(v);
        break;
      case "rflags":
        this.flags = (Number(v & 0x3fffffn) | 2) >>> 0;
        break;
      case "cr0":
        this.cr0 = Number(v & 0xffffffffn) | 0;
        this.updateMode();
        this.flushTlb(true);
        break;
      case "cr2":
        this.cr2 = toNumber64(v);
        break;
      case "cr3":
        this.cr3 = Number(v & 0xffffffffff000n) + Number(v & 0x18n);
        this.flushTlb(true);
        break;
      case "cr4":
        this.cr4 = Number(v & 0xffffffffn) | 0;
        this.flushTlb(true);
        break;
      case "cr8":
        this.cr8 = Number(v & 0xfn);
        break;
      default:
        this.efer = Number(v & 0xffffffffn) | 0;
        this.updateMode();
        this.flushTlb(true);
    }
  }

  getSegment(seg: number): SegmentState {
    return {
      selector: this.segSel[seg]! & 0xffff,
      base: BigInt.asUintN(64, BigInt(this.segBase[seg]!)),
      limit: this.segLimit[seg]! >>> 0,
      attributes: this.segAttr[seg]!,
    };
  }

  setSegment(seg: number, s: SegmentState): void {
    this.segSel[seg] = s.selector & 0xffff;
    this.segBase[seg] = toNumber64(s.base);
    this.segLimit[seg] = s.limit >>> 0;
    this.segAttr[seg] = s.attributes;
    if (seg === CS) this.cpl = (s.attributes >> 5) & 3;
    if (seg === CS && (this.cr0 & CR0_PE) === 0) this.cpl = 0;
    this.updateMode();
  }

  /** Host access to an MSR as RDMSR sees it; null when the CPU has no such MSR (#GP). */
  readMsr(msr: number): bigint | null {
    if (!rdmsr(this, msr >>> 0)) return null;
    return (BigInt(this.msrHi >>> 0) << 32n) | BigInt(this.msrLo >>> 0);
  }

  /** Host access to an MSR as WRMSR does it; false when WRMSR would raise #GP. */
  writeMsr(msr: number, value: bigint): boolean {
    const v = BigInt.asUintN(64, value);
    return wrmsr(this, msr >>> 0, Number(v & 0xffffffffn), Number(v >> 32n));
  }

  /** Guest RAM was written by something other than this CPU (DMA, a loader). */
  notifyExternalWrite(paddr: number, length: number): void {
    // The interpreter decodes from RAM each time; compiled blocks from those pages are stale.
    this.jitShared?.writtenRange(paddr - this.ramBase, length);
  }

  /** The TSC as the guest reads it (low half returned, high in `this.hi`). */
  readTsc(): number {
    const t = this.time.now() + this.tscOffset + (this.vmx.guestMode ? this.vmx.tscOffset() : 0);
    this.hi = Math.floor(t / TWO32) >>> 0;
    return t >>> 0;
  }

  /** True when CR4.PAE is set (for the paging tests). */
  paeEnabled(): boolean {
    return (this.cr4 & CR4_PAE) !== 0;
  }

  // ------------------------------------------------------------------ host-trap mode (VMX root in TypeScript)

  /** Host-side VMWRITE on the current VMCS (host-trap mode makes one on first use). */
  vmwrite(field: number, value: bigint): void {
    const slot = fieldSlot(field);
    if (slot < 0 || (field & 1) === 1)
      throw new RangeError(`vmwrite: unsupported VMCS field 0x${field.toString(16)}`);
    const v = BigInt.asUintN(64, value);
    this.vmx.wr(field, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
  }

  /** Host-side VMREAD (exit information and guest state after a "host-trap" return). */
  vmread(field: number): bigint {
    const slot = fieldSlot(field);
    if (slot < 0 || (field & 1) === 1)
      throw new RangeError(`vmread: unsupported VMCS field 0x${field.toString(16)}`);
    this.vmx.saveLazy();
    const vmcs = this.vmx.vmcs();
    return (BigInt(vmcs.hi[slot]! >>> 0) << 32n) | BigInt(vmcs.lo[slot]! >>> 0);
  }

  /**
   * Host-trap mode: VM entry (VMLAUNCH the first time, then VMRESUME) on the current VMCS. A
   * control-field error throws (the VMfailValid number is in the message); an invalid guest
   * state is an entry-failure exit that the next `run()` reports as "host-trap".
   */
  enterGuest(): void {
    if (!this.hostTrapMode) throw new Error("X86Cpu.enterGuest: only in host-trap mode");
    const vmcs = this.vmx.vmcs();
    this.stopReason = null;
    const error = this.vmx.enter(!vmcs.launched);
    if (error !== 0)
      throw new Error(`X86Cpu.enterGuest: VM entry failed (VM-instruction error ${error})`);
    this.pendingHostTrap = this.stopReason === "host-trap";
  }

  /** An entry failure in enterGuest() is reported by the next run(). */
  private pendingHostTrap = false;
}

export { wrap64 };
