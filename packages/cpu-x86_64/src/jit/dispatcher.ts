/**
 * The dispatcher: a small wasm function that chains compiled regions without returning to
 * JavaScript. From the RIP in the state block it looks up the fetch TLB (the same entry and
 * tag the interpreter's fetch and X86Jit.run use), turns the hit into a RAM offset, and finds
 * the region for that RIP, offset and mode in the jump cache (layout.ts ST_JC); on a hit it
 * calls the region through the JIT's function table and repeats from the RIP the region left,
 * while regions end on control transfers and the instruction budget lasts. Everything else (a
 * TLB miss, code outside RAM, a region not in the cache, a side exit, budget spent) returns to
 * X86Jit.run with the reason in ST_CHAIN_EXIT, so hotness counting, compiling, the STI shadow
 * and the interpreter stay in one place.
 *
 * run(budget, tlbCtx, mode) -> retired, mode = CPL 3 (1) | VMX non-root (2). RFLAGS travel
 * in ST_FLAGS and RIP in ST_RIP on both sides of every region call, as for one region.
 *
 * Stale targets: the cache is keyed by linear RIP and RAM offset, and the offset comes from
 * the live fetch TLB at every hop, so a remapping (CR3 write, INVLPG, EPT change) finds
 * another offset or a TLB miss; a write to a code page purges that page's entries
 * (X86Jit.purgePage) in the same step that makes its blocks stale; the mode is part of the key.
 */
import { ModuleWriter, Op, ValType } from "@axvisor/machine";
import {
  JC_BITS,
  JC_HASH,
  ST_CHAIN_EXIT,
  ST_CHAIN_HOPS,
  ST_FLAGS,
  ST_JC,
  ST_RIP,
  ST_TLB_TAG,
  TLB_BITS,
  TLB_ENTRIES,
} from "./layout.js";
import { emitTlbRamOffset } from "./tlb-ram-offset.js";

/** The region left the budget to another region, or the next region is not in the cache. */
export const CHAIN_MISS = 0;
/** The last region stopped at an instruction the interpreter must run (its step-next bit). */
export const CHAIN_STEP = 1;
/** The budget is spent (or the next region cannot retire anything within it). */
export const CHAIN_STOP = 2;

/** Fetch TLB sets: ACC_FETCH * 2 + (CPL 3 ? 1 : 0) (cpu.ts). */
const FETCH_SET = 4;

/** Where things are for one CPU (a subset of codegen's JitTarget). */
export interface DispatchTarget {
  readonly pages: number;
  readonly state: number;
  readonly ramSize: number;
  readonly ramBase: number;
}

