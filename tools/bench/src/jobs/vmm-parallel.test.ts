import { describe, expect, it } from "vitest";
import { PARALLEL_PER_ITERATION } from "./emu-parallel.js";
import { runVmmParallel } from "./vmm-parallel.js";

describe("the parallel guest job under the hypervisor", () => {
  for (const threads of [1, 2] as const) {
    it(`runs both vCPUs to the guest's PASS and power-off with --threads ${threads}`, async () => {
      const iterations = 1_000_000;
      const r = await runVmmParallel({ threads, iterations, timeoutMs: 30_000 });
      expect(r.ok, r.ok ? "" : r.why).toBe(true);
      if (!r.ok) return;
      expect(r.figures.instructions).toBeGreaterThanOrEqual(
        2 * PARALLEL_PER_ITERATION * iterations,
      );
      expect(r.figures.ms).toBeGreaterThan(0);
      if (threads === 2) expect(r.figures.startup_ms).toBeGreaterThan(0);
    }, 40_000);
  }
});
