/**
 * The module a batch of regions is compiled into: the shared mulhu helper as function 0, then
 * one exported function per region (`regionExport(k)` for the k-th). Kept apart from the JIT's
 * bookkeeping so the compile micro-benchmark (compile-bench.ts) writes exactly what the JIT
 * writes.
 */

import { type Bytes, ModuleWriter, ValType } from "@axvisor/machine";
import { emitMulhu, MULHU_LOCALS, RegionEmitter } from "./codegen.js";
import { REGION_TYPE } from "./dispatcher.js";
import { hasSelfLoop, type RegionPlan } from "./region.js";

/** Function types of every JIT module (the dispatcher's module uses the same list). */
export const JIT_TYPES = [
  // mulhu helper
  { params: [ValType.i64, ValType.i64], results: [ValType.i64] },
  // region: (page base, budget, data context << 4, entry block) -> retired
  { params: [ValType.i64, ValType.i32, ValType.i64, ValType.i32], results: [ValType.i32] },
  // dispatcher run: (pc, budget, fetch context, data context) -> retired
  { params: [ValType.f64, ValType.i32, ValType.i32, ValType.i32], results: [ValType.i32] },
];

export interface RegionModuleOptions {
  /** Where the hart's state block is in the wasm memory. */
  readonly stateBase: number;
  /** Pages of the imported wasm memory. */
  readonly pages: number;
  /** Registers in wasm locals in every region (else only in regions with a self loop). */
  readonly registersInLocals: boolean;
}

const exportNames: string[] = [];

/** The export name of the k-th region of a module (made once per k). */
export function regionExport(k: number): string {
  while (exportNames.length <= k) exportNames.push(`r${exportNames.length}`);
  return exportNames[k]!;
}

/** Writes the module of `plans` into `out` (reused between batches); returns its bytes. */
export function writeRegionModule(
  plans: readonly RegionPlan[],
  opts: RegionModuleOptions,
  out: Bytes,
): Uint8Array {
  const types: number[] = [0];
  const names: (string | undefined)[] = [undefined];
  for (let k = 0; k < plans.length; k++) {
    types.push(REGION_TYPE);
    names.push(regionExport(k));
  }
  const w = new ModuleWriter(JIT_TYPES, types, names, opts.pages, false, out);
  emitMulhu(w.beginFunction(MULHU_LOCALS));
  w.endFunction();
  for (const plan of plans) {
    const regsInLocals = opts.registersInLocals || hasSelfLoop(plan);
    const em = new RegionEmitter(plan, { stateBase: opts.stateBase, regsInLocals });
    em.emit(w.beginFunction(em.locals));
    w.endFunction();
  }
  return w.finish();
}
