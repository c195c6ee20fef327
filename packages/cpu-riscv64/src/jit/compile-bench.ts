/**
 * Compile micro-benchmark: replays the batches of region entry points a real run compiled
 * (recorded with scripts/record-compiles.mjs) through region planning, module writing,
 * `new WebAssembly.Module` and `new WebAssembly.Instance`, exactly as the JIT does them, and
 * prints the cost of each step per region and the wasm bytes per guest instruction.
 * A measurement script, not a test:
 *
 *   node dist/jit/compile-bench.js corpus.json [rounds]
 *
 * Round 0 runs on cold JavaScript (as the first compiles of a boot do); later rounds show the
 * warmed-up cost. Each round uses another state block address, so V8's cache of compiled
 * modules (keyed by their bytes) never answers instead of the compiler.
 */
import { readFileSync } from "node:fs";
import { Bytes, wasmApi } from "@axvisor/machine";
import { planRegion, type RegionPlan } from "./region.js";
import { writeRegionModule } from "./region-module.js";

/** One compile batch: RAM offsets of its entry points and the RAM pages (base64) they are in. */
interface RecordedBatch {
  readonly entries: readonly number[];
  readonly pages: readonly (readonly [number, string])[];
}

const MEMORY_PAGES = 64;
const STATE_STRIDE = 65536;

function cpuMs(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1000;
}

function main(): void {
  const [file, roundsArg] = process.argv.slice(2);
  if (file === undefined) {
    console.error("usage: compile-bench <corpus.json> [rounds]");
    process.exit(2);
  }
  const batches = JSON.parse(readFileSync(file, "utf8")) as RecordedBatch[];
  const rounds = Number(roundsArg ?? 5);
  // Every recorded page, by RAM page number, as halfwords.
  const pages = new Map<number, Uint16Array>();
  for (const b of batches) {
    for (const [p, data] of b.pages) {
      const bytes = Buffer.from(data, "base64");
      pages.set(p, new Uint16Array(bytes.buffer, bytes.byteOffset, 2048));
    }
  }
  const api = wasmApi;
  if (api === undefined) {
    console.error("compile-bench: this host has no WebAssembly");
    process.exit(2);
  }
  const memory = new api.Memory({
    initial: MEMORY_PAGES,
    maximum: MEMORY_PAGES,
    shared: true,
  });
  const out = new Bytes();
  console.log(`${batches.length} batches, ${pages.size} pages`);
  for (let r = 0; r < rounds; r++) {
    const stateBase = (r % (MEMORY_PAGES / 2)) * STATE_STRIDE;
    let planMs = 0;
    let writeMs = 0;
    let moduleMs = 0;
    let instanceMs = 0;
    let regions = 0;
    let insns = 0;
    let bytes = 0;
    const c0 = process.cpuUsage();
    for (const b of batches) {
      let t = performance.now();
      const plans: RegionPlan[] = [];
      const covered = new Set<number>();
      for (const ro of b.entries) {
        if (covered.has(ro)) continue;
        const page = pages.get(ro >>> 12);
        if (page === undefined) throw new Error(`corpus: no page for entry 0x${ro.toString(16)}`);
        const plan = planRegion((off) => page[off >>> 1]!, ro & 4095, 256);
        if (plan === undefined) continue;
        for (const blk of plan.blocks) {
          covered.add(ro - (ro & 4095) + blk.start);
          insns += blk.insns.length;
        }
        plans.push(plan);
      }
      if (plans.length === 0) continue;
      planMs += performance.now() - t;
      t = performance.now();
      const wasm = writeRegionModule(
        plans,
        { stateBase, pages: MEMORY_PAGES, registersInLocals: false },
        out,
      );
      writeMs += performance.now() - t;
      t = performance.now();
      const mod = new api.Module(wasm);
      moduleMs += performance.now() - t;
      t = performance.now();
      new api.Instance(mod, { env: { mem: memory } });
      instanceMs += performance.now() - t;
      regions += plans.length;
      bytes += wasm.length;
    }
    const cpu = cpuMs(c0);
    const per = (ms: number) => ((ms * 1000) / regions).toFixed(1);
    console.log(
      `round ${r}: ${regions} regions, ${insns} insns, ${bytes} B (${(bytes / insns).toFixed(1)} B/insn); ` +
        `per region: plan ${per(planMs)} us, write ${per(writeMs)} us, Module ${per(moduleMs)} us, ` +
        `Instance ${per(instanceMs)} us, total CPU ${per(cpu)} us`,
    );
  }
}

main();
