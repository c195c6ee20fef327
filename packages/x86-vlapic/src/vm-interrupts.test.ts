import { createTestHost } from "@axvisor/axvisor-api/testing";
import { AccessWidth, gpa, port } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { X86_APIC, X86VmInterrupts } from "./vm-interrupts.js";

function setup(cpus = 2) {
  const host = createTestHost({ timerHz: 1e9, vms: { 1: cpus } });
  const woken: number[] = [];
  const irqs = new X86VmInterrupts({
    vmId: 1,
    apicIds: Array.from({ length: cpus }, (_, i) => i),
    host,
    tscHz: 1e9,
    wake: (v) => woken.push(v),
  });
  const [lapicWindow, ioapic] = irqs.mmioDevices();
  const w = (vcpu: number, off: number, v: number) =>
    lapicWindow!.handleWrite(gpa(X86_APIC.lapicBase + off), AccessWidth.Dword, BigInt(v), {
      vcpuId: vcpu,
    });
  const r = (vcpu: number, off: number) =>
    Number(
      lapicWindow!.handleRead(gpa(X86_APIC.lapicBase + off), AccessWidth.Dword, { vcpuId: vcpu }),
    );
  return { host, irqs, woken, w, r, ioapic: ioapic! };
}

describe("X86VmInterrupts", () => {
  it("gives each vCPU its own APIC at 0xFEE0_0000 with its APIC id", () => {
    const { r } = setup();
    expect(r(0, 0x20) >>> 24).toBe(0);
    expect(r(1, 0x20) >>> 24).toBe(1);
    expect(r(0, 0x30) & 0xff).toBe(0x14);
  });

  it("runs the APIC timer on the host timer service: one-shot, then periodic re-armed", () => {
    const { host, irqs, w, woken } = setup(1);
    const l = irqs.lapic(0);
    w(0, 0xf0, 0x1ff); // SVR: enabled
    w(0, 0x3e0, 0xb); // divide by 1
    w(0, 0x320, 0x40); // one-shot, vector 0x40
    w(0, 0x380, 1000); // 1000 ns at 1 GHz
    expect(l.hasInterrupt()).toBe(false);
    host.advance(999);
    expect(l.hasInterrupt()).toBe(false);
    host.advance(1);
    expect(l.hasInterrupt()).toBe(true);
    expect(woken).toContain(0);
    expect(l.acknowledge()).toBe(0x40);
    w(0, 0xb0, 0); // EOI
    w(0, 0x320, 0x2_0041); // periodic, vector 0x41
    w(0, 0x380, 500);
    let fired = 0;
    for (let i = 0; i < 4; i++) {
      host.advance(500);
      if (l.hasInterrupt()) {
        expect(l.acknowledge()).toBe(0x41);
        w(0, 0xb0, 0);
        fired++;
      }
    }
    expect(fired).toBe(4);
  });

  it("takes TPR and in-service priority into account and honours the TSC-deadline timer", () => {
    const { host, irqs, w } = setup(1);
    const l = irqs.lapic(0);
    w(0, 0xf0, 0x1ff);
    l.accept(0x35, false);
    w(0, 0x80, 0x40); // TPR class 4 masks vector 0x35
    expect(l.hasInterrupt()).toBe(false);
    w(0, 0x80, 0);
    expect(l.acknowledge()).toBe(0x35);
    l.accept(0x31, false); // lower class than the one in service: waits for EOI
    expect(l.hasInterrupt()).toBe(false);
    w(0, 0xb0, 0);
    expect(l.acknowledge()).toBe(0x31);
    w(0, 0xb0, 0);
    w(0, 0x320, 0x4_0050); // TSC-deadline mode, vector 0x50
    expect(l.writeMsr(0x6e0, BigInt(host.time.currentTicks() + 2000))).toBe(true);
    host.advance(1999);
    expect(l.hasInterrupt()).toBe(false);
    host.advance(1);
    expect(l.acknowledge()).toBe(0x50);
  });

  it("delivers fixed IPIs by destination and turns INIT-SIPI into a start request", () => {
    const { irqs, w, woken } = setup(2);
    w(0, 0xf0, 0x1ff);
    w(1, 0xf0, 0x1ff);
    w(0, 0x310, 1 << 24);
    w(0, 0x300, 0x0_00f0); // fixed, vector 0xF0, physical destination 1
    expect(irqs.lapic(1).hasInterrupt()).toBe(true);
    expect(irqs.lapic(0).hasInterrupt()).toBe(false);
    expect(woken).toContain(1);
    expect(irqs.lapic(1).acknowledge()).toBe(0xf0);
    w(1, 0xb0, 0);
    // INIT (level assert), then two SIPIs with vector 0x9A: one start at 0x9A000.
    w(0, 0x300, 0x0_4500);
    w(0, 0x300, 0x0_069a);
    w(0, 0x300, 0x0_069a);
    expect(irqs.lapic(0).takeStartRequest()).toEqual({ apicId: 1, vector: 0x9a });
    expect(irqs.lapic(0).takeStartRequest()).toBeUndefined();
    // x2APIC: the same IPI through ICR MSR 0x830 once APIC_BASE.EXTD is set.
    expect(irqs.lapic(1).readMsr(0x830)).toBeNull();
    for (const v of [0, 1]) {
      const base = irqs.lapic(v).readMsr(0x1b)!;
      expect(irqs.lapic(v).writeMsr(0x1b, base | (1n << 10n))).toBe(true);
    }
    // INIT left APIC 1 software-disabled: its started OS enables it again (SVR 0x80F).
    expect(irqs.lapic(1).writeMsr(0x80f, 0x1ffn)).toBe(true);
    expect(irqs.lapic(0).writeMsr(0x830, (1n << 32n) | 0xe1n)).toBe(true);
    expect(irqs.lapic(1).acknowledge()).toBe(0xe1);
  });

  it("routes a device line through the vIOAPIC and re-delivers a level line after EOI", () => {
    const { irqs, w, ioapic } = setup(1);
    w(0, 0xf0, 0x1ff);
    // The guest masks the 8259s (as Linux and NimbOS do): only the IOAPIC path remains.
    const [master, slave] = irqs.portDevices();
    master!.handleWrite(port(0x21), AccessWidth.Byte, 0xffn);
    slave!.handleWrite(port(0xa1), AccessWidth.Byte, 0xffn);
    const sel = (v: number) =>
      ioapic.handleWrite(gpa(X86_APIC.ioapicBase), AccessWidth.Dword, BigInt(v));
    const win = (v: number) =>
      ioapic.handleWrite(gpa(X86_APIC.ioapicBase + 0x10), AccessWidth.Dword, BigInt(v));
    sel(0x10 + 2 * 4 + 1);
    win(0);
    sel(0x10 + 2 * 4);
    win(0x8000 | 0x24); // level, vector 0x24, pin 4 (COM1)
    irqs.setIrq(4, true);
    const l = irqs.lapic(0);
    expect(l.acknowledge()).toBe(0x24);
    w(0, 0xb0, 0); // EOI with the line still high: delivered again
    expect(l.acknowledge()).toBe(0x24);
    irqs.setIrq(4, false);
    w(0, 0xb0, 0);
    expect(l.hasInterrupt()).toBe(false);
  });

  it("returns every vLAPIC to power-on on a VM restart, its timer cancelled", () => {
    const { host, irqs, w, r } = setup(1);
    const [window] = irqs.mmioDevices();
    w(0, 0xf0, 0x1ff);
    w(0, 0x320, 0x2_0040); // periodic
    w(0, 0x380, 100);
    window!.reset?.();
    host.advance(1000);
    expect(irqs.lapic(0).hasInterrupt()).toBe(false);
    expect(r(0, 0xf0)).toBe(0xff); // SVR at reset: software-disabled
    expect(r(0, 0x320)).toBe(0x1_0000); // timer LVT masked
  });
});