/** The dispatcher module for one CPU (imports env.mem and env.tab, exports run). */
export function dispatcherModule(t: DispatchTarget): Uint8Array {
  const type = {
    params: [ValType.i32, ValType.i32, ValType.i32],
    results: [ValType.i32],
  };
  const w = new ModuleWriter([type], [0], ["run"], t.pages, true);
  const P_BUDGET = 0;
  const P_CTX = 1;
  const P_MODE = 2;
  const DONE = 3;
  const R = 4;
  const TI = 5;
  const OFF = 6;
  const E = 7;
  const KEY = 8;
  const RIP = 9;
  const O64 = 10;
  const RIPF = 11;
  const f = w.beginFunction([
    [6, ValType.i32],
    [2, ValType.i64],
    [1, ValType.f64],
  ]);
  const st = t.state;
  /** Returns the instructions retired so far, saying why the chain ended. */
  const leave = (why: number): void => {
    f.i32(0);
    f.i32(why);
    f.mem(Op.i32Store, 2, st + ST_CHAIN_EXIT);
    f.get(DONE);
    f.op(Op.return);
  };
  f.block("miss");
  f.loop("next");
  // The fetch TLB entry of RIP's page: tags + ((set + user) * entries + (page & mask)) * 8.
  f.i32(0);
  f.mem(Op.f64Load, 3, st + ST_RIP);
  f.tee(RIPF);
  f.op(Op.i64TruncF64S);
  f.tee(RIP);
  f.i64(12);
  f.op(Op.i64ShrS);
  f.op(Op.i32WrapI64);
  f.i32(TLB_ENTRIES - 1);
  f.op(Op.i32And);
  f.get(P_MODE);
  f.i32(1);
  f.op(Op.i32And);
  f.i32(TLB_BITS);
  f.op(Op.i32Shl);
  f.op(Op.i32Add);
  f.i32(3);
  f.op(Op.i32Shl);
  f.i32(st + ST_TLB_TAG + FETCH_SET * TLB_ENTRIES * 8);
  f.op(Op.i32Add);
  f.tee(TI);
  f.mem(Op.f64Load, 3, 0);
  // tag = page * TLB_CONTEXTS + ctx
  f.get(RIP);
  f.i64(12);
  f.op(Op.i64ShrS);
  f.i64(6);
  f.op(Op.i64Shl);
  f.get(P_CTX);
  f.op(Op.i64ExtendI32U);
  f.op(Op.i64Add);
  f.op(Op.f64ConvertI64S);
  f.op(Op.f64Ne);
  f.brIf("miss");
  // RAM offset of RIP's byte; outside RAM: back to JS.
  emitTlbRamOffset(f, TI, RIP, t.ramBase);
  f.tee(O64);
  f.i64(t.ramSize);
  f.op(Op.i64GeU);
  f.brIf("miss");
  // The jump cache entry: the same RIP, offset and mode, or back to JS.
  f.get(O64);
  f.op(Op.i32WrapI64);
  f.tee(OFF);
  f.i32(JC_HASH);
  f.op(Op.i32Mul);
  f.i32(32 - JC_BITS);
  f.op(Op.i32ShrU);
  f.i32(4);
  f.op(Op.i32Shl);
  f.tee(E);
  f.mem(Op.i32Load, 2, st + ST_JC + 8);
  f.get(OFF);
  f.op(Op.i32Ne);
  f.brIf("miss");
  f.get(E);
  f.mem(Op.f64Load, 3, st + ST_JC);
  f.get(RIPF);
  f.op(Op.f64Ne);
  f.brIf("miss");
  f.get(E);
  f.mem(Op.i32Load, 2, st + ST_JC + 12);
  f.tee(KEY);
  f.i32(3);
  f.op(Op.i32And);
  f.get(P_MODE);
  f.op(Op.i32Ne);
  f.brIf("miss");
  f.i32(0);
  f.i32(0);
  f.mem(Op.i32Load, 2, st + ST_CHAIN_HOPS);
  f.i32(1);
  f.op(Op.i32Add);
  f.mem(Op.i32Store, 2, st + ST_CHAIN_HOPS);
  // The region: run(budget - done, ctx, rflags).
  f.get(P_BUDGET);
  f.get(DONE);
  f.op(Op.i32Sub);
  f.get(P_CTX);
  f.i32(0);
  f.mem(Op.i32Load, 2, st + ST_FLAGS);
  f.get(KEY);
  f.i32(2);
  f.op(Op.i32ShrU);
  f.callIndirect(0);
  f.tee(R);
  f.op(Op.i32Eqz);
  f.if();
  leave(CHAIN_STOP);
  f.end();
  f.get(DONE);
  f.get(R);
  f.i32(1);
  f.op(Op.i32ShrU);
  f.op(Op.i32Add);
  f.set(DONE);
  f.get(R);
  f.i32(1);
  f.op(Op.i32And);
  f.if();
  leave(CHAIN_STEP);
  f.end();
  f.get(DONE);
  f.get(P_BUDGET);
  f.op(Op.i32GeS);
  f.if();
  leave(CHAIN_STOP);
  f.end();
  f.br("next");
  f.end(); // loop
  f.end(); // miss
  leave(CHAIN_MISS);
  w.endFunction();
  return w.finish();
}
