/**
 * The flattened device tree binary format (Devicetree Specification v0.4, chapter 5).
 * All integers in a blob are big-endian.
 */
export const FDT_MAGIC = 0xd00dfeed;
/** The version this package writes. */
export const FDT_VERSION = 17;
/** The oldest version a v17 blob stays compatible with. */
export const FDT_LAST_COMP_VERSION = 16;
/** Size of the v17 header in bytes. */
export const FDT_HEADER_SIZE = 40;

/** Structure block tokens. */
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** One entry of the memory reservation block: a physical range the OS must leave alone. */
export interface MemoryReservation {
  readonly address: number;
  readonly size: number;
}
