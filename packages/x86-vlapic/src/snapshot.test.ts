import { createTestHost } from "@axvisor/axvisor-api/testing";
import { AccessWidth, gpa, port } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { X86_APIC, X86VmInterrupts } from "./vm-interrupts.js";

function vm() {
  const host = createTestHost({ timerHz: 1e9, vms: { 1: 2 } });
  const irqs = new X86VmInterrupts({
    vmId: 1,
    apicIds: [0, 1],
    host,
    tscHz: 1e9,
    wake: () => {},
  });
  const [window] = irqs.mmioDevices();
  const w = (vcpu: number, off: number, v: number) =>
    window!.handleWrite(gpa(X86_APIC.lapicBase + off), AccessWidth.Dword, BigInt(v), {
      vcpuId: vcpu,
    });
  const r = (vcpu: number, off: number) =>
    Number(window!.handleRead(gpa(X86_APIC.lapicBase + off), AccessWidth.Dword, { vcpuId: vcpu }));
  return { host, irqs, w, r };
}

describe("X86VmInterrupts snapshot", () => {
  it("restored at another host time, the APIC timer fires at its guest deadline and the TSC goes on", () => {
    const a = vm();
    a.host.advance(5_000);
    a.w(1, 0xf0, 0x1ff); // SVR: enabled
    a.w(1, 0x3e0, 0xb); // divide by 1
    a.w(1, 0x320, 0x2_0042); // periodic, vector 0x42
    a.w(1, 0x380, 1000);
    a.host.advance(300);
    a.irqs.pic.masterPorts.handleWrite(port(0x21), AccessWidth.Byte, 0xfbn); // 8259 mask
    const saved = a.irqs.saveState({ hostTicks: 5_300 });
    expect(saved.guestTicks).toBe(5_300);

    // A new process: the host clock is at 100, far before the saved guest time.
    const b = vm();
    b.host.advance(100);
    b.irqs.loadState(saved, { hostTicks: 100 });
    expect(b.irqs.clock.ticks).toBe(5_200);
    expect(b.r(1, 0x390)).toBe(700); // current count: 300 of 1000 elapsed
    const l = b.irqs.lapic(1);
    b.host.advance(699);
    expect(l.hasInterrupt()).toBe(false);
    b.host.advance(1);
    expect(l.hasInterrupt()).toBe(true);
    expect(l.acknowledge()).toBe(0x42);
    expect(Number(b.irqs.pic.masterPorts.handleRead(port(0x21), AccessWidth.Byte))).toBe(0xfb);
    // Saved again at the instant it was restored: the same state.
    expect(b.irqs.saveState({ hostTicks: 100 }).guestTicks).toBe(5_300);
  });

  it("refuses state that does not fit, naming the field", () => {
    const a = vm();
    const saved = a.irqs.saveState({ hostTicks: 0 });
    const b = vm();
    const lapics = saved.lapics as Record<string, unknown>[];
    const broken = { ...saved, lapics: [lapics[0]!, { ...lapics[1], nmi: "yes" }] };
    expect(() => b.irqs.loadState(broken as never, { hostTicks: 0 })).toThrow(
      'vLAPIC of vCPU 1: saved state field "nmi" is not a boolean',
    );
    expect(() => b.irqs.loadState({ ...saved, lapics: [] }, { hostTicks: 0 })).toThrow(
      'x86 interrupt controllers: saved state field "lapics" is not an array of 2',
    );
  });
});
