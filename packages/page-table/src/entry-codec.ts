import type { MappingFlags } from "@axvisor/memory-addr";

/**
 * One 64-bit table entry as its two little-endian 32-bit halves. Entries are handled as
 * halves in plain number arithmetic — BigInt would cost an order of magnitude on every walk —
 * and a physical address spanning both halves is reassembled with multiplication, which is
 * exact below 2^53.
 */
export interface EntryWords {
  readonly lo: number;
  readonly hi: number;
}

export const TWO_POW_32 = 0x1_0000_0000;

/** Low 32 bits of a non-negative safe integer, as an unsigned number. */
export const low32 = (value: number): number => (value % TWO_POW_32) >>> 0;
/** Bits 32 and up of a non-negative safe integer. */
export const high32 = (value: number): number => Math.floor(value / TWO_POW_32);

/**
 * The architecture-specific part of a page table: how leaves and table pointers are encoded.
 * `level` counts from the 4 KiB level (0) upwards.
 */
export interface EntryCodec {
  /** Encodes a leaf mapping `pa` at `level` with `flags` (already checked by `flagsProblem`). */
  leaf(pa: number, flags: MappingFlags, level: number): EntryWords;
  /** Encodes a pointer to the next-level table at `pa`. */
  table(pa: number): EntryWords;
  isPresent(lo: number, hi: number): boolean;
  /** For a present entry: does it map memory (a page or block) rather than point to a table? */
  isLeaf(lo: number, hi: number, level: number): boolean;
  /** Output address: the mapped frame of a leaf, or the next table of a table entry. */
  address(lo: number, hi: number): number;
  /** The MappingFlags a present leaf grants. */
  flags(lo: number, hi: number): MappingFlags;
  /** Why these flags cannot be encoded (e.g. write-only on RISC-V), or null when they can. */
  flagsProblem(flags: MappingFlags): string | null;
}
