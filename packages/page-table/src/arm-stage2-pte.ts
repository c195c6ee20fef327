import { MappingFlags } from "@axvisor/memory-addr";
import { type EntryCodec, high32, low32 } from "./entry-codec.js";

/**
 * ARMv8-A VMSA stage-2 descriptor bits, 4 KiB granule (Arm ARM D8.3 "Translation table
 * descriptor formats"). Bit positions above 31 are given within the high word.
 */
export const ArmS2Desc = {
  VALID: 1 << 0,
  /** Table descriptor at levels 0-2; must be set in a level-3 page descriptor. */
  TABLE_OR_PAGE: 1 << 1,
  MEMATTR_SHIFT: 2,
  /** S2AP[0]: reads allowed. */
  S2AP_R: 1 << 6,
  /** S2AP[1]: writes allowed. */
  S2AP_W: 1 << 7,
  SH_SHIFT: 8,
  AF: 1 << 10,
  /** XN, bit 54 of the descriptor. */
  XN_HI: 1 << 22,
} as const;

/** Stage-2 MemAttr[3:0] without FEAT_S2FWB. */
export const ArmS2MemAttr = {
  /** Device-nGnRE: MemAttr[3:2]=0b00 (device), [1:0]=0b01. */
  DEVICE_nGnRE: 0b0001,
  /** Normal, outer and inner Non-cacheable. */
  NORMAL_NC: 0b0101,
  /** Normal, outer and inner Write-Back cacheable. */
  NORMAL_WB: 0b1111,
} as const;

const SH_INNER_SHAREABLE = 0b11;
/** Output address bits 47:12. */
const OA_LO_MASK = 0xffff_f000;
const OA_HI_MASK = 0x0000_ffff;

/**
 * Leaves: valid; bit 1 set only at the 4 KiB level (a page, vs a block above it); MemAttr
 * from DEVICE/UNCACHED (DEVICE wins); S2AP from READ/WRITE; inner-shareable for normal
 * memory (SH is ignored for device memory, left 0); AF always set, because a clear AF makes
 * the first access fault unless hardware AF management is on; XN when not EXECUTE.
 * USER has no stage-2 meaning and is not recorded. Table pointers: bits 1:0 = 0b11 and the
 * next-level address, nothing else (no hierarchical attributes).
 */
export function armStage2Codec(): EntryCodec {
  return {
    leaf(pa, flags, level) {
      const memAttr =
        flags & MappingFlags.DEVICE
          ? ArmS2MemAttr.DEVICE_nGnRE
          : flags & MappingFlags.UNCACHED
            ? ArmS2MemAttr.NORMAL_NC
            : ArmS2MemAttr.NORMAL_WB;
      let lo = ArmS2Desc.VALID | ArmS2Desc.AF | (memAttr << ArmS2Desc.MEMATTR_SHIFT);
      if (level === 0) lo |= ArmS2Desc.TABLE_OR_PAGE;
      if (flags & MappingFlags.READ) lo |= ArmS2Desc.S2AP_R;
      if (flags & MappingFlags.WRITE) lo |= ArmS2Desc.S2AP_W;
      if (!(flags & MappingFlags.DEVICE)) lo |= SH_INNER_SHAREABLE << ArmS2Desc.SH_SHIFT;
      let hi = high32(pa) & OA_HI_MASK;
      if (!(flags & MappingFlags.EXECUTE)) hi |= ArmS2Desc.XN_HI;
      return { lo: (lo | (low32(pa) & OA_LO_MASK)) >>> 0, hi: hi >>> 0 };
    },
    table(pa) {
      return {
        lo: (ArmS2Desc.VALID | ArmS2Desc.TABLE_OR_PAGE | (low32(pa) & OA_LO_MASK)) >>> 0,
        hi: high32(pa) & OA_HI_MASK,
      };
    },
    isPresent: (lo) => (lo & ArmS2Desc.VALID) !== 0,
    isLeaf: (lo, _hi, level) => level === 0 || (lo & ArmS2Desc.TABLE_OR_PAGE) === 0,
    address: (lo, hi) => (hi & OA_HI_MASK) * 0x1_0000_0000 + ((lo & OA_LO_MASK) >>> 0),
    flags(lo, hi) {
      let f = 0;
      if (lo & ArmS2Desc.S2AP_R) f |= MappingFlags.READ;
      if (lo & ArmS2Desc.S2AP_W) f |= MappingFlags.WRITE;
      if (!(hi & ArmS2Desc.XN_HI)) f |= MappingFlags.EXECUTE;
      const memAttr = (lo >>> ArmS2Desc.MEMATTR_SHIFT) & 0xf;
      if ((memAttr & 0b1100) === 0) f |= MappingFlags.DEVICE;
      else if (memAttr === ArmS2MemAttr.NORMAL_NC) f |= MappingFlags.UNCACHED;
      return f;
    },
    flagsProblem: () => null,
  };
}
