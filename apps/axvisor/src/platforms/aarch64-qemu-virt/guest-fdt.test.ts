import { resolve } from "node:path";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { DeviceTree } from "@axvisor/fdt";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../vmm/test-support/harness.js";
import { buildArmGuestFdt } from "./guest-fdt.js";

const CONFIG = resolve(REPO_ROOT, "configs/vms/linux-aarch64-qemu-smp1.toml");
const RAM = { gpa: 0x4000_0000, size: 0x2000_0000, flags: 7 };

describe("the aarch64 guest device tree", () => {
  it("describes the VM as QEMU virt without EL2: PSCI over HVC, GICv3, timer, PL011, its RAM and /chosen", async () => {
    const config = await loadAxVMConfig(CONFIG);
    const withTwo = { ...config, base: { ...config.base, cpuNum: 2, physCpuIds: [0, 1] } };
    const dt = DeviceTree.parse(
      buildArmGuestFdt(withTwo, [0, 1], {
        memory: [RAM],
        initrd: { start: 0x4800_0000, end: 0x480f_0000 },
      }),
    );
    const psci = dt.requireNode("/psci");
    expect(psci.require("method").string()).toBe("hvc");
    expect(psci.compatible).toContain("arm,psci-1.0");
    for (const n of [0, 1]) {
      const cpu = dt.requireNode(`/cpus/cpu@${n}`);
      expect(cpu.require("enable-method").string()).toBe("psci");
      expect(cpu.require("reg").u32s()).toEqual([n]);
    }
    const [gic] = dt.findCompatible("arm,gic-v3");
    // GICD and GICR only: no GICC/GICH/GICV, no maintenance interrupt (the guest has no EL2).
    expect(gic?.property("interrupts")).toBeUndefined();
    expect(dt.findCompatible("arm,armv8-timer")).toHaveLength(1);
    expect(dt.findCompatible("arm,pl011")).toHaveLength(1);
    expect(dt.findCompatible("arm,pl031")).toHaveLength(0); // no RTC in this VM
    expect(dt.findCompatible("virtio,mmio")).toHaveLength(0);
    expect(dt.requireNode("/memory@40000000").require("reg").u32s()).toEqual([
      0, 0x4000_0000, 0, 0x2000_0000,
    ]);
    const chosen = dt.requireNode("/chosen");
    expect(chosen.require("bootargs").string()).toBe("console=ttyAMA0 earlycon");
    expect(chosen.require("stdout-path").string()).toBe("/pl011@9000000");
    expect(chosen.require("linux,initrd-start").u32()).toBe(0x4800_0000);
  });

  it("adds a virtio-mmio node per virtio row and refuses a layout Linux would not find", async () => {
    const config = await loadAxVMConfig(CONFIG);
    const blk = {
      name: "virtio-blk",
      baseGpa: 0x0a00_0000,
      length: 0x200,
      irqId: 16,
      emuType: 0xe1,
      cfgList: [],
    };
    const withBlk = {
      ...config,
      devices: { ...config.devices, emuDevices: [...config.devices.emuDevices, blk] },
    };
    const dt = DeviceTree.parse(buildArmGuestFdt(withBlk as typeof config, [0], { memory: [RAM] }));
    const [node] = dt.findCompatible("virtio,mmio");
    expect(node?.require("interrupts").u32s()).toEqual([0, 16, 1]);
    expect(() => buildArmGuestFdt(config, [0], { memory: [{ ...RAM, gpa: 0x8000_0000 }] })).toThrow(
      /RAM must start at 0x40000000/,
    );
  });
});
