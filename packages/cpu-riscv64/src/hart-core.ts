import type { PhysBus, TimeSource } from "@axvisor/machine";
import type { Pmp } from "./pmp.js";
import type { Triggers } from "./triggers.js";

/**
 * The hart as the modules around the interpreter see it: architectural state, the software
 * TLB's entry points and the trap helpers that CSR access (csr.ts), the MMU (mmu.ts), traps
 * and interrupts (trap.ts), SYSTEM instructions (system.ts), AMOs (atomics.ts) and the
 * hypervisor loads/stores (hypervisor-access.ts) use. `Hart` implements it; those modules
 * depend on this interface, not on hart.ts, so the package's module graph has no cycle.
 */
export interface HartCore {
  readonly x: Int32Array;
  fflags: number;
  frm: number;
  readonly hartId: number;
  readonly bus: PhysBus;
  readonly time: TimeSource;
  readonly hasH: boolean;
  readonly hasSstc: boolean;
  readonly misa: number;
  readonly r32: Int32Array;
  /** RAM as 64-bit words, for the A extension's 64-bit atomics. */
  readonly r64: BigInt64Array;
  /** Non-zero once another thread can reach RAM (machine's `adoptedWord`): atomics go through Atomics. */
  readonly ramAdopted: Int32Array;
  readonly ramBase: number;
  readonly ramSize: number;
  /** Current PC (the signed 64-bit value as a number). */
  pc: number;
  mstatus: number;
  mstatusMpv: boolean;
  mstatusGva: boolean;
  medeleg: number;
  mideleg: number;
  mie: number;
  /** Software-written mip bits (SSIP, STIP, SEIP). */
  mipSw: number;
  /** Hardware interrupt lines (MSIP, MTIP, MEIP, SEIP, STIP). */
  hwIrq: number;
  mcounteren: number;
  scounteren: number;
  hcounteren: number;
  mcountinhibit: number;
  menvcfg: number;
  menvcfgStce: boolean;
  senvcfg: number;
  henvcfg: number;
  henvcfgStce: boolean;
  hstatus: number;
  hedeleg: number;
  hideleg: number;
  hvip: number;
  hgeip: number;
  hgeie: number;
  vsstatus: number;
  readonly c64: Int32Array;
  readonly pmp: Pmp;
  /** Sdtrig triggers (tselect, tdata1-3, tinfo). */
  readonly triggers: Triggers;
  instret: number;
  /** mhpmcounter3..31 / mhpmevent3..31 values (slot n at [2n], [2n+1]); they never count. */
  readonly hpmCounter: Int32Array;
  readonly hpmEvent: Int32Array;
  mcycleOff: number;
  minstretOff: number;
  /** LR reservation (physical address) or -1. */
  resAddr: number;
  /** The value LR read (lo/hi words): SC stores only if RAM still holds it (see atomics.ts). */
  resLo: number;
  resHi: number;
  csrLo: number;
  csrHi: number;
  pteLo: number;
  pteHi: number;
  /** High word of the last 64-bit load. */
  hi: number;
  xlateCacheable: boolean;
  /** Level of the stage-1 leaf PTE of the last xlate() (0 = 4 KiB page, 1 = 2 MiB, ...). */
  xlateLevel: number;
  trapCause: number;
  trapTval: number;
  trapTval2: number;
  /** -1 = "the transformed current instruction". */
  trapTinst: number;
  trapGva: boolean;
  /**
   * Start address of the misaligned access being split into bytes (NaN otherwise): a fault on
   * one of its bytes reports the byte's offset in htinst's address-offset field.
   */
  misalignedVa: number;
  /** Current instruction (expanded to 32 bits) and its length in bytes. */
  insn: number;
  insnLen: number;
  /** Set by CSR writes and xRET: end the slice so interrupts are re-evaluated. */
  sliceBreak: boolean;
  /** Host-trap mode: a trap was taken into HS-mode. */
  hostTrapped: boolean;
  /** Set by WFI when no enabled interrupt is pending: run() returns "wfi". */
  wfiExit: boolean;
  /** PAUSE ends run() (see Hart.pauseExit). */
  pauseExit: boolean;
  /** Set when a PAUSE ended execute() because of `pauseExit`. */
  paused: boolean;
  /** G-stage TLB (GPA page -> HPA page), four sets: PTE reads, fetch, load, store. */
  readonly gtag: Float64Array;
  readonly ghpa: Float64Array;
  ctxData: number;
  priv: number;
  virt: boolean;
  /**
   * Host-trap mode: TypeScript plays HS-mode software. M-mode is absent (all traps are
   * delegated to S, M-level interrupts are ignored) and traps into HS-mode make run() return
   * "host-trap" instead of jumping to stvec.
   */
  hostTrapMode: boolean;
  /** A debugger owns EBREAK: it stops the hart ("host-trap", debugBreakHit) instead of trapping. */
  debugBreakpoints: boolean;
  debugBreakHit: boolean;
  /** Changes privilege/V and recomputes the translation contexts. */
  setMode(priv: number, virt: boolean): void;
  /**
   * Before guest (V=1) translations are used: drops cached ones made under another hgatp or
   * vsatp (another VM, another address space). A hypervisor rewriting the same values at
   * every world switch keeps its guest's TLB entries, as VMID-tagged hardware would.
   */
  checkGuestTranslations(): void;
  /**
   * SFENCE.VMA / HFENCE.VVMA with an address: drops the cached translations of that virtual
   * page, and of any superpage containing it, in every context.
   */
  flushTlbPage(va: number): void;
  /** Recomputes ctxFetch/ctxData after a change of mode or of mstatus/vsstatus. */
  updateCtx(): void;
  /**
   * Drops cached translations. The G-stage cache (GPA->HPA) survives unless `gstage` is set:
   * SFENCE.VMA, HFENCE.VVMA and satp/vsatp writes do not change guest-physical mappings.
   */
  flushTlb(gstage?: boolean): void;
  /** stimecmp/vstimecmp changed: re-evaluate the timer interrupts at the next boundary. */
  updateTimers(): void;
  fpEnabled(): boolean;
  markFsDirty(): void;
  /**
   * The G-stage walk of a load or store found `gpa` unmapped: the hart may cache that (a
   * negative entry) until the next fence.
   */
  noteGuestPageFault(va: number, gpa: number, type: number, ctx: number): void;
  /** Records a synchronous exception and unwinds to the run loop. */
  fault(cause: number, tval: number, tval2: number, tinst: number, gva: boolean): never;
  illegal(): never;
  virtualInstruction(): never;
  /** Data-access translation for the current context; fills the load or store TLB. */
  translate(va: number, type: number): number;
  /** Physical read of 1/2/4/8 bytes (naturally aligned); 8 puts the high word in this.hi. */
  physLoad(pa: number, size: number, va: number, cause: number): number;
  physStore(pa: number, size: number, lo: number, hi: number, va: number): void;
  /** This hart changed RAM at offset `ro` behind physStore (an atomic): drop code compiled there. */
  noteRamWrite(ro: number): void;
}
