/**
 * The aarch64 demo guest (guests/aarch64/demo) under the hypervisor: the CI-cheap test of the
 * aarch64 VMM. It boots with a vGICv3 and with a vGICv2 (PSCI CPU_ON for vCPU 1, virtual
 * timer ticks, SGIs between vCPUs, the PL011 by interrupt, virtio-blk), its shell is driven
 * through the console, two demo VMs run at once, one stopped while the other goes on, and
 * the board's PL011 is passed through with its interrupt forwarded.
 */

import { gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { startTestVmm, type TestVmm } from "../../vmm/test-support/harness.js";
import { armDefaultGuestConfig, armDefaultGuestDisk } from "./default-guest.js";
import type { ArmHostBoard } from "./host-board.js";

const PLATFORM = "aarch64-qemu-virt";

function demo(id: number, gic: 2 | 3) {
  const base = armDefaultGuestConfig(undefined, gic);
  return { ...base, base: { ...base.base, id, name: `demo${id}` } };
}

async function driveShell(t: TestVmm, id: number, gic: 2 | 3): Promise<void> {
  const boot = await t.waitFor(id, /DEMO-READY/, 60_000);
  expect(boot).toMatch(/PSCI v1\.1 over hvc/);
  expect(boot).toContain(`GICv${gic}: distributor at 0x8000000`);
  expect(boot).toMatch(/timer interrupt: first tick after \d+ us/);
  expect(boot).toContain("IPI delivered to CPU 0 (count 1)");
  expect(boot).toContain("CPU 1 (MPIDR 0x1): online");
  expect(boot).toContain("disk sector 0 read: 41 78 56 69 ... 55 aa");
  t.vmm.sendInput(id, "info\r");
  await t.waitFor(id, /CPUs: 2 in device tree, 2 online; timer 62500000 Hz/);
  t.vmm.sendInput(id, "ipi 1\r");
  await t.waitFor(id, /IPI delivered to CPU 1 \(count 1\)/);
  t.vmm.sendInput(id, "blk 0\r");
  await t.waitFor(id, /0000: 41 78 56 69 73 6f 72 2e 74 73 20 64 65 6d 6f 20/);
  t.vmm.sendInput(id, "uptime\r");
  await t.waitFor(id, /up \d+ ms, [1-9]\d* timer ticks/);
}

describe("the aarch64 demo guest under the VMM", () => {
  for (const gic of [3, 2] as const) {
    it(`boots with a vGICv${gic}, starts its second vCPU, takes SGIs, reads its disk, powers off`, async () => {
      const config = demo(1, gic);
      const t = startTestVmm({ platform: PLATFORM, vms: [config] });
      try {
        t.vmm.startVm(t.vmm.createVm(config, { disk: armDefaultGuestDisk() }).id);
        await driveShell(t, 1, gic);
        t.vmm.sendInput(1, "poweroff\r");
        expect(await t.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
      } finally {
        await t.close();
      }
    }, 120_000);
  }

  it("runs two VMs at once; stopping one leaves the other running", async () => {
    const configs = [demo(1, 3), demo(2, 3)];
    const t = startTestVmm({ platform: PLATFORM, vms: configs, harts: 2 });
    try {
      for (const c of configs) {
        t.vmm.startVm(t.vmm.createVm(c, { disk: armDefaultGuestDisk() }).id);
      }
      await t.waitFor(1, /DEMO-READY/, 60_000);
      await t.waitFor(2, /DEMO-READY/, 60_000);
      t.vmm.sendInput(1, "echo one\r");
      t.vmm.sendInput(2, "echo two\r");
      await t.waitFor(1, /\r?\none\r?\n/);
      await t.waitFor(2, /\r?\ntwo\r?\n/);
      expect(t.output.get(1)).not.toContain("two");
      expect(t.output.get(2)).not.toContain("one");

      t.vmm.stopVm(1);
      expect(t.vmm.vm(1).status).toBe("Stopped");
      const frozen = t.output.get(1);
      t.vmm.sendInput(2, "ipi 1\r");
      await t.waitFor(2, /IPI delivered to CPU 1/);
      t.vmm.sendInput(2, "uptime\r");
      await t.waitFor(2, /up \d+ ms, \d+ timer ticks/);
      expect(t.vmm.vm(2).status).toBe("Running");
      expect(t.output.get(1)).toBe(frozen);
    } finally {
      await t.close();
    }
  }, 120_000);

  it.each([3, 2] as const)(
    "vGICv%i: takes its console from the board's PL011 passed through, its RX interrupt forwarded through a HW list register",
    async (gicVersion) => {
      const base = demo(1, gicVersion);
      const config = {
        ...base,
        devices: {
          ...base.devices,
          emuDevices: base.devices.emuDevices.filter((d) => d.name !== "uart"),
          passthroughDevices: [
            { name: "uart", baseGpa: 0x0900_0000, baseHpa: 0x0900_0000, length: 0x1000, irqId: 1 },
          ],
        },
      };
      const t = startTestVmm({ platform: PLATFORM, vms: [config] });
      try {
        t.vmm.startVm(t.vmm.createVm(config, { disk: armDefaultGuestDisk() }).id);
        await t.waitFor(1, /DEMO-READY/, 60_000);
        const board = (t.machine as ArmHostBoard).board;
        // The host never deactivates the SPI itself (GICD_ICACTIVER): the guest's EOI does,
        // through the HW bit of the list register that carried it.
        const dist = board.gic.distributor;
        const write = dist.handleWrite.bind(dist);
        let hostDeactivations = 0;
        dist.handleWrite = (addr, width, value) => {
          if (Number(addr) === 0x0800_0000 + 0x384 && (value & 2n) !== 0n) hostDeactivations++;
          write(addr, width, value);
        };
        // Each typed line reaches the guest through the board UART's interrupt (INTID 33),
        // claimed on the board, injected into the vGIC, and deactivated when the guest EOIs it.
        for (const cmd of ["ipi 1", "uptime", "echo passed-through"]) {
          t.vmm.sendInput(1, `${cmd}\r`);
        }
        await t.waitFor(1, /IPI delivered to CPU 1/);
        await t.waitFor(1, /\r?\npassed-through\r?\n/);
        expect(board.uart.handleRead(gpa(0x0900_0000 + 0x18), 4) & 0x10n).toBe(0x10n); // RX FIFO empty
        const active = board.gic.distributor.handleRead(gpa(0x0800_0000 + 0x304), 4);
        expect(active & 2n).toBe(0n); // SPI 1 not left active on the board
        expect(hostDeactivations).toBe(0);
        // Another VM cannot take the same UART.
        const other = { ...config, base: { ...config.base, id: 2, name: "second" } };
        expect(() => t.vmm.createVm(other, { disk: armDefaultGuestDisk() })).toThrow(
          /host interrupt 1, which VM 1 "demo1" owns/,
        );
      } finally {
        await t.close();
      }
    },
    120_000,
  );

  it("refuses a VM whose vGIC version the host GIC cannot serve, with one line", () => {
    const t = startTestVmm({ platform: PLATFORM, vms: [demo(1, 3)] });
    try {
      expect(() => t.vmm.createVm(demo(2, 2), { disk: armDefaultGuestDisk() })).toThrow(
        /asks for a vGICv2, but the host GIC is a GICv3/,
      );
    } finally {
      void t.close();
    }
  });
});
