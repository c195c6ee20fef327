import { type BasePortDeviceOps, EmulatedDeviceType } from "@axvisor/axdevice-base";
import type { AccessWidth, Port } from "@axvisor/memory-addr";
import { portRange } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { AcpiPm, PM_TIMER_HZ } from "./acpi-pm.js";
import { PciHost } from "./pci-host.js";
import { PortBus } from "./port-bus.js";

const w = (d: BasePortDeviceOps, p: number, size: number, v: number) =>
  d.handleWrite(p as Port, size as AccessWidth, BigInt(v));
const r = (d: BasePortDeviceOps, p: number, size: number) =>
  Number(d.handleRead(p as Port, size as AccessWidth));

describe("PciHost", () => {
  it("answers configuration mechanism #1 for the host bridge and the LPC bridge only", () => {
    const pci = new PciHost(() => {});
    w(pci, 0xcf8, 4, 0x8000_0000);
    expect(r(pci, 0xcf8, 4)).toBe(0x8000_0000);
    expect(r(pci, 0xcfc, 4)).toBe(0x29c0_8086);
    w(pci, 0xcf8, 4, 0x8000_0008);
    expect(r(pci, 0xcfe, 2)).toBe(0x0600); // class: host bridge
    w(pci, 0xcf8, 4, 0x8000_f800);
    expect(r(pci, 0xcfc, 4)).toBe(0x2918_8086);
    w(pci, 0xcf8, 4, 0x8000_f808);
    expect(r(pci, 0xcfe, 2)).toBe(0x0601); // ISA bridge
    w(pci, 0xcf8, 4, 0x8000_f840);
    expect(r(pci, 0xcfc, 4)).toBe(0x601); // PMBASE
    w(pci, 0xcf8, 4, 0x8000_0800); // 00:01.0 is absent
    expect(r(pci, 0xcfc, 4)).toBe(0xffff_ffff);
    w(pci, 0xcf8, 4, 0x0000_0000); // enable bit clear
    expect(r(pci, 0xcfc, 2)).toBe(0xffff);
  });

  it("keeps the vendor id read-only and the command register writable", () => {
    const pci = new PciHost(() => {});
    w(pci, 0xcf8, 4, 0x8000_0000);
    w(pci, 0xcfc, 4, 0x0007_1234);
    expect(r(pci, 0xcfc, 2)).toBe(0x8086);
    w(pci, 0xcf8, 4, 0x8000_0004);
    w(pci, 0xcfc, 2, 0xffff);
    expect(r(pci, 0xcfc, 2)).toBe(0x0147);
  });

  it("resets through 0xCF9 when RST_CPU is written", () => {
    let resets = 0;
    const pci = new PciHost(() => resets++);
    w(pci, 0xcf9, 1, 0x02);
    expect(resets).toBe(0);
    w(pci, 0xcf9, 1, 0x06);
    expect(resets).toBe(1);
  });
});

describe("AcpiPm", () => {
  it("counts the 24-bit PM timer at 3.579545 MHz and keeps SCI_EN set", () => {
    let now = 0;
    const pm = new AcpiPm({ time: { now: () => now }, timeHz: 1e9, onPowerOff: () => {} });
    now = 1e9; // one second
    expect(r(pm, 0x608, 4)).toBe(PM_TIMER_HZ % 0x100_0000);
    now = 10e9;
    expect(r(pm, 0x608, 4)).toBe((10 * PM_TIMER_HZ) % 0x100_0000);
    expect(r(pm, 0x604, 2) & 1).toBe(1);
  });

  it("powers off when SLP_EN is written with the \\_S5 sleep type", () => {
    let off = 0;
    const pm = new AcpiPm({ time: { now: () => 0 }, timeHz: 1e9, onPowerOff: () => off++ });
    w(pm, 0x604, 2, 1 << 10); // SLP_TYP 1 without SLP_EN: nothing
    w(pm, 0x604, 2, (1 << 10) | (1 << 13)); // S1-like type: not supported, ignored
    expect(off).toBe(0);
    w(pm, 0x604, 2, 1 << 13);
    expect(off).toBe(1);
  });
});

describe("PortBus", () => {
  class Reg8 implements BasePortDeviceOps {
    value = 0;
    constructor(
      readonly at: number,
      readonly len = 1,
    ) {}
    emuType() {
      return EmulatedDeviceType.Dummy;
    }
    addressRange() {
      return portRange(this.at, this.at + this.len - 1);
    }
    handleRead() {
      return BigInt(this.value);
    }
    handleWrite(_p: Port, _w: AccessWidth, v: bigint) {
      this.value = Number(v);
    }
  }

  it("dispatches by port, reads all ones where nothing is, rejects overlaps", () => {
    const bus = new PortBus();
    const d = new Reg8(0x80);
    bus.add(d);
    bus.out(0x80, 1, 0x1234);
    expect(d.value).toBe(0x34);
    expect(bus.in(0x80, 1)).toBe(0x34);
    expect(bus.in(0x81, 2)).toBe(0xffff);
    expect(bus.in(0x80, 4)).toBe(0xffff_ffff); // wider than the device: unclaimed
    expect(bus.unassigned).toBe(2);
    expect(() => bus.add(new Reg8(0x7f, 2))).toThrow(/already claimed/);
  });
});
