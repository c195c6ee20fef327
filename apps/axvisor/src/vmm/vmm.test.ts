import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { defaultGuestOf } from "../platform/host-of.js";
import { platforms } from "../platforms/index.js";
import { ownGuestConfig, startTestVmm } from "./test-support/harness.js";

/** The built-in demo of the riscv64 platform, the guest these VMM tests run. */
const demo = () => defaultGuestOf(platforms.get("riscv64-qemu-virt"));
const defaultGuestConfig = () => demo().config;
function defaultGuestDisk(): BlockBacking {
  const disk = demo().disk;
  if (disk === undefined) throw new Error("the demo guest comes with its disk");
  return disk;
}

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

describe("guest-requested reset", () => {
  it("reboots the VM on an SRST cold reboot: fresh boot, same VM, no stop reported", async () => {
    const t = startTestVmm();
    try {
      const vm = t.vmm.createVm(defaultGuestConfig(), { disk: defaultGuestDisk() });
      t.vmm.startVm(vm.id);
      await t.waitFor(1, /DEMO-READY/);
      t.vmm.sendInput(1, "reboot\r");
      await t.waitFor(1, /rebooting[\s\S]*=== AxVisor\.ts demo guest[\s\S]*DEMO-READY/);
      expect(vm.restarts).toBe(1);
      expect(vm.status).toBe("Running");
      expect(t.ends.has(1)).toBe(false);
      // The rebooted guest works, and its second hart came up again through HSM.
      const after = (t.output.get(1) ?? "").split("rebooting")[1] ?? "";
      expect(after).toMatch(/hart 1: online/);
      t.vmm.sendInput(1, "poweroff\r");
      expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
    } finally {
      await t.close();
    }
  });
});

describe("two VMs at once", () => {
  it("have separate consoles, and stopping one leaves the other running", async () => {
    const t = startTestVmm({ harts: 1 });
    try {
      for (const id of [1, 2]) {
        const base = defaultGuestConfig();
        const vm = t.vmm.createVm(
          { ...base, base: { ...base.base, id, name: `demo${id}` } },
          { disk: defaultGuestDisk() },
        );
        t.vmm.startVm(vm.id);
      }
      await t.waitFor(1, /DEMO-READY/);
      await t.waitFor(2, /DEMO-READY/);
      t.vmm.sendInput(1, "echo one\r");
      t.vmm.sendInput(2, "echo two\r");
      await t.waitFor(1, /\r?\none\r?\n/);
      await t.waitFor(2, /\r?\ntwo\r?\n/);
      expect(t.output.get(1)).not.toContain("two");
      expect(t.output.get(2)).not.toContain("one");

      t.vmm.stopVm(1);
      expect(t.vmm.vm(1).status).toBe("Stopped");
      expect(t.ends.get(1)).toEqual({ kind: "stopped" });
      const frozen = t.output.get(1);
      t.vmm.sendInput(2, "uptime\r");
      await t.waitFor(2, /up \d+ ms, \d+ timer ticks/);
      expect(t.vmm.vm(2).status).toBe("Running");
      expect(t.output.get(1)).toBe(frozen);
    } finally {
      await t.close();
    }
  });
});

describe("misbehaving guests", () => {
  it("get the faults and SBI errors hardware would give, while another VM keeps running", async () => {
    const t = startTestVmm();
    try {
      const demo = t.vmm.createVm(
        { ...defaultGuestConfig(), base: { ...defaultGuestConfig().base, id: 2 } },
        { disk: defaultGuestDisk() },
      );
      t.vmm.startVm(demo.id);
      await t.waitFor(2, /DEMO-READY/);
      const bad = t.vmm.createVm(
        ownGuestConfig({
          guest: "fault-test",
          devices: [
            {
              name: "uart",
              baseGpa: 0x1000_0000,
              length: 0x100,
              irqId: 10,
              emuType: EmulatedDeviceType.Console,
              cfgList: [],
            },
          ],
        }),
      );
      t.vmm.startVm(bad.id);
      const end = await t.waitEnd(1);
      const out = t.output.get(1) ?? "";
      expect(out).toMatch(/FAULT-TEST PASS 15/);
      expect(out).not.toMatch(/FAIL/);
      expect(end).toEqual({ kind: "poweroff", reason: 0 });
      // The five bad accesses and the jump reached the VM as guest faults, each logged.
      expect(bad.axvm.guestFaultCount).toBe(6);
      expect(
        t.logs.filter((l) => l.includes('VM 1 "fault-test" vCPU 0') && l.includes("-> injected")),
      ).toHaveLength(6);
      // The other VM never noticed.
      t.vmm.sendInput(2, "echo still-here\r");
      await t.waitFor(2, /\r?\nstill-here\r?\n/);
      expect(t.vmm.vm(2).status).toBe("Running");
    } finally {
      await t.close();
    }
  });
});

