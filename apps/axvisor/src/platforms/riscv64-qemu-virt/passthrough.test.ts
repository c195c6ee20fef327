import { unwrap } from "@axvisor/axerrno";
import {
  PLIC_CLAIM_OFFSET,
  PLIC_CONTEXT_BASE,
  PLIC_CONTEXT_STRIDE,
  PLIC_ENABLE_BASE,
  PLIC_ENABLE_STRIDE,
  PLIC_PENDING_BASE,
  PLIC_PRIORITY_BASE,
} from "@axvisor/device-plic";
import { AccessWidth, type GuestPhysAddr, gpa } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { ownGuestConfig, startTestVmm } from "../../vmm/test-support/harness.js";
import type { RiscvHostBoard } from "./host-board.js";

describe("passthrough interrupts", () => {
  it("forwards a board interrupt to the owning VM's vPLIC and completes it on the board when the guest does", async () => {
    const t = startTestVmm({ harts: 1 });
    try {
      const config = ownGuestConfig({ guest: "demo" });
      config.devices.passthroughDevices = [
        { name: "rtc", baseGpa: 0x10_1000, baseHpa: 0x10_1000, length: 0x1000, irqId: 11 },
      ];
      const vm = t.vmm.createVm(config);
      t.vmm.startVm(vm.id);
      await t.waitFor(1, /DEMO-READY/);
      // Program the vPLIC as the guest's PLIC driver would: source 11 on vCPU 0's S context.
      // The vPLIC as the guest reaches it: through the VM's MMIO dispatch.
      const devices = vm.axvm.devices;
      const vplic = {
        handleWrite: (a: GuestPhysAddr, w: AccessWidth, v: bigint) =>
          unwrap(devices.handleMmioWrite(a, w, v)),
        handleRead: (a: GuestPhysAddr, w: AccessWidth) => unwrap(devices.handleMmioRead(a, w)),
      };
      const at = (off: number) => gpa(0x0c00_0000 + off);
      const S_CTX = 1;
      vplic.handleWrite(at(PLIC_PRIORITY_BASE + 4 * 11), AccessWidth.Dword, 1n);
      vplic.handleWrite(
        at(PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * S_CTX),
        AccessWidth.Dword,
        1n << 11n,
      );
      vplic.handleWrite(at(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * S_CTX), AccessWidth.Dword, 0n);
      const claimAt = at(PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * S_CTX + PLIC_CLAIM_OFFSET);
      const pending = () =>
        (vplic.handleRead(at(PLIC_PENDING_BASE), AccessWidth.Dword) >> 11n) & 1n;

      const line = (t.machine as RiscvHostBoard).board.plic.sourceLine(11);
      for (let round = 0; round < 2; round++) {
        line.setLevel(true); // the board device raises its interrupt
        await until(() => pending() === 1n);
        expect(vplic.handleRead(claimAt, AccessWidth.Dword)).toBe(11n); // the guest claims it
        line.setLevel(false); // ...serves the device, which drops its line...
        vplic.handleWrite(claimAt, AccessWidth.Dword, 11n); // ...and completes it
      }
      // Both raises reached the guest, so the board saw the first completion.
      expect(pending()).toBe(0n);
      // Deleting the VM gives the interrupt back: another VM may take it.
      t.vmm.deleteVm(1);
      const again = ownGuestConfig({ guest: "demo", id: 2 });
      again.devices.passthroughDevices = config.devices.passthroughDevices;
      expect(() => t.vmm.createVm(again)).not.toThrow();
      const third = ownGuestConfig({ guest: "demo", id: 3 });
      third.devices.passthroughDevices = config.devices.passthroughDevices;
      expect(() => t.vmm.createVm(third)).toThrow(
        'passthrough device "rtc" wants host interrupt 11, which VM 2 "demo" owns',
      );
    } finally {
      await t.close();
    }
  });
});

function until(cond: () => boolean, ms = 5000): Promise<void> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (performance.now() - start > ms) return reject(new Error("condition not met"));
      setTimeout(tick, 10);
    };
    tick();
  });
}
