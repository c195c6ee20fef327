import { describe, expect, it } from "vitest";
import { type Measurement, measure, measureInterleaved, skipped } from "./measure.js";

describe("measure", () => {
  it("runs N times and summarises the values", async () => {
    const values = [12, 10, 11];
    const m = await measure(3, async (i) => ({ ok: true, value: values[i]!, detail: { ms: i } }));
    expect(m.values).toEqual([12, 10, 11]);
    expect(m.summary).toEqual({ runs: 3, min: 10, median: 11, max: 12 });
    expect(m.details).toEqual([{ ms: 0 }, { ms: 1 }, { ms: 2 }]);
    expect(m.failed).toBeUndefined();
  });

  it("stops at the first failing run and reports no figure", async () => {
    let calls = 0;
    const seen: Measurement[] = [];
    const m = await measure(
      5,
      async (i) => {
        calls++;
        return i === 1
          ? { ok: false, why: "timeout after 150 s (no GUEST-INIT-OK)" }
          : { ok: true, value: 1 };
      },
      (_, r) => seen.push(r),
    );
    expect(calls).toBe(2);
    expect(seen).toHaveLength(2);
    expect(m.summary).toBeUndefined();
    expect(m.values).toEqual([1]);
    expect(m.failed).toBe("timeout after 150 s (no GUEST-INIT-OK)");
  });

  it("turns a thrown error and a non-finite value into failures", async () => {
    const thrown = await measure(3, async () => {
      throw new Error("cannot read image");
    });
    expect(thrown.failed).toBe("cannot read image");
    const nan = await measure(3, async () => ({ ok: true, value: Number.NaN }));
    expect(nan.failed).toMatch(/NaN/);
    expect(nan.summary).toBeUndefined();
  });

  it("rejects a run count below one", async () => {
    await expect(measure(0, async () => ({ ok: true, value: 1 }))).rejects.toThrow(/runs/);
  });

  it("describes a benchmark that did not run", () => {
    expect(skipped("qemu-system-riscv64 is not installed")).toMatchObject({
      skipped: "qemu-system-riscv64 is not installed",
      failed: undefined,
      summary: undefined,
    });
  });
});

describe("measureInterleaved", () => {
  it("runs round by round and drops a benchmark after its failure", async () => {
    const order: string[] = [];
    const [a, b, c] = await measureInterleaved(3, [
      async (i) => {
        order.push(`a${i}`);
        return { ok: true, value: 10 + i };
      },
      async (i) => {
        order.push(`b${i}`);
        return i === 0 ? { ok: true, value: 1 } : { ok: false, why: "timeout" };
      },
      async (i) => {
        order.push(`c${i}`);
        return { ok: true, value: 5 };
      },
    ]);
    expect(order).toEqual(["a0", "b0", "c0", "a1", "b1", "c1", "a2", "c2"]);
    expect(a!.summary).toEqual({ runs: 3, min: 10, median: 11, max: 12 });
    expect(b!).toMatchObject({ values: [1], summary: undefined, failed: "timeout" });
    expect(c!.summary?.median).toBe(5);
  });
});
