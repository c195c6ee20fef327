import { MappingFlags } from "@axvisor/memory-addr";
import { type EntryCodec, type EntryWords, high32, low32 } from "./entry-codec.js";

/** RISC-V PTE bits (privileged spec, "Sv39: Page-Based 39-bit Virtual-Memory System"). */
export const RiscvPte = {
  V: 1 << 0,
  R: 1 << 1,
  W: 1 << 2,
  X: 1 << 3,
  U: 1 << 4,
  G: 1 << 5,
  A: 1 << 6,
  D: 1 << 7,
} as const;

/** Svpbmt's PBMT field, bits 62:61 — bits 30:29 of the high word. */
const PBMT_SHIFT_HI = 29;
const PBMT_NC = 1;
const PBMT_IO = 2;
/** PPN is bits 53:10; its part in the high word is bits 21:0. */
const PPN_HI_MASK = 0x003f_ffff;
const PPN_LO_MASK = 0xffff_fc00;

export interface RiscvCodecOptions {
  /**
   * G-stage (hgatp) tables: the hart checks every G-stage access as a U-mode access, so a
   * leaf without U faults whatever the guest does. U is therefore set on every G-stage leaf,
   * and MappingFlags.USER makes no difference there.
   */
  readonly gStage: boolean;
  /**
   * Encode DEVICE as PBMT=IO and UNCACHED as PBMT=NC (the Svpbmt extension). Off by default:
   * without Svpbmt those bits are reserved and a hart faults on them; memory types then come
   * from the platform's PMAs and DEVICE/UNCACHED are not recorded in the entry.
   */
  readonly svpbmt: boolean;
}

/**
 * Leaves: V, R/W/X from the flags, U (see `gStage`), A always and D when writable — set up
 * front because a hart without hardware A/D updating (Svadu) raises a page fault on a leaf
 * whose A (or, for a store, D) bit is clear. G is never set (the spec reserves it in G-stage
 * tables and address spaces here are per VM). Table pointers carry V only: the spec reserves
 * D, A and U in non-leaf entries.
 */
export function riscvCodec(opts: RiscvCodecOptions): EntryCodec {
  const encodeAddr = (pa: number): EntryWords => {
    // PPN = pa >> 12 sits at bit 10, so the entry's address bits are pa >> 2.
    const v = pa / 4;
    return { lo: low32(v), hi: high32(v) };
  };
  return {
    leaf(pa, flags) {
      const a = encodeAddr(pa);
      let bits = RiscvPte.V | RiscvPte.A;
      if (flags & MappingFlags.READ) bits |= RiscvPte.R;
      if (flags & MappingFlags.WRITE) bits |= RiscvPte.W | RiscvPte.D;
      if (flags & MappingFlags.EXECUTE) bits |= RiscvPte.X;
      if (opts.gStage || flags & MappingFlags.USER) bits |= RiscvPte.U;
      let hi = a.hi;
      if (opts.svpbmt) {
        const pbmt =
          flags & MappingFlags.DEVICE ? PBMT_IO : flags & MappingFlags.UNCACHED ? PBMT_NC : 0;
        hi |= pbmt << PBMT_SHIFT_HI;
      }
      return { lo: (a.lo | bits) >>> 0, hi: hi >>> 0 };
    },
    table(pa) {
      const a = encodeAddr(pa);
      return { lo: (a.lo | RiscvPte.V) >>> 0, hi: a.hi };
    },
    isPresent: (lo) => (lo & RiscvPte.V) !== 0,
    isLeaf: (lo) => (lo & (RiscvPte.R | RiscvPte.W | RiscvPte.X)) !== 0,
    address: (lo, hi) => ((hi & PPN_HI_MASK) * 0x1_0000_0000 + ((lo & PPN_LO_MASK) >>> 0)) * 4,
    flags(lo, hi) {
      let f = 0;
      if (lo & RiscvPte.R) f |= MappingFlags.READ;
      if (lo & RiscvPte.W) f |= MappingFlags.WRITE;
      if (lo & RiscvPte.X) f |= MappingFlags.EXECUTE;
      if (lo & RiscvPte.U) f |= MappingFlags.USER;
      if (opts.svpbmt) {
        const pbmt = (hi >>> PBMT_SHIFT_HI) & 3;
        if (pbmt === PBMT_IO) f |= MappingFlags.DEVICE;
        else if (pbmt === PBMT_NC) f |= MappingFlags.UNCACHED;
      }
      return f;
    },
    flagsProblem(flags) {
      // R=0 W=1 is a reserved encoding: the hart raises a page fault on it.
      if (flags & MappingFlags.WRITE && !(flags & MappingFlags.READ)) {
        return "RISC-V page tables cannot express write-only mappings (W without R is reserved)";
      }
      return null;
    },
  };
}
