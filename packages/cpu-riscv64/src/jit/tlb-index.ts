import { type FnBody, Op } from "@axvisor/machine";
import { REC_BYTES, TLB_MASK } from "../hart-state.js";

const RECORD_SHIFT = Math.log2(REC_BYTES);

/**
 * Emits the TLB lookup index shared by compiled regions and the dispatcher: with a virtual
 * address (i64) on the wasm stack, leaves the byte offset (i32) of its direct-mapped TLB
 * record, the same slot the interpreter computes as `((va >>> 12) & TLB_MASK) * REC_BYTES`.
 */
export function emitTlbRecordOffset(f: FnBody): void {
  // ((va >>> 12) & TLB_MASK) * REC_BYTES in 32-bit arithmetic on the low word, one shift and
  // one mask (the index bits sit well inside the low word).
  f.op(Op.i32WrapI64);
  f.i32(12 - RECORD_SHIFT);
  f.op(Op.i32ShrU);
  f.i32(TLB_MASK << RECORD_SHIFT);
  f.op(Op.i32And);
}
