import { describe, expect, it } from "vitest";
import { PARALLEL_PER_ITERATION, runEmuParallel } from "./emu-parallel.js";

describe("the parallel workload job", () => {
  for (const threads of [1, 2] as const) {
    it(`runs both harts to the join on ${threads} thread(s) and counts their instructions`, async () => {
      const iterations = 200_000;
      const r = await runEmuParallel({ threads, iterations });
      expect(r.ok, r.ok ? "" : r.why).toBe(true);
      if (!r.ok) return;
      expect(r.figures.instructions).toBeGreaterThanOrEqual(
        2 * PARALLEL_PER_ITERATION * iterations,
      );
      expect(r.figures.ms).toBeGreaterThan(0);
      if (threads === 2) expect(r.figures.startup_ms).toBeGreaterThan(0);
    }, 30_000);
  }
});
