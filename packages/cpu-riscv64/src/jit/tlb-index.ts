import { type FnBody, Op } from "@axvisor/machine";
import { REC_BYTES, TLB_MASK } from "../hart-state.js";

/**
 * Emits the TLB lookup index shared by compiled regions and the dispatcher: with a virtual
 * address (i64) on the wasm stack, leaves the byte offset (i32) of its direct-mapped TLB
 * record, the same slot the interpreter computes as `((va >>> 12) & TLB_MASK) * REC_BYTES`.
 */
export function emitTlbRecordOffset(f: FnBody): void {
  f.i64(12);
  f.op(Op.i64ShrU);
  f.op(Op.i32WrapI64);
  f.i32(TLB_MASK);
  f.op(Op.i32And);
  f.i32(Math.log2(REC_BYTES));
  f.op(Op.i32Shl);
}
