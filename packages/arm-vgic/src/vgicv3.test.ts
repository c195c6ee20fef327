/**
 * The vGIC with the real CPU and the physical GICv3's ICH/ICV interface: the guest of
 * test-guest/vgic-guest.S programs the virtual distributor through MMIO exits and takes the
 * virtual timer PPI and an injected SPI through the list registers.
 */

import { ArmHostCpus, ArmPhysCpu, ArmVCpu, ArmVmContext } from "@axvisor/arm-vcpu";
import type { BaseMmioDeviceOps } from "@axvisor/axdevice-base";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { Aarch64Cpu } from "@axvisor/cpu-aarch64";
import { GicSysReg, GicV3 } from "@axvisor/device-arm-gic";
import { gpa, MappingFlags } from "@axvisor/memory-addr";
import { PageTable64 } from "@axvisor/page-table";
import { describe, expect, it } from "vitest";
import { VGIC_GUEST } from "./testing/vgic-guest.js";
import { VGicV3 } from "./vgicv3.js";

const ENTRY = 0x4000_0000;

function setup(onComplete?: (intid: number, hardware: boolean) => void) {
  const host = createTestHost({ ramBase: ENTRY, ramSize: 4 * 1024 * 1024 });
  let cpu: Aarch64Cpu | null = null;
  const physGic = new GicV3({
    numCpus: 1,
    outputs: [
      {
        setIrq: (l) => cpu?.setIrq(l),
        setFiq: (l) => cpu?.setFiq(l),
        setVirq: (l) => cpu?.setVirq(l),
        setVfiq: (l) => cpu?.setVfiq(l),
      },
    ],
    distributorBase: 0x0800_0000,
    redistributorBase: 0x080a_0000,
  });
  cpu = new Aarch64Cpu({
    cpuId: 0,
    mpidr: 0,
    bus: { ram: host.ram, ramBase: ENTRY, load: () => null, store: () => false },
    time: { now: () => host.time.currentTicks() },
    model: "cortex-a57",
    el2: true,
    sysRegDevice: physGic.sysRegs,
  });
  const cpus = new ArmHostCpus([new ArmPhysCpu(0, cpu)]);
  cpus.current.hardwareEnable();
  const backing = host.memory.allocContiguousFrames(16, 0x1000);
  if (backing === null) throw new Error("no host memory");
  const code = new Uint8Array(Uint32Array.from(VGIC_GUEST).buffer);
  host.memory.hostBuffer(backing, code.length).set(code);
  const table = PageTable64.create("arm-s2-l3", host.memory);
  const rwx = MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE;
  table.mapRegion(ENTRY, backing, 0x10000, rwx, false);
  const vm = new ArmVmContext(1, 1);
  vm.defineCpu(0, 0, true);
  const vgic = new VGicV3({
    mpidrs: [0],
    distributorBase: 0x0800_0000,
    redistributorBase: 0x080a_0000,
    ...(onComplete !== undefined ? { onComplete } : {}),
  });
  const vcpu = new ArmVCpu(
    1,
    0,
    { mpidr: 0, dtbAddr: gpa(0), vm, cpus, interrupts: vgic.cpu(0) },
    host,
  );
  vcpu.setEntry(gpa(ENTRY));
  vcpu.setEptRoot(table.root);
  vcpu.bind();
  return { host, vcpu, vgic, physGic, cpu };
}

function device(devices: readonly BaseMmioDeviceOps[], addr: number): BaseMmioDeviceOps {
  const d = devices.find((x) => addr >= x.addressRange().start && addr < x.addressRange().end);
  if (!d) throw new Error(`no device at ${addr.toString(16)}`);
  return d;
}

/** Runs the test guest, injecting SPI 33 once it asks (x21 = 1), until it powers off. */
function runGuest(s: ReturnType<typeof setup>): { done: boolean; halts: number } {
  const { host, vcpu, vgic } = s;
  let injected = false;
  let halts = 0;
  let done = false;
  for (let i = 0; i < 500 && !done; i++) {
    const exit = vcpu.run();
    switch (exit.kind) {
      case "MmioWrite":
        device(vgic.devices, exit.addr).handleWrite(exit.addr, exit.width, exit.data);
        break;
      case "MmioRead":
        vcpu.setGpr(
          exit.reg,
          device(vgic.devices, exit.addr).handleRead(exit.addr, exit.width) as bigint,
        );
        break;
      case "Halt":
        halts++;
        host.advance(10_000);
        break;
      case "SystemDown":
        done = true;
        break;
      case "Nothing":
        break;
      default:
        throw new Error(`unexpected exit ${exit.kind}`);
    }
    if (!injected && vcpu.getGpr(21) === 1n) {
      vcpu.injectInterrupt(33);
      injected = true;
    }
  }
  return { done, halts };
}

