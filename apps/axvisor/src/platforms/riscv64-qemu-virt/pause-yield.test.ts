import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ownGuestConfig, startTestVmm } from "../../vmm/test-support/harness.js";
import { SPIN_WAIT_GUEST } from "../../vmm/test-support/spin-wait-guest.js";

const dir = mkdtempSync(join(tmpdir(), "axvisor-pause-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a vCPU spinning with PAUSE while its VM's vCPUs share the scheduler's thread", () => {
  it("gives the thread back at each PAUSE instead of spinning out its slices", async () => {
    const bin = join(dir, "spin-wait.bin");
    writeFileSync(bin, new Uint8Array(SPIN_WAIT_GUEST.buffer));
    const base = ownGuestConfig({ guest: "demo", name: "spin-wait", cpus: 2 });
    const config = { ...base, kernel: { ...base.kernel, kernelPath: bin } };
    const t = startTestVmm({ harts: 2 });
    try {
      t.vmm.createVm(config);
      t.vmm.startVm(1);
      expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
      const stats = t.vmm.vm(1).stats;
      // Hart 1 did its 600 000 instructions over several slices; hart 0, waiting all that
      // time, retired a few instructions per slice (a load, a branch, the PAUSE, the jump)
      // where it used to spin through whole slices of 100 000.
      expect(stats.vcpu(1).instructions).toBeGreaterThan(600_000);
      expect(stats.vcpu(0).instructions).toBeLessThan(1_000);
    } finally {
      await t.close();
    }
  });
});
