import { readFileSync } from "node:fs";
import { platforms } from "@axvisor/app";
import { describe, expect, it } from "vitest";
import { withIterations } from "./image-params.js";
import { type WorkloadName, workloadImage } from "./workloads.js";

/** Instructions the bare machine executes from reset until the workload powers off and parks. */
async function totalInstructions(
  name: WorkloadName,
  iterations: number,
): Promise<{ total: number; out: string }> {
  const data = withIterations(readFileSync(workloadImage(name, "native")), iterations);
  let out = "";
  const m = platforms.get("riscv64-qemu-virt").createEmuMachine({
    cpus: 1,
    memory: 64 * 1024 * 1024,
    machineProps: new Map(),
    devices: [],
    kernel: { name, data },
    drives: [],
    console: (b) => {
      out += new TextDecoder().decode(b);
    },
  });
  const exit = await m.run();
  expect(exit).toMatchObject({ kind: "poweroff", success: true });
  return { total: m.instructions, out };
}

/**
 * The per-iteration counts the workload sources derive by hand (see the comments in each .S
 * file): doubling the iterations must add exactly that many instructions per iteration.
 */
const PER_ITERATION: Record<WorkloadName, [iterations: number, perIteration: number]> = {
  intloop: [1000, 3],
  memloop: [1000, 5],
  branchy: [500, 37],
  pagetable: [3, 7687],
  exitloop: [1000, 3],
};

describe("workload instruction counts on the bare machine", () => {
  for (const [name, [k, per]] of Object.entries(PER_ITERATION) as [
    WorkloadName,
    [number, number],
  ][]) {
    it(`${name}: ${per} instructions per iteration, BENCH-START/BENCH-END printed`, async () => {
      const a = await totalInstructions(name, k);
      const b = await totalInstructions(name, 2 * k);
      expect(b.total - a.total).toBe(k * per);
      expect(a.out).toBe("BENCH-START\nBENCH-END\n");
    });
  }
});
