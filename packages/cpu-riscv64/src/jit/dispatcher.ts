/**
 * The dispatcher: a small wasm function that chains compiled regions without returning to
 * JavaScript. From a PC it looks up the fetch TLB records (the fetch checks were made when an
 * entry was filled), then the jump cache; on a hit it calls the region through the function
 * table, and repeats from the region's exit PC while regions end on control transfers and
 * budget remains. On a miss it returns to JS, which counts hotness, compiles, and calls it
 * again.
 *
 * run(pc: f64, budget: i32, fetchCtx: i32, dataCtx: i32) -> retired: i32, with the exit PC
 * (i64) and EXIT_* kind in the state block.
 */

import { type FnBody, type Locals, Op, ValType } from "@axvisor/machine";
import {
  EXIT_MISS,
  JC_FOLD,
  JC_MASK,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_FREC,
  ST_JC,
} from "../hart-state.js";
import { emitTlbRecordOffset } from "./tlb-index.js";

/** Type index of region functions in every module the JIT makes. */
export const REGION_TYPE = 1;
/** Type index of the dispatcher's run(). */
export const RUN_TYPE = 2;

export const DISPATCHER_LOCALS: Locals = [
  [5, ValType.i32],
  [3, ValType.i64],
];

export function emitDispatcher(f: FnBody, stateBase: number): void {
  const PC = 0;
  const BUDGET = 1;
  const CF = 2;
  const CD = 3;
  const DONE = 4;
  const T = 5;
  const RO = 6;
  const K = 7;
  const V = 8;
  const VA = 9;
  const CF4 = 10;
  const CD4 = 11;
  const frec = stateBase + ST_FREC;
  f.get(CF);
  f.i32(4);
  f.op(Op.i32Shl);
  f.op(Op.i64ExtendI32U);
  f.set(CF4);
  f.get(CD);
  f.i32(4);
  f.op(Op.i32Shl);
  f.op(Op.i64ExtendI32U);
  f.set(CD4);
  f.get(PC);
  f.op(Op.i64TruncF64S);
  f.set(VA);
  f.block("miss");
  f.loop("next");
  // fetch TLB record: index * 16 in T
  f.get(VA);
  emitTlbRecordOffset(f);
  f.tee(T);
  f.mem(Op.i64Load, 3, frec);
  f.get(VA);
  f.i64(-4096);
  f.op(Op.i64And);
  f.get(CF4);
  f.op(Op.i64Or);
  f.op(Op.i64Ne);
  f.brIf("miss");
  f.get(T);
  f.mem(Op.i32Load, 2, frec + 8);
  f.get(VA);
  f.op(Op.i32WrapI64);
  f.i32(4095);
  f.op(Op.i32And);
  f.op(Op.i32Add);
  f.tee(RO);
  // jump cache slot: jcSlot(ro)
  f.i32(1);
  f.op(Op.i32ShrU);
  f.tee(T);
  f.get(T);
  f.i32(JC_FOLD);
  f.op(Op.i32ShrU);
  f.op(Op.i32Xor);
  f.i32(JC_MASK);
  f.op(Op.i32And);
  f.i32(3);
  f.op(Op.i32Shl);
  f.tee(T);
  f.mem(Op.i32Load, 2, stateBase + ST_JC);
  f.get(RO);
  f.op(Op.i32Ne);
  f.brIf("miss");
  f.get(T);
  f.mem(Op.i32Load, 2, stateBase + ST_JC + 4);
  f.set(V);
  f.get(VA);
  f.i64(-4096);
  f.op(Op.i64And);
  f.get(BUDGET);
  f.get(DONE);
  f.op(Op.i32Sub);
  f.get(CD4);
  f.get(V);
  f.i32(255);
  f.op(Op.i32And);
  f.get(V);
  f.i32(8);
  f.op(Op.i32ShrU);
  f.callIndirect(REGION_TYPE);
  f.tee(K);
  f.get(DONE);
  f.op(Op.i32Add);
  f.set(DONE);
  f.i32(0);
  f.mem(Op.i64Load, 3, stateBase + ST_EXIT_PC);
  f.set(VA);
  // a side exit, nothing retired, or no budget left: back to JS
  f.i32(0);
  f.mem(Op.i32Load, 2, stateBase + ST_EXIT_KIND);
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
  f.end(); // loop
  f.end(); // miss
  f.i32(0);
  f.get(VA);
  f.mem(Op.i64Store, 3, stateBase + ST_EXIT_PC);
  f.i32(0);
  f.i32(EXIT_MISS);
  f.mem(Op.i32Store, 2, stateBase + ST_EXIT_KIND);
  f.get(DONE);
}
