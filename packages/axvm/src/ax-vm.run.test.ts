import { AxError } from "@axvisor/axerrno";
import { CurrentVCpu, type ExitReason, VCpuState } from "@axvisor/axvcpu";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { AccessWidth, gpa, MappingFlags, port, sysRegAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { runningVm } from "./test-support/harness.js";

const REGS = 0x0c00_0000;
const HYPERCALL: ExitReason = { kind: "Hypercall", nr: 1n, args: [0n, 0n, 0n, 0n, 0n, 0n] };

const mmioRead = (
  addr: number,
  width: AccessWidth,
  signExtend: boolean,
  reg = 10,
  regWidth = AccessWidth.Qword,
): ExitReason => ({ kind: "MmioRead", addr: gpa(addr), width, reg, regWidth, signExtend });

const mmioWrite = (addr: number, width: AccessWidth, data: bigint): ExitReason => ({
  kind: "MmioWrite",
  addr: gpa(addr),
  width,
  data,
});

describe("runVcpu serves device accesses", () => {
  it("dispatches MMIO writes and reads to the device and writes the result register", () => {
    const { vm, factory, devices } = runningVm({
      script: (id) =>
        id === 0
          ? [
              mmioWrite(REGS + 8, AccessWidth.Dword, 0x1234_5678n),
              mmioRead(REGS + 8, 4, false, 11),
              HYPERCALL,
            ]
          : [],
    });
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(devices[0]!.accesses).toEqual(["w4@8=12345678", "r4@8"]);
    expect(factory.latest(0).callsOf("setGpr")).toEqual([
      { op: "setGpr", index: 11, value: 0x1234_5678n },
    ]);
    // runVcpu binds around the run and leaves the vCPU unbound.
    expect(
      factory
        .latest(0)
        .calls.map((c) => c.op)
        .slice(3),
    ).toEqual(["bind", "run", "run", "setGpr", "run", "unbind"]);
    expect(vm.vcpu(0).state).toBe(VCpuState.Free);
  });

  it("masks loads to the access width and sign-extends them when the instruction asks", () => {
    // Device register bytes 0..7, little-endian: b8 27 16 05 f4 a3 92 81 from high to low.
    const bytes = [0x81, 0x92, 0xa3, 0xf4, 0x05, 0x16, 0x27, 0xb8];
    const loads: [ExitReason, bigint][] = [
      [mmioRead(REGS, AccessWidth.Byte, false), 0x81n],
      [mmioRead(REGS, AccessWidth.Byte, true), 0xffff_ffff_ffff_ff81n],
      [mmioRead(REGS, AccessWidth.Word, false), 0x9281n],
      [mmioRead(REGS, AccessWidth.Word, true), 0xffff_ffff_ffff_9281n],
      [mmioRead(REGS, AccessWidth.Dword, false), 0xf4a3_9281n],
      [mmioRead(REGS, AccessWidth.Dword, true), 0xffff_ffff_f4a3_9281n],
      [mmioRead(REGS, AccessWidth.Qword, false), 0xb827_1605_f4a3_9281n],
      [mmioRead(REGS, AccessWidth.Qword, true), 0xb827_1605_f4a3_9281n],
      // Positive values are unchanged by sign extension.
      [mmioRead(REGS + 4, AccessWidth.Byte, true), 0x05n],
      [mmioRead(REGS + 4, AccessWidth.Word, true), 0x1605n],
      // A 32-bit destination (ARM `ldrsb w1`): sign-extended to 32 bits, upper half clear.
      [mmioRead(REGS, AccessWidth.Byte, true, 1, AccessWidth.Dword), 0xffff_ff81n],
      [mmioRead(REGS, AccessWidth.Qword, false, 1, AccessWidth.Dword), 0xf4a3_9281n],
    ];
    const { vm, factory, devices } = runningVm({
      script: (id) => (id === 0 ? [...loads.map(([e]) => e), HYPERCALL] : []),
    });
    devices[0]!.bytes.set(bytes);
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(
      factory
        .latest(0)
        .callsOf("setGpr")
        .map((c) => c.value),
    ).toEqual(loads.map(([, v]) => v));
  });

  it("masks stored data to the access width", () => {
    const { vm, devices } = runningVm({
      script: (id) =>
        id === 0
          ? [
              mmioWrite(REGS, AccessWidth.Byte, 0xffff_ffff_ffff_ff80n),
              mmioWrite(REGS + 2, AccessWidth.Word, 0x1_2345n),
              HYPERCALL,
            ]
          : [],
    });
    vm.runVcpu(0);
    expect(devices[0]!.accesses).toEqual(["w1@0=80", "w2@2=2345"]);
    expect([...devices[0]!.bytes.subarray(0, 5)]).toEqual([0x80, 0, 0x45, 0x23, 0]);
  });

  it("returns every exit that is the VMM's business unchanged", () => {
    const exits: ExitReason[] = [
      HYPERCALL,
      { kind: "Halt" },
      { kind: "CpuUp", targetCpu: 0x11n, entryPoint: gpa(0x8020_0000), arg: 5n },
      { kind: "SystemDown", resetType: "shutdown", reason: 0 },
      { kind: "ExternalInterrupt", vector: 9 },
      { kind: "Nothing" },
    ];
    const { vm } = runningVm({ script: (id) => (id === 0 ? exits : []) });
    for (const e of exits) expect(vm.runVcpu(0)).toBe(e);
  });
});

describe("accesses nothing serves fault the guest, and the VM keeps running", () => {
  it("hands a device miss to the backend's fault hook and carries on", () => {
    const missRead = mmioRead(0x0c00_1000, AccessWidth.Dword, false, 12);
    const straddle = mmioRead(REGS + 0xfe, AccessWidth.Dword, false, 13);
    const missWrite = mmioWrite(0x0e00_0000, AccessWidth.Byte, 1n);
    const { vm, factory, faults, host } = runningVm({
      script: (id) => (id === 0 ? [missRead, straddle, missWrite, HYPERCALL, HYPERCALL] : []),
    });
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    const injected = factory.latest(0).callsOf("injectFault");
    expect(injected.map((c) => c.fault.exit)).toEqual([missRead, straddle, missWrite]);
    expect(injected.map((c) => c.fault.error.kind)).toEqual([
      "BadAddress",
      "BadAddress",
      "BadAddress",
    ]);
    expect(injected.map((c) => c.fault.error.message)).toEqual([
      "no MMIO device at GPA:0xc00_1000 (4-byte read)",
      '4-byte MMIO read at GPA:0xc00_00fe straddles the end of device "regs" [GPA:0xc00_0000, GPA:0xc00_0100)',
      "no MMIO device at GPA:0xe00_0000 (1-byte write)",
    ]);
    // The faulting loads did not write their destination registers.
    expect(factory.latest(0).callsOf("setGpr")).toEqual([]);
    expect(faults.map((f) => [f.vcpuId, f.action])).toEqual([
      [0, "injected"],
      [0, "injected"],
      [0, "injected"],
    ]);
    expect(vm.guestFaultCount).toBe(3);
    expect(host.logs.filter((l) => l.level === "warn")).toHaveLength(3);
    // The guest goes on.
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(vm.status).toBe("Running");
  });

  it("without a fault hook, loads read as zero, stores are dropped and a stray page fault goes to the VMM", () => {
    const npf: ExitReason = {
      kind: "NestedPageFault",
      addr: gpa(0x5000_0000),
      accessFlags: MappingFlags.EXECUTE,
    };
    const { vm, factory, faults } = runningVm({
      injectFaults: false,
      script: (id) =>
        id === 0
          ? [
              mmioRead(0x0e00_0000, AccessWidth.Qword, true, 7),
              mmioWrite(0x0e00_0000, AccessWidth.Qword, 5n),
              { kind: "SysRegRead", addr: sysRegAddr(0x5c0), reg: 6 },
              { kind: "SysRegWrite", addr: sysRegAddr(0x5c0), value: 1n },
              { kind: "IoRead", port: port(0x80), width: AccessWidth.Byte },
              { kind: "IoWrite", port: port(0x80), width: AccessWidth.Byte, data: 1n },
              npf,
            ]
          : [],
    });
    const arch = factory.latest(0);
    arch.gprs.set(0, 0x1122_3344_5566_7788n);
    expect(vm.runVcpu(0)).toBe(npf);
    expect(arch.callsOf("setGpr")).toEqual([
      { op: "setGpr", index: 7, value: 0n },
      { op: "setGpr", index: 6, value: 0n },
      // `in al` keeps the rest of rax.
      { op: "setGpr", index: 0, value: 0x1122_3344_5566_7700n },
    ]);
    expect(faults.map((f) => f.action)).toEqual([
      "read-as-zero",
      "write-ignored",
      "read-as-zero",
      "write-ignored",
      "read-as-zero",
      "write-ignored",
      "returned",
    ]);
    expect(vm.vcpu(0).state).toBe(VCpuState.Free);
  });

  it("turns a device's own refusal into a guest fault with the device's error", () => {
    const { vm, factory, devices } = runningVm({
      script: (id) => (id === 0 ? [mmioWrite(REGS, AccessWidth.Dword, 1n), HYPERCALL] : []),
    });
    devices[0]!.onWrite = () => {
      throw new AxError("PermissionDenied", "control register is locked");
    };
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    const [call] = factory.latest(0).callsOf("injectFault");
    expect(call!.fault.error.kind).toBe("PermissionDenied");
    expect(call!.fault.error.message).toBe(
      'MMIO device "regs" refused a 4-byte write at GPA:0xc00_0000: control register is locked',
    );
  });
});

describe("lazily allocated guest memory", () => {
  it("never shows a new VM the data a deleted VM left in host frames", () => {
    // As the VMM's boards run it: frames never handed out are not zeroed again.
    const host = createTestHost({ ramSize: 32 * 1024 * 1024, poolIsZero: true });
    const first = runningVm({ host });
    const secret = new Uint8Array(0x40_0000).fill(0x5a);
    expect(first.vm.writeGuest(0x8000_0000, secret).ok).toBe(true);
    first.vm.shutdown();
    first.vm.destroy();
    // The second VM's first touches (a store fault, a load reported as MMIO, a fetch) get
    // those frames back, in blocks and in 64 KiB groups: they must read as zero.
    const store: ExitReason = {
      kind: "NestedPageFault",
      addr: gpa(0x8000_0010),
      accessFlags: MappingFlags.WRITE,
    };
    const fetch: ExitReason = {
      kind: "NestedPageFault",
      addr: gpa(0x8030_0000),
      accessFlags: MappingFlags.EXECUTE,
    };
    const second = runningVm({
      host,
      script: (id) =>
        id === 0
          ? [store, mmioRead(0x8020_0008, AccessWidth.Qword, false, 5), fetch, HYPERCALL]
          : [],
    });
    expect(second.vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(second.factory.latest(0).gprs.get(5)).toBe(0n);
    expect(second.faults).toEqual([]);
    const all = second.vm.readGuest(0x8000_0000, 0x40_0000);
    expect(all.ok && all.value.every((b) => b === 0)).toBe(true);
  });

  it("resolves a nested page fault inside runVcpu by giving the page a frame", () => {
    const { vm, factory, faults, host } = runningVm({
      script: (id) =>
        id === 0
          ? [
              {
                kind: "NestedPageFault",
                addr: gpa(0x8010_0a00),
                accessFlags: MappingFlags.READ | MappingFlags.EXECUTE,
              },
              HYPERCALL,
            ]
          : [],
    });
    expect(vm.addrSpace.translate(0x8010_0000)).toBeNull();
    const before = host.frameStats().used;
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(vm.addrSpace.translate(0x8010_0000)).not.toBeNull();
    expect(host.frameStats().used).toBeGreaterThan(before);
    expect(faults).toEqual([]);
    expect(factory.latest(0).callsOf("run")).toHaveLength(2);
  });

  it("completes an access reported as MMIO from RAM when it is a first touch of lazy memory", () => {
    const { vm, factory } = runningVm({
      script: (id) =>
        id === 0
          ? [
              mmioWrite(0x8020_0010, AccessWidth.Dword, 0x1_cafe_baben),
              mmioRead(0x8020_0010, AccessWidth.Word, true, 5),
              mmioRead(0x8020_0012, AccessWidth.Word, false, 6),
              HYPERCALL,
            ]
          : [],
    });
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    const mem = vm.readGuest(0x8020_0010, 4);
    expect(mem.ok && [...mem.value]).toEqual([0xbe, 0xba, 0xfe, 0xca]);
    expect(factory.latest(0).callsOf("setGpr")).toEqual([
      { op: "setGpr", index: 5, value: 0xffff_ffff_ffff_baben },
      { op: "setGpr", index: 6, value: 0xcafen },
    ]);
    expect(factory.latest(0).callsOf("injectFault")).toEqual([]);
  });

  it("does not let a store through to read-only memory", () => {
    const store: ExitReason = {
      kind: "NestedPageFault",
      addr: gpa(0x9000_0010),
      accessFlags: MappingFlags.WRITE,
    };
    const storeAsMmio = mmioWrite(0x9000_0010, AccessWidth.Byte, 0xffn);
    const { vm, factory } = runningVm({
      script: (id) =>
        id === 0
          ? [store, storeAsMmio, mmioRead(0x9000_0010, AccessWidth.Byte, false, 3), HYPERCALL]
          : [],
    });
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    const injected = factory.latest(0).callsOf("injectFault");
    expect(injected.map((c) => c.fault.exit)).toEqual([store, storeAsMmio]);
    expect(injected[0]!.fault.error.message).toBe(
      "no guest memory at GPA:0x9000_0010 allows this access",
    );
    // Reading the page is allowed, and it still holds zero.
    expect(factory.latest(0).callsOf("setGpr")).toEqual([{ op: "setGpr", index: 3, value: 0n }]);
  });
});

describe("scheduling support", () => {
  it("returns Nothing after the exit budget so one vCPU cannot starve the VMM", () => {
    const writes = Array.from({ length: 5 }, (_, i) =>
      mmioWrite(REGS, AccessWidth.Byte, BigInt(i)),
    );
    const { vm, devices } = runningVm({
      script: (id) => (id === 0 ? [...writes, HYPERCALL] : []),
      deps: { exitBudget: 3 },
    });
    expect(vm.runVcpu(0)).toEqual({ kind: "Nothing" });
    expect(devices[0]!.accesses).toHaveLength(3);
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    expect(devices[0]!.accesses).toHaveLength(5);
  });

  it("reports exits to onExits per run of one kind, with counts and times that add up", () => {
    const writes = (n: number) =>
      Array.from({ length: n }, (_, i) => mmioWrite(REGS, AccessWidth.Byte, BigInt(i & 0xff)));
    const reads = Array.from({ length: 2 }, () => mmioRead(REGS, AccessWidth.Byte, false));
    const seen: { kind: string; count: number; served: number; serve: number; trip: number }[] = [];
    const { vm, devices } = runningVm({
      script: (id) => (id === 0 ? [...writes(150), ...reads, ...writes(3), HYPERCALL] : []),
      deps: {
        onExits: (vcpuId, kind, count, served, serve, trip) => {
          expect(vcpuId).toBe(0);
          seen.push({ kind, count, served, serve, trip });
        },
      },
    });
    const t0 = performance.now();
    expect(vm.runVcpu(0)).toEqual(HYPERCALL);
    const wall = performance.now() - t0;
    expect(devices[0]!.accesses).toHaveLength(155);
    // The Hypercall goes back to the caller unserved.
    expect(seen.map(({ kind, count, served }) => [kind, count, served])).toEqual([
      ["MmioWrite", 150, 150],
      ["MmioRead", 2, 2],
      ["MmioWrite", 3, 3],
      ["Hypercall", 1, 0],
    ]);
    let trips = 0;
    for (const r of seen) {
      expect(r.serve).toBeGreaterThanOrEqual(0);
      expect(r.serve).toBeLessThanOrEqual(r.trip);
      trips += r.trip;
    }
    expect(seen.at(-1)?.serve).toBe(0);
    expect(trips).toBeGreaterThan(0);
    expect(trips).toBeLessThanOrEqual(wall);
  });

  it("reports the exits before an exit budget's Nothing", () => {
    const counts: [string, number][] = [];
    const { vm } = runningVm({
      script: (id) =>
        id === 0 ? Array.from({ length: 5 }, () => mmioWrite(REGS, AccessWidth.Byte, 1n)) : [],
      deps: { exitBudget: 3, onExits: (_v, kind, count) => counts.push([kind, count]) },
    });
    expect(vm.runVcpu(0)).toEqual({ kind: "Nothing" });
    expect(counts).toEqual([["MmioWrite", 3]]);
  });

  it("binds to the physical CPU it is given and refuses a nested run on that CPU", () => {
    const cpu = new CurrentVCpu(4);
    let inner: unknown;
    const { vm } = runningVm({
      script: (id) =>
        id === 0
          ? [
              () => {
                expect(cpu.current?.vcpuId).toBe(0);
                try {
                  vm.runVcpu(1, { cpu });
                } catch (e) {
                  inner = e;
                }
                return HYPERCALL;
              },
            ]
          : [],
    });
    expect(vm.runVcpu(0, { cpu })).toEqual(HYPERCALL);
    expect(AxError.is(inner, "BadState")).toBe(true);
    expect((inner as Error).message).toContain("physical CPU 4 is already working on VM 1 vCPU 0");
  });

  it("parks a halted vCPU until an interrupt is injected into it", () => {
    const { vm, factory } = runningVm({ script: () => [{ kind: "Halt" }, HYPERCALL] });
    expect(vm.runVcpu(1)).toEqual({ kind: "Halt" });
    vm.haltVcpu(1);
    expect(vm.vcpu(1).state).toBe(VCpuState.Blocked);
    expect(() => vm.runVcpu(1)).toThrow(
      'VM 1 "test-vm": vCPU 1 is Blocked (halted, waiting for an interrupt) and cannot run',
    );
    // vCPU 0 is not affected.
    expect(vm.runVcpu(0)).toEqual({ kind: "Halt" });

    vm.injectInterruptToVcpu(0b10n, 9);
    expect(factory.latest(1).callsOf("injectInterrupt")).toEqual([
      { op: "injectInterrupt", vector: 9 },
    ]);
    expect(vm.isHalted(1)).toBe(false);
    expect(vm.runVcpu(1)).toEqual(HYPERCALL);
  });

  it("wakes a halted vCPU without an injection (its own timer, a raised level, console input)", () => {
    const { vm, factory } = runningVm({ script: () => [{ kind: "Halt" }, HYPERCALL] });
    expect(vm.runVcpu(1)).toEqual({ kind: "Halt" });
    vm.haltVcpu(1);
    vm.suspend();
    vm.wakeVcpu(1);
    // Suspended: it stays parked, and resume does not run a vCPU that was woken meanwhile twice.
    expect(vm.vcpu(1).state).toBe(VCpuState.Blocked);
    vm.resume();
    expect(vm.isHalted(1)).toBe(false);
    expect(vm.runVcpu(1)).toEqual(HYPERCALL);
    expect(factory.latest(1).callsOf("injectInterrupt")).toEqual([]);
    vm.wakeVcpu(0); // not halted: nothing happens
    expect(vm.vcpu(0).state).toBe(VCpuState.Free);
  });

  it("injects by vCPU id or mask and rejects masks naming missing vCPUs", () => {
    const { vm, factory } = runningVm();
    vm.injectInterruptToVcpu(0b11n, 5);
    vm.injectInterruptToVcpu(1, 6);
    expect(
      factory
        .latest(0)
        .callsOf("injectInterrupt")
        .map((c) => c.vector),
    ).toEqual([5]);
    expect(
      factory
        .latest(1)
        .callsOf("injectInterrupt")
        .map((c) => c.vector),
    ).toEqual([5, 6]);
    expect(() => vm.injectInterruptToVcpu(0b100n, 1)).toThrow(/mask 0x4 names vCPUs/);
    expect(() => vm.injectInterruptToVcpu(2, 1)).toThrow(/has no vCPU 2/);
  });
});

describe("guest memory access for the VMM", () => {
  it("gives host views for loading an image in place, across lazily allocated pages", () => {
    const { vm } = runningVm();
    const views = vm.imageLoadRegion(0x8000_0ff0, 0x2020);
    expect(views.reduce((n, v) => n + v.length, 0)).toBe(0x2020);
    let k = 0;
    for (const v of views) for (let i = 0; i < v.length; i++) v[i] = k++ & 0xff;
    const back = vm.readGuest(0x8000_0ff0, 0x2020);
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.value[0]).toBe(0);
      expect(back.value[0x10]).toBe(0x10);
      expect(back.value[0x201f]).toBe(0x201f & 0xff);
    }
    expect(() => vm.imageLoadRegion(0x803f_f000, 0x2000)).toThrow(
      'VM 1 "test-vm": image region [GPA:0x803f_f000, GPA:0x8040_1000) is not guest memory at GPA:0x8040_0000',
    );
  });

  it("reports reads and writes outside guest memory as results", () => {
    const { vm } = runningVm();
    const r = vm.readGuest(0x7000_0000, 4);
    expect(r.ok).toBe(false);
    expect(vm.writeGuest(0x8040_0000 - 2, new Uint8Array(4)).ok).toBe(false);
  });
});
