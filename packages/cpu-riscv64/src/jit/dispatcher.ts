/**
 * The dispatcher: a small wasm function that chains compiled regions without returning to
 * JavaScript. From a PC it looks up the fetch TLB (the fetch checks were made when the entry
 * was filled), then the jump cache; on a hit it calls the region through the function table,
 * and repeats from the region's exit PC while regions end on control transfers and budget
 * remains. On a miss it returns to JS, which counts hotness, compiles, and calls it again.
 *
 * run(pc: f64, budget: i32, fetchCtx: i32, dataCtx: i32) -> retired: i32, with the exit PC
 * and EXIT_* kind in the state block.
 */
import {
  EXIT_MISS,
  JC_MASK,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_FOFF,
  ST_FTAG,
  ST_JC_KEY,
  ST_JC_VAL,
  TLB_MASK,
} from "../hart-state.js";
import { FnBody, Op, ValType } from "./wasm.js";

/** Type index of region functions (and of run) in every module the JIT makes. */
export const REGION_TYPE = 1;

export function dispatcherBody(stateBase: number): {
  body: FnBody;
  locals: [number, ValType][];
} {
  const f = new FnBody();
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
  const CF64 = 10;
  f.get(CF);
  f.op(Op.i64ExtendI32U);
  f.set(CF64);
  f.block("miss");
  f.loop("next");
  // fetch TLB: entry index * 4 in T
  f.get(PC);
  f.op(Op.i64TruncF64S);
  f.tee(VA);
  f.i64(12);
  f.op(Op.i64ShrU);
  f.op(Op.i32WrapI64);
  f.i32(TLB_MASK);
  f.op(Op.i32And);
  f.i32(2);
  f.op(Op.i32Shl);
  f.tee(T);
  f.i32(1);
  f.op(Op.i32Shl);
  f.mem(Op.f64Load, 3, stateBase + ST_FTAG);
  f.get(VA);
  f.i64(-4096);
  f.op(Op.i64And);
  f.get(CF64);
  f.op(Op.i64Or);
  f.op(Op.f64ConvertI64S);
  f.op(Op.f64Ne);
  f.brIf("miss");
  f.get(T);
  f.mem(Op.i32Load, 2, stateBase + ST_FOFF);
  f.get(VA);
  f.op(Op.i32WrapI64);
  f.i32(4095);
  f.op(Op.i32And);
  f.op(Op.i32Add);
  f.tee(RO);
  // jump cache
  f.i32(1);
  f.op(Op.i32ShrU);
  f.i32(JC_MASK);
  f.op(Op.i32And);
  f.i32(2);
  f.op(Op.i32Shl);
  f.tee(T);
  f.mem(Op.i32Load, 2, stateBase + ST_JC_KEY);
  f.get(RO);
  f.op(Op.i32Ne);
  f.brIf("miss");
  f.get(T);
  f.mem(Op.i32Load, 2, stateBase + ST_JC_VAL);
  f.set(V);
  f.get(PC);
  f.get(BUDGET);
  f.get(DONE);
  f.op(Op.i32Sub);
  f.get(CD);
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
  f.mem(Op.f64Load, 3, stateBase + ST_EXIT_PC);
  f.set(PC);
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
  f.get(PC);
  f.mem(Op.f64Store, 3, stateBase + ST_EXIT_PC);
  f.i32(0);
  f.i32(EXIT_MISS);
  f.mem(Op.i32Store, 2, stateBase + ST_EXIT_KIND);
  f.get(DONE);
  return {
    body: f,
    locals: [
      [5, ValType.i32],
      [2, ValType.i64],
    ],
  };
}
