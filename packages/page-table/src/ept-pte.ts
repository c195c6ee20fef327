import { MappingFlags } from "@axvisor/memory-addr";
import { type EntryCodec, high32, low32 } from "./entry-codec.js";

/** Intel EPT entry bits (SDM Vol. 3C, "EPT Translation Mechanism"). */
export const EptEntry = {
  READ: 1 << 0,
  WRITE: 1 << 1,
  EXECUTE: 1 << 2,
  MEMTYPE_SHIFT: 3,
  IGNORE_PAT: 1 << 6,
  /** PS: this PDPTE/PDE maps a 1 GiB / 2 MiB page. */
  HUGE: 1 << 7,
  ACCESSED: 1 << 8,
  DIRTY: 1 << 9,
} as const;

export const EptMemType = { UC: 0, WB: 6 } as const;

/** Physical address bits 51:12. */
const PA_LO_MASK = 0xffff_f000;
const PA_HI_MASK = 0x000f_ffff;
const RWX = EptEntry.READ | EptEntry.WRITE | EptEntry.EXECUTE;

/**
 * Leaves: R/W/X from the flags, memory type WB, or UC for DEVICE or UNCACHED (EPT has one
 * uncached type, so both read back as DEVICE|UNCACHED), IPAT clear so the guest's PAT still
 * combines, PS on 2 MiB/1 GiB leaves, A/D left clear for the processor. USER is not recorded
 * (user-mode execute control needs MBEC). Table pointers: RWX, so permissions are decided by
 * the leaves alone.
 */
export function eptCodec(): EntryCodec {
  return {
    leaf(pa, flags, level) {
      const uncached = (flags & (MappingFlags.DEVICE | MappingFlags.UNCACHED)) !== 0;
      let lo = (uncached ? EptMemType.UC : EptMemType.WB) << EptEntry.MEMTYPE_SHIFT;
      if (flags & MappingFlags.READ) lo |= EptEntry.READ;
      if (flags & MappingFlags.WRITE) lo |= EptEntry.WRITE;
      if (flags & MappingFlags.EXECUTE) lo |= EptEntry.EXECUTE;
      if (level > 0) lo |= EptEntry.HUGE;
      return { lo: (lo | (low32(pa) & PA_LO_MASK)) >>> 0, hi: high32(pa) & PA_HI_MASK };
    },
    table(pa) {
      return { lo: (RWX | (low32(pa) & PA_LO_MASK)) >>> 0, hi: high32(pa) & PA_HI_MASK };
    },
    isPresent: (lo) => (lo & RWX) !== 0,
    isLeaf: (lo, _hi, level) => level === 0 || (lo & EptEntry.HUGE) !== 0,
    address: (lo, hi) => (hi & PA_HI_MASK) * 0x1_0000_0000 + ((lo & PA_LO_MASK) >>> 0),
    flags(lo) {
      let f = 0;
      if (lo & EptEntry.READ) f |= MappingFlags.READ;
      if (lo & EptEntry.WRITE) f |= MappingFlags.WRITE;
      if (lo & EptEntry.EXECUTE) f |= MappingFlags.EXECUTE;
      if (((lo >>> EptEntry.MEMTYPE_SHIFT) & 7) === EptMemType.UC) {
        f |= MappingFlags.DEVICE | MappingFlags.UNCACHED;
      }
      return f;
    },
    flagsProblem(flags) {
      // Write permission without read permission is an EPT misconfiguration (a VM exit).
      if (flags & MappingFlags.WRITE && !(flags & MappingFlags.READ)) {
        return "EPT cannot express writable mappings without READ (EPT misconfiguration)";
      }
      return null;
    },
  };
}
