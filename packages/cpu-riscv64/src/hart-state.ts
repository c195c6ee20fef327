/**
 * Layout of a hart's state block: the part of the hart that compiled code reads and writes
 * (registers, the exit PC, the TLBs, the jump cache). With wasm RAM (ram.ts) the block lives
 * in the same WebAssembly.Memory as RAM; otherwise in an ordinary buffer with the same layout.
 */
import { HART_STATE_BYTES } from "./ram.js";

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Jump cache (compiled entry points, direct mapped on the entry's RAM offset / 2). */
export const JC_BITS = 14;
export const JC_SIZE = 1 << JC_BITS;
export const JC_MASK = JC_SIZE - 1;

/** x0..x31 as int32 lo/hi pairs (an i64 each, little-endian). */
export const ST_X = 0x0000;
/** f0..f31, same shape. */
export const ST_F = 0x0100;
/** The PC at which compiled code stopped (f64). */
export const ST_EXIT_PC = 0x0200;
/** Why compiled code stopped (i32, EXIT_* below). */
export const ST_EXIT_KIND = 0x0208;
/** Load TLB tags: page VA + translation context, as f64 (NaN = empty). */
export const ST_LTAG = 0x0400;
/** Store TLB tags. */
export const ST_STAG = ST_LTAG + 8 * TLB_SIZE;
/** Fetch TLB tags. */
export const ST_FTAG = ST_STAG + 8 * TLB_SIZE;
/** Load TLB: RAM byte offset of the page (int32). */
export const ST_LOFF = ST_FTAG + 8 * TLB_SIZE;
/** Store TLB: RAM byte offset of the page. */
export const ST_SOFF = ST_LOFF + 4 * TLB_SIZE;
/** Fetch TLB: RAM byte offset of the page. */
export const ST_FOFF = ST_SOFF + 4 * TLB_SIZE;
/** Jump cache keys: RAM offset of the entry (-1 = empty). */
export const ST_JC_KEY = ST_FOFF + 4 * TLB_SIZE;
/** Jump cache values: function table index << 8 | entry block. */
export const ST_JC_VAL = ST_JC_KEY + 4 * JC_SIZE;
export const ST_END = ST_JC_VAL + 4 * JC_SIZE;

/** The region ended on a control transfer to EXIT_PC: chain to compiled code there if any. */
export const EXIT_BRANCH = 0;
/** Stopped before an instruction compiled code does not perform (or out of budget). */
export const EXIT_SIDE = 1;
/** The dispatcher found no compiled code for EXIT_PC. */
export const EXIT_MISS = 2;

if (ST_END > HART_STATE_BYTES) throw new Error("hart state layout exceeds its block");
