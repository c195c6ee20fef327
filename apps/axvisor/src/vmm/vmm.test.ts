import { describe, expect, it } from "vitest";
import { defaultGuestConfig, defaultGuestDisk } from "./default-guest.js";
import { ownGuestConfig, startTestVmm } from "./test-support/harness.js";

describe("the demo guest under the VMM", () => {
  it("boots to DEMO-READY, starts its second hart, reads its disk and answers echo", async () => {
    const t = startTestVmm();
    try {
      const vm = t.vmm.createVm(defaultGuestConfig(), { disk: defaultGuestDisk() });
      t.vmm.startVm(vm.id);
      const boot = await t.waitFor(1, /DEMO-READY/);
      expect(boot).toMatch(/SBI v2\.0/);
      expect(boot).toMatch(/timer interrupt: first tick/);
      expect(boot).toMatch(/IPI delivered to hart 0/);
      expect(boot).toMatch(/hart 1: online/);
      // Sector 0 starts with "AxVi" and ends with the 55 aa signature.
      expect(boot).toMatch(/disk sector 0 read: 41 78 56 69 \.\.\. 55 aa/);
      t.vmm.sendInput(1, "echo hi\r");
      const after = await t.waitFor(1, /echo hi\r?\n\r?hi\r?\n/);
      expect(after).toContain("demo> ");
    } finally {
      await t.close();
    }
  });
});

describe("the SBI conformance guest", () => {
  for (const cpus of [1, 2]) {
    it(`passes every check with ${cpus} vCPU(s) and powers off with reason 0`, async () => {
      const t = startTestVmm({ harts: cpus });
      try {
        const vm = t.vmm.createVm(ownGuestConfig({ guest: "sbi-test", cpus }));
        t.vmm.startVm(vm.id);
        const end = await t.waitEnd(1);
        const out = t.output.get(1) ?? "";
        expect(out).toMatch(/SBI-TEST PASS \d+/);
        expect(out).not.toMatch(/FAIL/);
        if (cpus === 2) expect(out).toMatch(/hsm: secondary got a0 = hartid, a1 = opaque/);
        expect(end).toEqual({ kind: "poweroff", reason: 0 });
      } finally {
        await t.close();
      }
    });
  }
});
