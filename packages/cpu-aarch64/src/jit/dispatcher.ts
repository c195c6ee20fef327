/**
 * The dispatcher: a wasm function that chains compiled regions without returning to
 * JavaScript. From a PC it looks up the fetch TLB (whose entries were filled by the
 * interpreter's fetch translation with all its checks), then the jump cache; on a hit it
 * calls the region through the function table and repeats from the region's exit PC while
 * regions end on control transfers and budget remains. On a miss it returns (EXIT_MISS) and
 * JavaScript counts, compiles, and comes back.
 *
 * run(pc: f64, budget: i32, fetchCtx: i32, dataCtx: i32, flags: i32) -> retired: i32, with the
 * exit PC and EXIT_* kind in the state block.
 */

import { type FnBody, type Locals, Op, ValType } from "@axvisor/machine";
import {
  EXIT_MISS,
  JC_BITS,
  JC_MASK,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_FLAGS,
  ST_JC,
  ST_TLB_OFF,
  ST_TLB_TAG,
} from "./state.js";
import { X } from "./wasm-ops.js";

/** Type index of region functions in every module the JIT makes. */
export const REGION_TYPE = 0;
/** Type index of the dispatcher's run(). */
export const RUN_TYPE = 1;

export const DISPATCHER_LOCALS: Locals = [
  [4, ValType.i32],
  [2, ValType.i64],
];

export function emitDispatcher(f: FnBody, stateBase: number): void {
  const PC = 0;
  const BUDGET = 1;
  const FCTX = 2;
  const DCTX = 3;
  // Parameter 4, the flags, is also in the state block (ST_FLAGS), where regions update it.
  const DONE = 5;
  const K = 6;
  const T = 7;
  const RO = 8;
  const VA = 9;
  const CF = 10;
  const s = (off: number) => stateBase + off;
  f.get(PC);
  f.op(Op.i64TruncF64S);
  f.set(VA);
  f.get(FCTX);
  f.op(Op.i64ExtendI32U);
  f.set(CF);
  f.block("miss");
  f.loop("next");
  // A misaligned PC faults: the interpreter's business.
  f.get(VA);
  f.op(Op.i32WrapI64);
  f.i32(3);
  f.op(Op.i32And);
  f.brIf("miss");
  // Fetch TLB hit (tag = page key * 1024 + context, as doubles).
  f.get(VA);
  f.i64(12);
  f.op(Op.i64ShrU);
  f.op(Op.i32WrapI64);
  f.i32(1023);
  f.op(Op.i32And);
  f.tee(T);
  f.i32(3);
  f.op(Op.i32Shl);
  f.mem(Op.f64Load, 3, s(ST_TLB_TAG));
  f.get(VA);
  f.i64(12);
  f.op(Op.i64ShrS);
  f.i64(10);
  f.op(Op.i64Shl);
  f.get(CF);
  f.op(Op.i64Add);
  f.op(X.f64ConvertI64S);
  f.op(X.f64Ne);
  f.brIf("miss");
  f.get(T);
  f.i32(2);
  f.op(Op.i32Shl);
  f.mem(Op.i32Load, 2, s(ST_TLB_OFF));
  f.get(VA);
  f.op(Op.i32WrapI64);
  f.i32(4095);
  f.op(Op.i32And);
  f.op(Op.i32Add);
  f.tee(RO);
  // Jump cache slot: jcSlot(ro) * 8.
  f.i32(2);
  f.op(Op.i32ShrU);
  f.get(RO);
  f.i32(2 + JC_BITS);
  f.op(Op.i32ShrU);
  f.op(Op.i32Xor);
  f.i32(JC_MASK);
  f.op(Op.i32And);
  f.i32(3);
  f.op(Op.i32Shl);
  f.tee(T);
  f.mem(Op.i32Load, 2, s(ST_JC));
  f.get(RO);
  f.op(Op.i32Ne);
  f.brIf("miss");
  f.get(VA);
  f.i64(-4096);
  f.op(Op.i64And);
  f.get(BUDGET);
  f.get(DONE);
  f.op(Op.i32Sub);
  f.get(DCTX);
  // The flags as the last region left them (a store-exclusive clears F_EXCLUSIVE).
  f.i32(0);
  f.mem(Op.i32Load, 2, s(ST_FLAGS));
  f.get(T);
  f.mem(Op.i32Load, 2, s(ST_JC + 4));
  f.callIndirect(REGION_TYPE);
  f.tee(K);
  f.get(DONE);
  f.op(Op.i32Add);
  f.set(DONE);
  f.i32(0);
  f.mem(Op.i64Load, 3, s(ST_EXIT_PC));
  f.set(VA);
  // A stop, nothing retired, or no budget left: back to JavaScript.
  f.i32(0);
  f.mem(Op.i32Load, 2, s(ST_EXIT_KIND));
  f.get(K);
  f.op(Op.i32Eqz);
  f.op(Op.i32Or);
  f.get(DONE);
  f.get(BUDGET);
  f.op(Op.i32GeS);
  f.op(Op.i32Or);
  f.if();
  f.get(DONE);
  f.op(Op.return);
  f.end();
  f.br("next");
  f.end(); // next
  f.end(); // miss
  f.i32(0);
  f.get(VA);
  f.mem(Op.i64Store, 3, s(ST_EXIT_PC));
  f.i32(0);
  f.i32(EXIT_MISS);
  f.mem(X.i32Store, 2, s(ST_EXIT_KIND));
  f.get(DONE);
}
