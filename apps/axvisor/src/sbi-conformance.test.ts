/**
 * SBI 2.0 suspend, SUSP and STA as a guest sees them: the sbi-test guest (validated against
 * QEMU 7.2 + OpenSBI for the parts OpenSBI 1.1 has) under the VMM, with the steal time fed by
 * the VMM's scheduler when two runnable vCPUs share one host hart.
 */
import { describe, expect, it } from "vitest";
import { ownGuestConfig, startTestVmm } from "./vmm/test-support/harness.js";

async function runSbiTest(harts: number, cpus: number): Promise<string> {
  const t = startTestVmm({ harts });
  try {
    const vm = t.vmm.createVm(ownGuestConfig({ guest: "sbi-test", cpus }));
    t.vmm.startVm(vm.id);
    const end = await t.waitEnd(1).catch((e) => {
      console.log(t.output.get(1), t.logs.join("\n"));
      throw e;
    });
    expect(end).toEqual({ kind: "poweroff", reason: 0 });
    return t.output.get(1) ?? "";
  } finally {
    await t.close();
  }
}

describe("SBI suspend, SUSP and STA under the VMM", () => {
  it("hart_suspend: every suspend_type class, retentive and non-retentive resume; SUSP to RAM", async () => {
    const out = await runSbiTest(1, 1);
    expect(out).not.toMatch(/FAIL/);
    for (const line of [
      "hsm: retentive hart_suspend wakes on the timer",
      "hsm: reserved and platform-specific suspend_types -> INVALID_PARAM",
      "hsm: resumed with a0 = hartid, a1 = opaque, satp = 0, sstatus.SIE = 0",
      "hsm: STARTED again after resuming",
      "susp: reserved sleep_type -> INVALID_PARAM",
      "susp: platform sleep_type -> INVALID_PARAM",
      "susp: resumed with a0 = hartid, a1 = opaque, satp = 0, sstatus.SIE = 0",
      "susp: woken by the timer",
      "sta: set_shmem zeroes exactly the 64-byte record",
      "sta: set_shmem(-1, -1) stops reporting",
    ]) {
      expect(out).toMatch(new RegExp(`ok \\d+ ${line.replace(/[()]/g, "\\$&")}`));
    }
    expect(out).toMatch(/SBI-TEST PASS \d+/);
  });

  it("STA: two spinning vCPUs on one host hart see steal time; on two harts they see none", async () => {
    const shared = await runSbiTest(1, 2);
    const own = await runSbiTest(2, 2);
    const steal = (out: string) => Number(/sta: steal (\d+) ns, sequence (\d+)/.exec(out)?.[1]);
    const seq = (out: string) => Number(/sta: steal \d+ ns, sequence (\d+)/.exec(out)?.[1]);
    // The boot vCPU waited while the other one had the only hart (how long depends on how
    // fast the other's slices run), published with an even, advanced sequence number.
    expect(steal(shared)).toBeGreaterThan(0);
    expect(seq(shared) % 2).toBe(0);
    expect(seq(shared)).toBeGreaterThan(0);
    expect(steal(own)).toBe(0);
  });
});
