// Records what the riscv64 JIT compiles during a run, for src/jit/compile-bench.ts.
// Load it before the program that runs the guest, e.g.
//   RECORD_COMPILES=/tmp/corpus.json node --import ./packages/cpu-riscv64/scripts/record-compiles.mjs \
//     tools/bench/dist/child.js '<vmm-boot job>'
// It wraps the JIT's batch compile (a private method: this is a development tool that follows
// jit.ts) to save each batch's entry points and the bytes of their pages, and prints the
// compile CPU time and region count at exit.
import { writeFileSync } from "node:fs";
import { Jit } from "../dist/jit/jit.js";

const file = process.env.RECORD_COMPILES;
const batches = [];
const jits = new Set();
let cpuUs = 0;
const compile = Jit.prototype.compilePending;
Jit.prototype.compilePending = function () {
  jits.add(this);
  if (file) {
    const r16 = this.h.r16;
    const pages = new Map();
    for (const ro of this.pending) {
      const p = ro >>> 12;
      if (!pages.has(p)) {
        const bytes = new Uint8Array(r16.buffer, r16.byteOffset + p * 4096, 4096);
        pages.set(p, Buffer.from(bytes).toString("base64"));
      }
    }
    batches.push({ entries: [...this.pending], pages: [...pages] });
  }
  const c0 = process.cpuUsage();
  compile.call(this);
  const c = process.cpuUsage(c0);
  cpuUs += c.user + c.system;
};
process.on("exit", () => {
  if (file) writeFileSync(file, JSON.stringify(batches));
  let regions = 0;
  let retired = 0;
  for (const j of jits) {
    regions += j.stats.regions;
    retired += j.stats.retired;
  }
  process.stderr.write(
    `record-compiles: ${regions} regions, compile CPU ${(cpuUs / 1000).toFixed(1)} ms, ` +
      `${retired} instructions retired by compiled code\n`,
  );
});
