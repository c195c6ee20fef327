import { EmulatedDeviceType } from "@axvisor/axdevice-base";
import { AxError } from "@axvisor/axerrno";
import { VCpuState } from "@axvisor/axvcpu";
import { VmMemMappingType } from "@axvisor/axvmconfig";
import { gpa, hpa, MappingFlags } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { makeVm, testHost } from "./test-support/harness.js";
import { VMStatus } from "./vm-status.js";

const thrownBy = (fn: () => unknown): AxError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AxError);
    return e as AxError;
  }
  throw new Error("expected an AxError");
};

describe("AxVM.create from a TOML config", () => {
  it("builds the vCPUs with the configured CPU ids and affinity, set up at the entry point", () => {
    const { vm, factory } = makeVm();
    expect(vm.id).toBe(1);
    expect(vm.name).toBe("test-vm");
    expect(vm.status).toBe(VMStatus.Loading);
    expect(vm.vcpuNum).toBe(2);
    expect(factory.created.map((c) => c.vcpu.createConfig)).toEqual([
      { hartId: 0x10, dtbAddr: 0x8030_0000 },
      { hartId: 0x11, dtbAddr: 0x8030_0000 },
    ]);
    expect(vm.vcpus.map((v) => v.physCpuSet)).toEqual([0b01n, 0b10n]);
    for (const [i, v] of vm.vcpus.entries()) {
      expect(v.state).toBe(VCpuState.Free);
      expect(factory.latest(i).calls).toEqual([
        { op: "setEntry", entry: gpa(0x8020_0000) },
        { op: "setEptRoot", root: vm.eptRoot() },
        { op: "setup", config: `setup vCPU ${i} (sv39x4)` },
      ]);
    }
    expect(vm.vcpuIdForPhysCpu(0x11)).toBe(1);
    expect(vm.vcpuIdForPhysCpu(0x11n)).toBe(1);
    expect(vm.vcpuIdForPhysCpu(0)).toBeUndefined();
    expect(() => vm.vcpu(2)).toThrow(/VM 1 "test-vm" has no vCPU 2 \(it has 2\)/);
  });

  it("maps RAM with the configured flags and gives it frames only on first touch", () => {
    const { vm, host } = makeVm();
    const areas = vm.addrSpace.areas().map((a) => ({
      start: a.start,
      end: a.end,
      flags: a.flags,
      backend: a.backend,
    }));
    const PT = MappingFlags.DEVICE | MappingFlags.READ | MappingFlags.WRITE | MappingFlags.USER;
    expect(areas).toEqual([
      // uart (0x1000_0000+0x100, rounded to a page) and the passthrough address right after
      // it are one identity window.
      { start: 0x1000_0000, end: 0x1000_3000, flags: PT, backend: "linear" },
      { start: 0x2000_0000, end: 0x2000_1000, flags: PT, backend: "linear" },
      { start: 0x8000_0000, end: 0x8040_0000, flags: 0xf, backend: "alloc" },
      { start: 0x9000_0000, end: 0x9000_1000, flags: 0x9, backend: "alloc" },
    ]);
    expect(vm.memoryRegions().map((r) => [r.gpa, r.size, r.flags, r.mapType])).toEqual([
      [0x8000_0000, 0x40_0000, 0xf, VmMemMappingType.MapAlloc],
      [0x9000_0000, 0x1000, 0x9, VmMemMappingType.MapAlloc],
    ]);
    // Nothing allocated for 4 MiB of RAM yet: only the page tables hold frames.
    const before = host.frameStats().used;
    expect(before).toBeLessThan(16);
    expect(vm.addrSpace.translate(0x8000_0000)).toBeNull();
    expect(vm.writeGuest(0x8000_0000, new Uint8Array([1, 2, 3])).ok).toBe(true);
    expect(vm.addrSpace.translate(0x8000_0000)).not.toBeNull();
    expect(host.frameStats().used).toBeGreaterThan(before);
  });

  it("maps a passthrough device to its configured host address, not its guest address", () => {
    const { vm } = makeVm();
    expect(vm.addrSpace.translate(0x2000_0000)).toBe(hpa(0x3000_0000));
    expect(vm.addrSpace.translate(0x2000_0ffc)).toBe(hpa(0x3000_0ffc));
    expect(vm.addrSpace.translate(0x1000_0000)).toBe(hpa(0x1000_0000));
    expect(vm.addrSpace.translate(0x1000_2abc)).toBe(hpa(0x1000_2abc));
  });

  it("maps a reserved region onto the same host address without allocating", () => {
    const host = testHost();
    const { vm } = makeVm({
      host,
      config: (c) => ({
        ...c,
        kernel: {
          ...c.kernel,
          memoryRegions: [
            ...c.kernel.memoryRegions,
            { gpa: 0x8180_0000, size: 0x2000, flags: 0x3, mapType: VmMemMappingType.MapReserved },
          ],
        },
      }),
    });
    expect(vm.addrSpace.translate(0x8180_1008)).toBe(hpa(0x8180_1008));
    expect(vm.addrSpace.findArea(0x8180_0000)?.flags).toBe(0x3);
    expect(vm.memoryRegions()[2]!.hostFrames).toBeNull();
  });

  it("uses the page-table format it is given for the address space and the vCPUs", () => {
    const { vm, factory } = makeVm({ deps: { pageTableFormat: "sv48x4" } });
    expect(vm.pageTableFormat).toBe("sv48x4");
    expect(vm.addrSpace.format).toBe("sv48x4");
    expect(factory.latest(0).callsOf("setup")[0]!.config).toBe("setup vCPU 0 (sv48x4)");
  });

  it("builds the emulated devices and the IVC window from the config rows", () => {
    const { vm, devices } = makeVm();
    expect(devices).toHaveLength(1);
    expect(devices[0]!.ctx.vmId).toBe(1);
    expect(devices[0]!.ctx.cpuNum).toBe(2);
    expect(vm.devices.mmio.devices().map((d) => [d.name, d.start, d.end])).toEqual([
      ["regs", 0x0c00_0000, 0x0c00_0100],
    ]);
    expect(vm.allocIvcChannel(0x10)).toEqual({ ok: true, value: 0xd000_0000 });
    expect(vm.releaseIvcChannel(gpa(0xd000_0000), 0x10).ok).toBe(true);
  });

  it("gives devices DMA access to guest memory through the address space", () => {
    const { vm, devices } = makeVm();
    const { memory } = devices[0]!.ctx;
    memory.write(0x8000_2000, new Uint8Array([9, 8, 7]));
    const back = vm.readGuest(0x8000_2000, 3);
    expect(back.ok && [...back.value]).toEqual([9, 8, 7]);
    expect([...memory.read(0x8000_2001, 2)]).toEqual([8, 7]);
    expect(() => memory.read(0x7000_0000, 4)).toThrow(/no memory area/);
  });
});

