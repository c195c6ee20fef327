/**
 * Layout of a hart's state block: the part of the hart that compiled code reads and writes
 * (registers, the exit PC, the TLBs, the jump cache). With wasm RAM (ram.ts) the block lives
 * in the same WebAssembly.Memory as RAM; otherwise in an ordinary buffer with the same layout.
 */
import { CPU_STATE_BYTES as HART_STATE_BYTES } from "@axvisor/machine";

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Jump cache: compiled entry points, direct mapped on jcSlot(RAM offset of the entry). */
export const JC_BITS = 16;
export const JC_SIZE = 1 << JC_BITS;
export const JC_MASK = JC_SIZE - 1;
/** Bits of the halfword index folded onto the low ones, so code far apart spreads out. */
export const JC_FOLD = 15;

/** The jump cache slot of the entry at RAM offset `ro` (the dispatcher computes the same). */
export function jcSlot(ro: number): number {
  const h = ro >>> 1;
  return (h ^ (h >>> JC_FOLD)) & JC_MASK;
}

/** x0..x31 as int32 lo/hi pairs (an i64 each, little-endian). */
export const ST_X = 0x0000;
/** f0..f31, same shape. */
export const ST_F = 0x0100;
/** The PC at which compiled code stopped (i64). */
export const ST_EXIT_PC = 0x0200;
/** Why compiled code stopped (i32, EXIT_* below). */
export const ST_EXIT_KIND = 0x0208;
/** The interpreter's TLB tags (f64 page VA + translation context, NaN = empty). */
export const ST_LTAG = 0x0400;
export const ST_STAG = ST_LTAG + 8 * TLB_SIZE;
export const ST_FTAG = ST_STAG + 8 * TLB_SIZE;
/** The interpreter's TLB data: RAM byte offset of the page (int32). */
export const ST_LOFF = ST_FTAG + 8 * TLB_SIZE;
export const ST_SOFF = ST_LOFF + 4 * TLB_SIZE;
export const ST_FOFF = ST_SOFF + 4 * TLB_SIZE;
/**
 * The same TLBs as compiled code reads them: 16-byte records, an i64 tag (page VA | ctx << 4,
 * -1 = empty; the low 4 bits stay clear so a misaligned address never matches) and an i32:
 * for loads and stores the wasm address of the page minus the low word of its VA (so the
 * address of an access is that plus the low word of the VA), for fetches the page's RAM offset.
 */
export const ST_LREC = ST_FOFF + 4 * TLB_SIZE;
export const ST_SREC = ST_LREC + 16 * TLB_SIZE;
export const ST_FREC = ST_SREC + 16 * TLB_SIZE;
export const REC_BYTES = 16;
/**
 * Jump cache, 8 bytes per slot: the RAM offset of the entry (0xffffffff = empty), then the function
 * table index << 8 | entry block.
 */
export const ST_JC = ST_FREC + 16 * TLB_SIZE;
export const ST_END = ST_JC + 8 * JC_SIZE;

/** The region ended on a control transfer to EXIT_PC: chain to compiled code there if any. */
export const EXIT_BRANCH = 0;
/** Stopped before an instruction compiled code does not perform (or out of budget). */
export const EXIT_SIDE = 1;
/** The dispatcher found no compiled code for EXIT_PC. */
export const EXIT_MISS = 2;

if (ST_END > HART_STATE_BYTES) throw new Error("hart state layout exceeds its block");
