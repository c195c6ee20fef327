/**
 * Where a CPU's JIT-visible state lives inside its state block of the shared WebAssembly.Memory
 * (machine's `claimCpuState`): compiled code loads and stores registers, RFLAGS, RIP and the
 * software TLB at these byte offsets from the block's start. The interpreter uses the same
 * storage through typed-array views, so nothing is copied between the two tiers.
 */

/** RAX..R15 low halves (Int32Array(16)). */
export const ST_RLO = 0;
/** RAX..R15 high halves (Int32Array(16)). */
export const ST_RHI = 64;
/** RFLAGS after a compiled run (i32). */
export const ST_FLAGS = 128;
/** RIP after a compiled run (f64: the signed canonical value, as the interpreter keeps it). */
export const ST_RIP = 136;
/** FS and GS bases (f64), written before each compiled run (segment overrides add them). */
export const ST_FS_BASE = 144;
export const ST_GS_BASE = 152;
/** Non-zero (i32): the last compiled run stopped right after an STI that set IF (jit.ts). */
export const ST_STI = 160;
/** The segment selectors ES..GS (Int32Array(6)), written before each compiled run. */
export const ST_SEL = 176;
/** The TLB tags (Float64Array(TLB_SETS * TLB_SIZE)), page-aligned for readability in dumps. */
export const ST_TLB_TAG = 4096;
/**
 * log2 of the TLB's entries per set (direct-mapped by the page number's low bits). 2048: with
 * 1024 a third of a Linux boot's refills were of pages evicted by another page of the same
 * slot since the last flush.
 */
export const TLB_BITS = 11;
export const TLB_ENTRIES = 1 << TLB_BITS;
/** Bytes of one TLB array: 6 sets x TLB_ENTRIES entries x 8 bytes. */
export const TLB_BYTES = 6 * TLB_ENTRIES * 8;
/** The TLB's physical page bases (Float64Array, same indexing as the tags). */
export const ST_TLB_PHYS = ST_TLB_TAG + TLB_BYTES;
/**
 * Why the last chained run (dispatcher.ts) returned to JS (i32): CHAIN_MISS, CHAIN_STEP or
 * CHAIN_STOP.
 */
export const ST_CHAIN_EXIT = 168;
/** Regions the dispatcher has called (i32, wrapping; statistics). */
export const ST_CHAIN_HOPS = 172;
/**
 * The jump cache the dispatcher chains through: JC_SIZE entries of 16 bytes (f64 linear RIP,
 * i32 RAM offset of its first byte, i32 table index << 2 | mode), direct-mapped by jcSlot.
 */
export const ST_JC = ST_TLB_PHYS + TLB_BYTES;
/** Multiplier of the jump cache's hash (Fibonacci hashing: page and offset bits both count). */
export const JC_HASH = 0x9e3779b1 | 0;
export const JC_BITS = 10;
export const JC_SIZE = 1 << JC_BITS;
export const JC_BYTES = JC_SIZE * 16;
/** The jump cache slot of a region starting at RAM offset `off`. */
export function jcSlot(off: number): number {
  return Math.imul(off, JC_HASH) >>> (32 - JC_BITS);
}
/**
 * The code-page map (one byte per 4 KiB page of RAM, non-zero = compiled code was made from
 * it), in the state block of the first CPU of a RAM: every CPU's stores check the same map.
 */
export const ST_CODE_MAP = ST_JC + JC_BYTES;