describe("a host-side failure", () => {
  it("stops only the VM it happened in; the hart goes on running the others", async () => {
    const t = startTestVmm({ harts: 1 });
    try {
      const demo = t.vmm.createVm(
        { ...defaultGuestConfig(), base: { ...defaultGuestConfig().base, id: 2 } },
        { disk: defaultGuestDisk() },
      );
      t.vmm.startVm(demo.id);
      await t.waitFor(2, /DEMO-READY/);
      const bad = t.vmm.createVm(ownGuestConfig({ guest: "fault-test" }));
      // A device model with a bug (not a guest-visible refusal) where the guest reads first.
      bad.axvm.devices.addMmioDevice(
        {
          emuType: () => EmulatedDeviceType.Dummy,
          addressRange: () => ({ start: gpa(0x4000_0000), end: gpa(0x4000_1000) }),
          handleRead: () => {
            throw new TypeError("model bug");
          },
          handleWrite: () => {
            throw new TypeError("model bug");
          },
        },
        "buggy",
      );
      t.vmm.startVm(bad.id);
      const end = await t.waitEnd(1);
      expect(end.kind).toBe("crashed");
      expect(end.kind === "crashed" && end.message).toMatch(
        /^vCPU 0 on hart 0 at pc 0x[0-9a-f]+: .*model bug/,
      );
      expect(t.logs.some((l) => l.includes('ERROR axvisor::vmm] VM 1 "fault-test" failed'))).toBe(
        true,
      );
      t.vmm.sendInput(2, "echo survived\r");
      await t.waitFor(2, /\r?\nsurvived\r?\n/);
      // The crashed VM can be deleted and its resources are given back.
      t.vmm.deleteVm(1);
      expect(t.vmm.vms.map((v) => v.id)).toEqual([2]);
    } finally {
      await t.close();
    }
  });
});

describe("inter-VM communication (hypercalls 3-6)", () => {
  it("shares a page between a publisher and a subscriber VM and frees it afterwards", async () => {
    const t = startTestVmm({ harts: 2 });
    try {
      const ivc = { gpa: 0x9000_0000, size: 0x10_0000 };
      const pub = t.vmm.createVm(
        ownGuestConfig({ guest: "ivc-test", id: 1, name: "pub", cmdline: "ivc.role=pub", ivc }),
      );
      const sub = t.vmm.createVm(
        ownGuestConfig({ guest: "ivc-test", id: 2, name: "sub", cmdline: "ivc.role=sub", ivc }),
      );
      t.vmm.startVm(sub.id);
      t.vmm.startVm(pub.id);
      expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
      expect(await t.waitEnd(2)).toEqual({ kind: "poweroff", reason: 0 });
      expect(t.output.get(1)).toMatch(
        /IVC-PUBLISHED at 0x90000000, 4096 bytes[\s\S]*IVC-TEST PASS 6/,
      );
      expect(t.output.get(2)).toMatch(
        /IVC-SUBSCRIBED at 0x90000000, 4096 bytes[\s\S]*IVC-TEST PASS 5/,
      );
      expect(t.vmm.ivc.size).toBe(0);
      // With both VMs gone every host frame is free again: the channel's page was not leaked.
      t.vmm.deleteVm(1);
      t.vmm.deleteVm(2);
      expect(t.machine.memory.stats().used).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe("placement", () => {
  it("runs a vCPU only on the harts its phys_cpu_sets allows", async () => {
    const t = startTestVmm({ harts: 2 });
    try {
      const config = ownGuestConfig({ guest: "demo" });
      config.base.physCpuSets = [0b10];
      const vm = t.vmm.createVm(config);
      t.vmm.startVm(vm.id);
      await t.waitFor(1, /DEMO-READY/);
      expect(vm.slots[0]?.lastHart).toBe(1);
      const bad = ownGuestConfig({ guest: "demo", id: 2 });
      bad.base.physCpuSets = [0b100];
      expect(() => t.vmm.createVm(bad)).toThrow(
        'VM 2 "demo": phys_cpu_sets[0] = 0x4 names no hart of this host (it has 2; use --cpus)',
      );
    } finally {
      await t.close();
    }
  });
});
