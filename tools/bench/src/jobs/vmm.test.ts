import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linuxConfigProblem, vmConfigPath } from "../paths.js";
import { workloadImage } from "../workloads.js";
import { PARALLEL_PER_ITERATION } from "./emu-parallel.js";
import { runVmmJob } from "./vmm.js";
import { PARALLEL_GUEST, parallelGuestToml } from "./vmm-parallel.js";

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

  for (const threads of [1, 2]) {
    it(`boots a 2-vCPU VM to its marker with threads ${threads}, counting both vCPUs' instructions`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "axvisor-boot-"));
      try {
        const config = join(dir, "parallel.toml");
        const iterations = 200_000;
        writeFileSync(config, parallelGuestToml(PARALLEL_GUEST, iterations));
        const r = await runVmmJob({
          kind: "vmm-boot",
          config,
          marker: "PARALLEL-TEST PASS",
          timeoutMs: 30_000,
          threads,
        });
        expect(r.ok, r.ok ? "" : r.why).toBe(true);
        if (!r.ok) return;
        expect(r.figures.ms).toBeGreaterThan(0);
        // Both vCPUs ran the loop before the guest printed PASS.
        expect(r.figures.instructions).toBeGreaterThanOrEqual(
          2 * PARALLEL_PER_ITERATION * iterations,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 40_000);
  }

  it("says why a VM cannot run on more threads than the host has CPUs", async () => {
    // A one-vCPU VM from the repository's own guest (no images of ../shared needed): the
    // refusal comes before it runs.
    const twoVcpus = "cpu_num = 2\nphys_cpu_ids = [0, 1]\nphys_cpu_sets = [1, 2]";
    const toml = parallelGuestToml(PARALLEL_GUEST, 1);
    expect(toml).toContain(twoVcpus);
    const dir = mkdtempSync(join(tmpdir(), "axvisor-refuse-"));
    try {
      const config = join(dir, "one-vcpu.toml");
      writeFileSync(
        config,
        toml.replace(twoVcpus, "cpu_num = 1\nphys_cpu_ids = [0]\nphys_cpu_sets = [1]"),
      );
      const r = await runVmmJob({
        kind: "vmm-boot",
        config,
        marker: "PARALLEL-TEST PASS",
        timeoutMs: 1_000,
        threads: 2,
      });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.why).toContain("--threads 2: the host has only 1 CPUs");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
