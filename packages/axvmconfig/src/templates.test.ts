import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { describe, expect, it } from "vitest";
import { checkAxVMConfig } from "./parse.js";
import { ARCHES, vmConfigTemplate } from "./templates.js";
import { toToml } from "./to-toml.js";

describe("vmConfigTemplate", () => {
  it("gives a config that passes check for every arch", () => {
    for (const arch of ARCHES) {
      const r = checkAxVMConfig(toToml(vmConfigTemplate(arch)), { file: `${arch}.toml` });
      expect(r.ok ? "ok" : r.problems).toBe("ok");
    }
  });

  it("riscv64: 256 MiB R|W|X|U at 0x8000_0000, kernel and entry at 0x8020_0000, UART + PLIC", () => {
    const c = vmConfigTemplate("riscv64", { cpuNum: 2 });
    expect(c.kernel.memoryRegions).toEqual([
      { gpa: 0x8000_0000, size: 0x1000_0000, flags: 0xf, mapType: 0 },
    ]);
    expect(c.kernel.kernelLoadAddr).toBe(0x8020_0000);
    expect(c.kernel.entryPoint).toBe(0x8020_0000);
    expect(c.base.physCpuIds).toEqual([0, 1]);
    const plic = c.devices.emuDevices.find((d) => d.emuType === EmulatedDeviceType.PPPTGlobal);
    // Two PLIC contexts (M and S) per hart.
    expect(plic?.cfgList).toEqual([4]);
    expect(c.devices.interruptMode).toBe("emu");
  });

  it("defaults the entry point to the kernel load address (AxVisor's generator used 1)", () => {
    expect(vmConfigTemplate("aarch64", { kernelLoadAddr: 0x4040_0000 }).kernel.entryPoint).toBe(
      0x4040_0000,
    );
  });

  it("x86_64 enters through the BIOS at 0x8000 and loads the kernel at 2 MiB", () => {
    const k = vmConfigTemplate("x86_64").kernel;
    expect([k.entryPoint, k.biosLoadAddr, k.kernelLoadAddr]).toEqual([0x8000, 0x8000, 0x20_0000]);
  });

  it("moves RAM to the kernel when the kernel is outside the arch's default RAM", () => {
    const c = vmConfigTemplate("riscv64", { kernelLoadAddr: 0x9020_0000 });
    expect(c.kernel.memoryRegions[0]?.gpa).toBe(0x9020_0000);
    const c2 = vmConfigTemplate("riscv64", { kernelLoadAddr: 0x9030_1000 });
    expect(c2.kernel.memoryRegions[0]?.gpa).toBe(0x9020_0000);
  });
});
