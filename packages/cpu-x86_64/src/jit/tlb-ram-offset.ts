import { type FnBody, Op } from "@axvisor/machine";
import { ST_TLB_PHYS, ST_TLB_TAG } from "./layout.js";

/**
 * Pushes the RAM offset (i64) of the byte at address local `addr`, whose page hit the software
 * TLB entry whose tag's state-block address is in local `tlbEntry`: the entry's physical page
 * plus the page offset, minus `ramBase`. The caller checks it against the RAM size (outside
 * RAM is MMIO or nothing: the interpreter's case).
 */
export function emitTlbRamOffset(b: FnBody, tlbEntry: number, addr: number, ramBase: number): void {
  b.get(tlbEntry);
  b.mem(Op.f64Load, 3, ST_TLB_PHYS - ST_TLB_TAG);
  b.op(Op.i64TruncF64S);
  b.get(addr);
  b.i64(0xfff);
  b.op(Op.i64And);
  b.op(Op.i64Add);
  if (ramBase !== 0) {
    b.i64(ramBase);
    b.op(Op.i64Sub);
  }
}