const GICD_ISACTIVER1 = 0x0800_0000 + 0x304;

describe("VGicV3", () => {
  it("lists a hardware-backed SPI with HW set: the guest's EOI deactivates the physical one", () => {
    const completions: [number, boolean][] = [];
    const s = setup((intid, hw) => completions.push([intid, hw]));
    s.vgic.forwardHardware(33, 33);
    // The host claimed physical SPI 33 (active on the board) before forwarding it.
    const act = device(s.physGic.frames, GICD_ISACTIVER1);
    act.handleWrite(gpa(GICD_ISACTIVER1), 4, 2n);
    expect(act.handleRead(gpa(GICD_ISACTIVER1), 4) & 2n).toBe(2n);
    const { done } = runGuest(s);
    expect(done).toBe(true);
    expect(s.vcpu.getGpr(22)).toBe((27n << 8n) | 33n);
    expect(act.handleRead(gpa(GICD_ISACTIVER1), 4) & 2n).toBe(0n); // deactivated by the GIC
    // The timer PPI is the vGIC's own (software); the SPI was completed in hardware.
    expect(completions).toEqual([
      [27, false],
      [33, true],
    ]);
    expect(() => s.vgic.forwardHardware(3, 3)).toThrow(/INTID 3 cannot be hardware-backed/);
  });

  it("keeps a listed interrupt signalled across unbind and bind (state resident in the CPU)", () => {
    const s = setup();
    const d = (off: number, v: bigint) =>
      device(s.vgic.devices, 0x0800_0000 + off).handleWrite(gpa(0x0800_0000 + off), 4, v);
    d(0x0, 2n); // GICD_CTLR.EnableGrp1
    d(0x84, 2n); // SPI 33 in group 1
    d(0x420, 0xa000n); // priority 0xa0
    d(0x104, 2n); // enabled
    const v = s.vgic.cpu(0);
    v.flush(s.cpu);
    // What the guest's ICC_PMR_EL1 and ICC_IGRPEN1_EL1 writes leave in ICH_VMCR_EL2.
    const el2 = { el: 2, irqVirtual: false, fiqVirtual: false } as const;
    s.physGic.sysRegs.write(0, GicSysReg.ICH_VMCR_EL2, (0xffn << 24n) | 2n, el2);
    s.vcpu.injectInterrupt(33); // listed at once: the vCPU is bound
    expect(v.listRegisters()).toEqual([{ intid: 33, state: 1 }]);
    expect(s.cpu.virqLine).toBe(true);
    s.vcpu.unbind(); // a slice ended with the guest's IRQs masked
    s.vcpu.bind();
    v.flush(s.cpu);
    expect(s.cpu.virqLine).toBe(true);
    // The guest completes it (its EOI leaves the list register invalid) and it comes again:
    // listed anew, and written to the resident interface though nothing else changed there.
    s.physGic.sysRegs.write(0, GicSysReg.ICH_LR0_EL2, 0n, el2);
    v.sync(s.cpu);
    expect(v.listRegisters()).toEqual([]);
    expect(s.cpu.virqLine).toBe(false);
    s.vcpu.injectInterrupt(33);
    expect(v.listRegisters()).toEqual([{ intid: 33, state: 1 }]);
    expect(s.physGic.sysRegs.read(0, GicSysReg.ICH_LR0_EL2, el2)).not.toBe(0n);
    expect(s.cpu.virqLine).toBe(true);
  });

  it("delivers the virtual timer PPI and an injected SPI through the list registers", () => {
    const { host, vcpu, vgic } = setup();
    let injected = false;
    let halts = 0;
    let done = false;
    for (let i = 0; i < 500 && !done; i++) {
      const exit = vcpu.run();
      switch (exit.kind) {
        case "MmioWrite":
          device(vgic.devices, exit.addr).handleWrite(exit.addr, exit.width, exit.data);
          break;
        case "MmioRead":
          vcpu.setGpr(
            exit.reg,
            device(vgic.devices, exit.addr).handleRead(exit.addr, exit.width) as bigint,
          );
          break;
        case "Halt":
          halts++;
          host.advance(10_000);
          break;
        case "SystemDown":
          done = true;
          break;
        case "Nothing":
          break;
        default:
          throw new Error(`unexpected exit ${exit.kind}`);
      }
      if (!injected && vcpu.getGpr(21) === 1n) {
        vcpu.injectInterrupt(33);
        injected = true;
      }
    }
    expect(done).toBe(true);
    expect(halts).toBeGreaterThan(0); // the WFI gave the CPU back until the timer was due
    expect(vcpu.getGpr(22)).toBe((27n << 8n) | 33n); // the timer first, then the SPI
    expect(vgic.cpu(0).listRegisters()).toEqual([]); // both completed
    expect(vgic.cpu(0).hasPending()).toBe(false);
  });
});
