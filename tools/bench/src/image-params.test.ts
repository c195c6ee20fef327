import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { instructionCount, readWorkloadParams, withIterations } from "./image-params.js";
import { workloadImage } from "./workloads.js";

/** A raw image with a parameter block at `at` (8-aligned): magic, iterations, per-iteration, fixed, 0. */
function rawImage(
  size: number,
  at: number,
  iterations: bigint,
  per: bigint,
  fixed: bigint,
): Uint8Array {
  const img = new Uint8Array(size);
  img.set(new TextEncoder().encode("AXBENCH1"), at);
  const v = new DataView(img.buffer);
  v.setBigUint64(at + 8, iterations, true);
  v.setBigUint64(at + 16, per, true);
  v.setBigUint64(at + 24, fixed, true);
  return img;
}

describe("workload parameter block", () => {
  it("reads the block of a raw image", () => {
    expect(readWorkloadParams(rawImage(256, 8, 1000n, 3n, 5n))).toEqual({
      offset: 8,
      iterations: 1000,
      perIteration: 3,
      fixed: 5,
    });
  });

  it("reads the committed workloads as their sources state (ELF and raw alike)", () => {
    for (const form of ["native", "guest"] as const) {
      const p = readWorkloadParams(readFileSync(workloadImage("intloop", form)));
      expect([p.iterations, p.perIteration, p.fixed]).toEqual([50_000_000, 3, 5]);
      const raw = readWorkloadParams(
        readFileSync(workloadImage("intloop", form).replace(/\.elf$/, ".bin")),
      );
      expect(raw.offset).toBe(8); // right after the 4-byte entry jump, 8-aligned
      expect(raw.iterations).toBe(50_000_000);
    }
    expect(
      readWorkloadParams(readFileSync(workloadImage("pagetable", "native"))).perIteration,
    ).toBe(7687);
    expect(readWorkloadParams(readFileSync(workloadImage("branchy", "guest"))).perIteration).toBe(
      37,
    );
  });

  it("patches the iteration count in a copy and leaves the original alone", () => {
    const img = rawImage(128, 16, 50n, 5n, 6n);
    const patched = withIterations(img, 123_456_789_012);
    expect(readWorkloadParams(patched).iterations).toBe(123_456_789_012);
    expect(readWorkloadParams(img).iterations).toBe(50);
    expect(patched.length).toBe(img.length);
    // Only the iteration word changed.
    const diff = [...patched].map((b, i) => (b !== img[i] ? i : -1)).filter((i) => i >= 0);
    expect(Math.min(...diff)).toBeGreaterThanOrEqual(24);
    expect(Math.max(...diff)).toBeLessThan(32);
  });

  it("patches a subarray view at its own offset", () => {
    const backing = new Uint8Array(512);
    backing.set(rawImage(256, 8, 7n, 3n, 5n), 128);
    const view = backing.subarray(128, 384);
    expect(readWorkloadParams(withIterations(view, 9)).iterations).toBe(9);
  });

  it("names the problem with a file that has no block, or two", () => {
    expect(() => readWorkloadParams(new Uint8Array(100))).toThrow(/no benchmark parameter block/);
    const two = rawImage(256, 8, 1n, 1n, 1n);
    two.set(rawImage(256, 8, 1n, 1n, 1n).subarray(0, 48), 64);
    expect(() => readWorkloadParams(two)).toThrow(/2 benchmark parameter blocks \(offsets 8, 72\)/);
  });

  it("refuses an iteration count that is not a positive integer", () => {
    const img = rawImage(64, 8, 1n, 1n, 1n);
    expect(() => withIterations(img, 0)).toThrow(/positive integer/);
    expect(() => withIterations(img, 1.5)).toThrow(/positive integer/);
  });

  it("counts instructions as iterations x per-iteration + fixed", () => {
    expect(instructionCount({ perIteration: 3, fixed: 5 }, 1_000_000_000)).toBe(3_000_000_005);
  });
});
