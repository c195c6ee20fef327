import { describe, expect, it } from "vitest";
import { linuxConfigProblem, vmConfigPath } from "../paths.js";
import { workloadImage } from "../workloads.js";
import { runVmmJob } from "./vmm.js";

describe("runVmmJob (guests under the hypervisor, in process)", () => {
  it("runs a guest-form workload in a VM and times it between the markers", async () => {
    const r = await runVmmJob({
      kind: "vmm-workload",
      image: workloadImage("intloop", "guest", "bin"),
      iterations: 10_000,
      timeoutMs: 30_000,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.figures.ms).toBeGreaterThanOrEqual(0);
    // 30 005 instructions between the markers, seen once per scheduler slice.
    expect(r.figures.counted).toBeGreaterThanOrEqual(0);
    expect(r.figures.counted).toBeLessThanOrEqual(30_005 + 300_000);
  });

  it("reports a workload that does not finish in time instead of hanging", async () => {
    const r = await runVmmJob({
      kind: "vmm-workload",
      image: workloadImage("intloop", "guest", "bin"),
      iterations: 1e12,
      timeoutMs: 500,
    });
    expect(r).toEqual({ ok: false, why: "timeout after 0.5 s (BENCH-START but no BENCH-END)" });
  });

  const linux = vmConfigPath("linux-riscv64-qemu-smp1.toml");
  it.skipIf(linuxConfigProblem(linux) !== undefined)(
    "says how a boot ended when the marker never came",
    async () => {
      const r = await runVmmJob({
        kind: "vmm-boot",
        config: linux,
        marker: "NO-SUCH-MARKER",
        timeoutMs: 300,
      });
      expect(r).toEqual({ ok: false, why: "timeout after 0.3 s (no NO-SUCH-MARKER)" });
    },
  );

  it("times a demo VM from creation to its first console byte", async () => {
    const r = await runVmmJob({ kind: "vmm-start", count: 2, timeoutMs: 30_000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.figures.firstMs).toBeGreaterThan(0);
    expect(r.figures.ms).toBeGreaterThanOrEqual(r.figures.firstMs!);
  });
});
