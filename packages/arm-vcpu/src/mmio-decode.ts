/**
 * Decodes the single-register A64 loads and stores (general registers) that can fault on
 * an emulated device without a valid instruction syndrome (ESR.ISV = 0): the writeback forms
 * (pre/post-index) and anything else the CPU does not describe. Pairs, exclusives, atomics
 * and SIMD registers are not device accesses a guest may make; they return null.
 */

import { AccessWidth } from "@axvisor/memory-addr";

export interface DecodedAccess {
  readonly isStore: boolean;
  readonly width: AccessWidth;
  /** Rt; 31 is XZR. */
  readonly reg: number;
  /** 8 for an x destination, 4 for a w destination. */
  readonly regWidth: AccessWidth;
  readonly signExtend: boolean;
  /** Base register update of the pre/post-index forms (Rn, 31 = SP). */
  readonly writeback?: { readonly reg: number; readonly offset: number };
}

const WIDTHS = [AccessWidth.Byte, AccessWidth.Word, AccessWidth.Dword, AccessWidth.Qword] as const;

export function decodeLoadStore(insn: number): DecodedAccess | null {
  const size = insn >>> 30;
  const opc = (insn >>> 22) & 3;
  const rt = insn & 31;
  const rn = (insn >>> 5) & 31;
  const top = (insn >>> 24) & 0x3f;
  let writeback: DecodedAccess["writeback"];
  if (top === 0x39) {
    // LDR/STR (unsigned immediate): no writeback.
  } else if (top === 0x38) {
    const bit21 = (insn >>> 21) & 1;
    const mode = (insn >>> 10) & 3;
    if (bit21 === 1) {
      if (mode !== 2) return null; // atomics (LSE) live here
    } else if (mode === 1 || mode === 3) {
      const imm9 = (((insn >>> 12) & 0x1ff) << 23) >> 23;
      writeback = { reg: rn, offset: imm9 };
    }
  } else {
    return null;
  }
  const width = WIDTHS[size] as AccessWidth;
  let isStore = false;
  let signExtend = false;
  let regWidth: AccessWidth = size === 3 ? AccessWidth.Qword : AccessWidth.Dword;
  switch (opc) {
    case 0:
      isStore = true;
      break;
    case 1:
      break;
    case 2:
      if (size === 3) return null; // PRFM
      signExtend = true;
      regWidth = AccessWidth.Qword;
      break;
    default:
      if (size >= 2) return null; // unallocated
      signExtend = true;
      regWidth = AccessWidth.Dword;
  }
  return {
    isStore,
    width,
    reg: rt,
    regWidth,
    signExtend,
    ...(writeback ? { writeback } : {}),
  };
}
