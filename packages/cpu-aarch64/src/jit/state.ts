/**
 * Layout of one CPU's state block inside the shared WebAssembly.Memory (claimed with
 * machine's `claimCpuState`): what compiled code reads and writes directly. Offsets are bytes
 * from the start of the block; the interpreter works on typed-array views of the same bytes,
 * so nothing is copied when execution moves between the two tiers except NZCV.
 */

/** X0..X30 and the current SP (slot 31), one little-endian 64-bit value each. */
export const ST_X = 0;
/** PSTATE.N, Z, C, V as i32 0/1 (copied in and out around every compiled call). */
export const ST_N = 256;
export const ST_Z = 260;
export const ST_C = 264;
export const ST_V = 268;
/** Where compiled code stopped: the PC of the first instruction it did not execute (i64). */
export const ST_EXIT_PC = 272;
/** Why it stopped (EXIT_*). */
export const ST_EXIT_KIND = 280;
/** The stack pointers not selected (the CPU's spBank): SP_EL0, SP_EL1, SP_EL2 as i64. */
export const ST_SP_BANK = 288;
/**
 * Copies of TPIDR_EL0, TPIDRRO_EL0 and TPIDR_EL1 (i64 each), written before every compiled
 * call: compiled code only reads them (MSR to them stays with the interpreter).
 */
export const ST_TPIDR = 320;
/**
 * PSTATE.DAIF (bits 9:6, i32), written before every compiled call and read back after it:
 * compiled MSR DAIFSet/DAIFClr/DAIF change it (an unmask ends the region).
 */
export const ST_DAIF = 344;
/** DCZID_EL0's value at the current EL (i32), written before every compiled call. */
export const ST_DCZID = 348;
/**
 * The exclusive monitor while compiled code runs: the reserved RAM offset (f64, the CPU's
 * physical address minus RAM's base) and size (i32), meaningful while ST_FLAGS has
 * F_EXCLUSIVE (a load-exclusive sets it, a store-exclusive clears it).
 */
export const ST_EXCL = 352;
export const ST_EXCL_SIZE = 360;
/** CTR_EL0's value (i32; its high half is zero), written before every compiled call. */
export const ST_CTR = 368;
/** The F_* flags regions run with: the dispatcher passes them on; a region may clear F_EXCLUSIVE. */
export const ST_FLAGS = 364;
/** The software TLB: tags (f64, [fetch | load | store] x TLB_SIZE), then RAM offsets (i32). */
export const ST_TLB_TAG = 1024;
export const TLB_ENTRIES = 3 * 1024;
export const ST_TLB_OFF = ST_TLB_TAG + 8 * TLB_ENTRIES;
/**
 * The jump cache: JC_SIZE slots of (RAM offset of a compiled entry, its function table
 * index), i32 each; slot by jcSlot(). Only entries whose page was validated in the current
 * epoch are in it, so compiled code may chain through it without asking JavaScript.
 */
export const ST_JC = 40960;
export const JC_BITS = 12;
export const JC_SIZE = 1 << JC_BITS;
export const JC_MASK = JC_SIZE - 1;
/** Bytes of the block in use. */
export const ST_END = ST_JC + 8 * JC_SIZE;

/** The jump cache slot of RAM offset `ro` (instructions are 4-byte aligned). */
export function jcSlot(ro: number): number {
  return ((ro >>> 2) ^ (ro >>> (2 + JC_BITS))) & JC_MASK;
}

/**
 * A control transfer (or the region's size limit): the next instruction may start compiled
 * code again at once.
 */
export const EXIT_BRANCH = 0;
/**
 * Stopped before an instruction compiled code does not perform (or a memory access its TLB
 * fast path cannot do): the interpreter executes that one instruction first.
 */
export const EXIT_STOP = 1;
/** The dispatcher found no compiled code (in the jump cache) for the next PC. */
export const EXIT_MISS = 2;
/**
 * After an MSR that unmasked an interrupt: back to JavaScript (never chained by the
 * dispatcher) so that a pending interrupt is taken before the next instruction.
 */
export const EXIT_UNMASK = 3;

/** Flag bits passed to a region at entry. */
/** SCTLR_ELx.A: every unaligned access faults (compiled code leaves them to the interpreter). */
export const F_STRICT_ALIGN = 1;
/** The exclusive monitor holds a reservation: stores leave to the interpreter (it clears it). */
export const F_EXCLUSIVE = 2;
/** SP alignment checking (SCTLR_ELx.SA/SA0) is on for the current EL. */
export const F_SP_ALIGN = 4;
/**
 * At EL1 or EL2 with SPSel = 1: MRS/MSR of SP_EL0 reach the banked SP_EL0 (else they are
 * UNDEFINED or touch the current SP, which the interpreter handles).
 */
export const F_SP_EL0 = 8;
/** DC ZVA is permitted (EL1 without HCR_EL2.TDZ, or EL2): compiled code may zero blocks. */
export const F_DC_ZVA = 16;
/** EL1 or EL2: MRS of TPIDR_EL1 reads it (at EL0 it is UNDEFINED, left to the interpreter). */
export const F_PRIV = 32;
/** MRS CTR_EL0 reads it: EL2, or EL1 without HCR_EL2.TID2 (EL0 is left to the interpreter). */
export const F_CTR = 64;
/**
 * DC CVAC / CVAU / CIVAC are no-ops (caches are not modelled): EL2, or EL1 without
 * HCR_EL2.TPCP (EL0 is left to the interpreter).
 */
export const F_DC_CMO = 128;
/**
 * IC IVAU is a no-op: EL2, or EL1 without HCR_EL2.TPU, on a CPU alone on its RAM (this CPU's
 * own stores to code pages already dropped that code; other CPUs would have to be told, which
 * the interpreter does).
 */
export const F_IC_LOCAL = 256;
