import { AxError } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import type { HostServices } from "../host-services.js";
import { createTestHost } from "./test-host.js";

describe("createTestHost", () => {
  it("is a HostServices with real RAM and frame accounting", () => {
    const host = createTestHost({ ramBase: 0x8000_0000, ramSize: 0x10_0000 });
    const services: HostServices = host;
    const f = services.memory.allocFrame()!;
    expect(f).toBe(0x8000_0000);
    services.memory.hostBuffer(f, 4).set([0xde, 0xad, 0xbe, 0xef]);
    expect([...host.ram.subarray(0, 4)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(host.frameStats()).toEqual({ total: 256, free: 255, used: 1 });
    expect(host.memory.outstandingFrames).toBe(1);
    services.memory.deallocFrame(f);
    expect(host.frameStats().used).toBe(0);
    expect(host.memory.outstandingFrames).toBe(0);
  });

  it("fails the next n allocations, then recovers", () => {
    const host = createTestHost();
    host.failNextAllocations(2);
    expect(host.memory.allocFrame()).toBeNull();
    expect(host.memory.allocContiguousFrames(4, 0x4000)).toBeNull();
    expect(host.memory.allocFrame()).not.toBeNull();
    expect(host.frameStats().used).toBe(1);
    expect(host.memory.allocCalls).toBe(3);
  });

  it("fails every allocation after the first n until cleared", () => {
    const host = createTestHost();
    host.failAllocationsAfter(2);
    expect(host.memory.allocFrame()).not.toBeNull();
    expect(host.memory.allocContiguousFrames(2, 0x1000)).not.toBeNull();
    expect(host.memory.allocFrame()).toBeNull();
    expect(host.memory.allocFrame()).toBeNull();
    host.clearAllocationFaults();
    expect(host.memory.allocFrame()).not.toBeNull();
    expect(host.frameStats().used).toBe(4);
  });

  it("advances a manual clock, firing timers at their own deadlines", () => {
    const host = createTestHost({ timerHz: 10_000_000 });
    const seen: number[] = [];
    host.time.registerTimer(1_000, (now) => seen.push(now));
    const late = host.time.registerTimer(5_000, (now) => seen.push(now));
    // A periodic timer that re-arms itself every 400 ns.
    const tick = (now: number) => {
      seen.push(-now);
      if (now < 1_500) host.time.registerTimer(now + 400, tick);
    };
    host.time.registerTimer(800, tick);
    expect(host.advance(999)).toBe(1);
    expect(seen).toEqual([-800]);
    expect(host.advance(1_001)).toBe(3);
    expect(seen).toEqual([-800, 1_000, -1_200, -1_600]);
    host.time.cancelTimer(late);
    expect(host.advance(10_000)).toBe(0);
    expect(host.time.currentTimeNanos()).toBe(12_000);
    expect(host.time.currentTicks()).toBe(120);
    expect(host.time.ticksToNanos(3)).toBe(300);
    expect(() => host.advance(-1)).toThrow(/backwards/);
  });

  it("records interrupt injections and timer-expiry notifications, checking vCPU ids", () => {
    const host = createTestHost({ vms: { 1: 2, 2: 4 } });
    host.vmm.injectInterrupt(1, 1, 9);
    host.vmm.injectInterruptToCpus(2, 0b1010n, 5);
    host.vmm.notifyVcpuTimerExpired(2, 3);
    expect(host.injections).toEqual([
      { kind: "vcpu", vmId: 1, vcpuId: 1, vector: 9 },
      { kind: "cpus", vmId: 2, vcpuMask: 0b1010n, vector: 5 },
    ]);
    expect(host.timerExpirations).toEqual([{ vmId: 2, vcpuId: 3 }]);
    expect(() => host.vmm.injectInterrupt(1, 2, 9)).toThrow(/no vCPU 2/);
    expect(() => host.vmm.injectInterruptToCpus(1, 0b100n, 9)).toThrow(/mask 0x4/);
    let caught: unknown;
    try {
      host.vmm.vcpuNum(7);
    } catch (e) {
      caught = e;
    }
    expect(AxError.is(caught, "NotFound")).toBe(true);
  });

  it("answers VMM queries from its configuration", () => {
    const host = createTestHost({ vms: { 3: 3 }, currentVmId: 3, currentVcpuId: 2, hostCpuNum: 4 });
    expect(host.vmm.currentVmId()).toBe(3);
    expect(host.vmm.currentVcpuId()).toBe(2);
    expect(host.vmm.vcpuNum(3)).toBe(3);
    expect(host.vmm.activeVcpus(3)).toBe(0b111n);
    host.setActiveVcpus(3, 0b101n);
    expect(host.vmm.activeVcpus(3)).toBe(0b101n);
    host.setCurrent(3, 0);
    expect(host.vmm.currentVcpuId()).toBe(0);
    expect(host.host.hostCpuNum()).toBe(4);
  });

  it("records log lines", () => {
    const host = createTestHost();
    host.log.log("warn", "vcpu", "odd exit");
    expect(host.logs).toEqual([{ level: "warn", target: "vcpu", message: "odd exit" }]);
  });

  it("refuses to spin forever on a timer that re-arms itself in the past", () => {
    const host = createTestHost();
    const again = () => host.time.registerTimer(0, again);
    host.time.registerTimer(0, again);
    expect(() => host.advance(1)).toThrow(/re-arming/);
  });
});