describe("AxVM.create refuses configs it cannot realise, leaking nothing", () => {
  it("names an emulated device that has no device model", () => {
    const host = testHost();
    const e = thrownBy(() =>
      makeVm({
        host,
        config: (c) => ({
          ...c,
          devices: {
            ...c.devices,
            emuDevices: [
              ...c.devices.emuDevices,
              {
                name: "disk",
                baseGpa: 0x1000_8000,
                length: 0x1000,
                irqId: 8,
                emuType: EmulatedDeviceType.VirtioBlk,
                cfgList: [],
              },
            ],
          },
        }),
      }),
    );
    expect(e.kind).toBe("InvalidInput");
    expect(e.message).toBe(
      'VM 1 "test-vm": emulated device "disk" (VirtioBlk, type 0xe1) at 0x10008000: no device model is registered for this type',
    );
    expect(host.frameStats().used).toBe(0);
  });

  it("refuses an emulated device placed over guest RAM", () => {
    const e = thrownBy(() =>
      makeVm({
        config: (c) => ({
          ...c,
          devices: {
            ...c.devices,
            emuDevices: [{ ...c.devices.emuDevices[0]!, baseGpa: 0x803f_ff80 }],
          },
        }),
      }),
    );
    expect(e.message).toBe(
      'VM 1 "test-vm": emulated device "regs" [0x803f_ff80, 0x8040_0080) overlaps mapped guest memory [0x8000_0000, 0x8040_0000)',
    );
  });

  it("refuses a page-table format of another architecture", () => {
    const e = thrownBy(() => makeVm({ deps: { pageTableFormat: "ept-l4" } }));
    expect(e.message).toBe(
      'VM 1 "test-vm": page-table format ept-l4 is for x86_64, the backend is riscv64',
    );
  });

  it("reports a region the host cannot back and gives every frame back", () => {
    const host = testHost();
    const e = thrownBy(() =>
      makeVm({
        host,
        config: (c) => ({
          ...c,
          kernel: {
            ...c.kernel,
            memoryRegions: [
              ...c.kernel.memoryRegions,
              {
                gpa: 0xa000_0000,
                size: 0x400_0000,
                flags: 0xf,
                mapType: VmMemMappingType.MapAlloc,
              },
            ],
          },
        }),
        deps: { populateMemory: true },
      }),
    );
    expect(e.kind).toBe("NoMemory");
    expect(e.message).toMatch(/^VM 1 "test-vm": memory region 2 \(0xa000_0000\+0x400_0000\): /);
    expect(host.frameStats().used).toBe(0);
  });
});

describe("identical memory regions", () => {
  it("map guest RAM at its host address and move the images with it", () => {
    const { vm, host, factory } = makeVm({ fixture: "identical-vm.toml" });
    const [main] = vm.memoryRegions();
    expect(main!.mapType).toBe(VmMemMappingType.MapIdentical);
    expect(main!.configuredGpa).toBe(0x4000_0000);
    const at = main!.gpa;
    expect(main!.hostFrames).toBe(at);
    expect(at % 0x20_0000).toBe(0);
    expect(at).toBeGreaterThanOrEqual(host.ramBase);
    expect(vm.addrSpace.translate(at + 0x1234)).toBe(at + 0x1234);
    expect(vm.imageLayout).toEqual({
      entryPoint: at + 0x1000,
      kernelLoadGpa: at,
      dtbLoadGpa: at + 0x10_0000,
    });
    expect(factory.latest(0).entry).toBe(at + 0x1000);

    // Guest memory is that host memory.
    vm.writeGuest(at + 0x10, new Uint8Array([0xab]));
    expect(host.ram[at - host.ramBase + 0x10]).toBe(0xab);

    vm.shutdown();
    vm.destroy();
    expect(host.frameStats().used).toBe(0);
  });
});
