/**
 * The vCPU backend on the real emulated CPU: host-trap mode at EL2, a stage-2 table written by
 * @axvisor/page-table into host RAM, and test-guest/vcpu-guest.S running at EL1.
 */

import { axErr, err, ok } from "@axvisor/axerrno";
import type { ExitReason } from "@axvisor/axvcpu";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { Aarch64Cpu, SysReg, type SysRegDevice } from "@axvisor/cpu-aarch64";
import { AccessWidth, gpa, hpa, MappingFlags } from "@axvisor/memory-addr";
import { PageTable64 } from "@axvisor/page-table";
import { describe, expect, it } from "vitest";
import { ArmHostCpus, ArmPhysCpu } from "./host-cpus.js";
import { VCPU_GUEST } from "./testing/vcpu-guest.js";
import { ArmVCpu } from "./vcpu.js";
import { ArmVmContext } from "./vm-context.js";

const RAM_BASE = 0x4000_0000;
const ENTRY = 0x4000_0000;
const GUEST_RAM = 0x10_0000;

function machine(code: readonly number[] = VCPU_GUEST, sysRegDevice?: SysRegDevice) {
  const host = createTestHost({ ramBase: RAM_BASE, ramSize: 8 * 1024 * 1024 });
  const cpu = new Aarch64Cpu({
    cpuId: 0,
    mpidr: 0,
    bus: { ram: host.ram, ramBase: RAM_BASE, load: () => null, store: () => false },
    time: { now: () => host.time.currentTicks() },
    model: "cortex-a57",
    el2: true,
    ...(sysRegDevice ? { sysRegDevice } : {}),
  });
  const cpus = new ArmHostCpus([new ArmPhysCpu(0, cpu)]);
  cpus.current.hardwareEnable();
  const backing = host.memory.allocContiguousFrames(GUEST_RAM / 4096, 0x1000);
  if (backing === null) throw new Error("no host memory");
  host.memory
    .hostBuffer(backing, code.length * 4)
    .set(new Uint8Array(Uint32Array.from(code).buffer));
  const table = PageTable64.create("arm-s2-l3", host.memory);
  table.mapRegion(
    ENTRY,
    backing,
    GUEST_RAM,
    MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE,
    false,
  );
  const vm = new ArmVmContext(1, 3, 0n, {
    read: (g, len) => {
      const m = table.query(g);
      return m ? ok(host.memory.hostBuffer(hpa(m.paddr), len).slice()) : err("BadAddress");
    },
    write: () => err("Unsupported"),
  });
  vm.defineCpu(0, 0, true);
  vm.defineCpu(1, 1, false);
  const vcpu = new ArmVCpu(1, 0, { mpidr: 0, dtbAddr: gpa(0x4800_0000), vm, cpus }, host);
  vcpu.setEntry(gpa(ENTRY));
  vcpu.setEptRoot(table.root);
  vcpu.setup();
  vcpu.bind();
  return { host, cpu, cpus, vcpu, vm, table };
}

function next(vcpu: ArmVCpu): ExitReason {
  for (let i = 0; i < 100; i++) {
    const exit = vcpu.run();
    if (exit.kind !== "Nothing") return exit;
  }
  throw new Error("the guest never exited");
}

describe("ArmVCpu on the emulated CPU's EL2", () => {
  it("enters at EL1h with x0 = DTB, stage 2 tagged with the VM's VMID, and decodes ISV aborts", () => {
    const { cpu, vcpu } = machine();
    expect(vcpu.getGpr(0)).toBe(0x4800_0000n);
    expect(next(vcpu)).toEqual({
      kind: "MmioWrite",
      addr: 0x0900_0000,
      width: AccessWidth.Dword,
      data: 0x41n,
    });
    expect(cpu.readSysReg(SysReg.VTTBR_EL2) >> 48n).toBe(3n);
    expect(cpu.el).toBe(2);
    expect(next(vcpu)).toEqual({
      kind: "MmioRead",
      addr: 0x0900_0004,
      width: AccessWidth.Byte,
      reg: 4,
      regWidth: AccessWidth.Qword,
      signExtend: true,
    });
  });

  it("decodes a post-index load without ISV from the guest's instruction and applies the writeback", () => {
    const { vcpu } = machine();
    next(vcpu);
    next(vcpu);
    expect(next(vcpu)).toEqual({
      kind: "MmioRead",
      addr: 0x0900_0000,
      width: AccessWidth.Dword,
      reg: 5,
      regWidth: AccessWidth.Dword,
      signExtend: false,
    });
    expect(vcpu.getGpr(3)).toBe(0x0900_0008n);
  });

  it("answers PSCI and SMCCC itself, NOT_SUPPORTED for unknown calls, and exits for AxVisor hypercalls", () => {
    const { vcpu } = machine();
    for (let i = 0; i < 3; i++) next(vcpu);
    const hc = next(vcpu);
    // x1..x6 as the guest left them: 0x55, w2 = 0x41, x3 after the writeback, x6 = PSCI version.
    expect(hc).toEqual({
      kind: "Hypercall",
      nr: 2n,
      args: [0x55n, 0x41n, 0x0900_0008n, 0n, 0n, 0x1_0001n],
    });
    expect(vcpu.getGpr(6)).toBe(0x1_0001n); // PSCI 1.1
    expect(vcpu.getGpr(7)).toBe(0xffff_ffff_ffff_ffffn); // NOT_SUPPORTED over HVC
    expect(vcpu.getGpr(8)).toBe(0xffff_ffff_ffff_ffffn); // NOT_SUPPORTED over SMC
    vcpu.setReturnValue(0n);
  });

  it("injects UNDEFINED into the guest, and a data abort for an access the VMM cannot serve", () => {
    const { vcpu } = machine();
    for (let i = 0; i < 4; i++) next(vcpu);
    vcpu.setReturnValue(7n);
    const hole = next(vcpu);
    expect(hole).toEqual({
      kind: "MmioWrite",
      addr: 0x0a00_0010,
      width: AccessWidth.Qword,
      data: 0x41n,
    });
    // The udf ran through the guest's own vector: EC 0, IL, ELR at the udf.
    expect(vcpu.getGpr(10)).toBe(7n);
    expect(vcpu.getGpr(20)).toBe(0x0200_0000n);
    expect(vcpu.getGpr(21)).toBe(BigInt(ENTRY + 0x58)); // handler advanced ELR past the udf
    expect(vcpu.getGpr(9)).toBe(0x0a00_0010n); // pre-index writeback applied
    if (hole.kind !== "MmioWrite") throw new Error("unreachable");
    vcpu.injectFault({ exit: hole, error: axErr("BadAddress", "hole") });
    expect(vcpu.getGpr(9)).toBe(0x0a00_0000n); // the faulted access leaves its base alone
    const sysreg = next(vcpu);
    // Data abort from the same EL, synchronous external abort, WnR.
    expect(vcpu.getGpr(20)).toBe((0x25n << 26n) | (1n << 25n) | (1n << 6n) | 0x10n);
    expect(vcpu.getGpr(22)).toBe(0x0a00_0010n);
    expect(vcpu.getGpr(11)).toBe(0x0a00_0000n);
    expect(sysreg).toMatchObject({ kind: "SysRegWrite", addr: 0x32f804, value: 0x41n });
  });

  it("exits for trapped system registers, halts on WFI with nothing pending, and powers the system off", () => {
    const { vcpu } = machine();
    for (let i = 0; i < 4; i++) next(vcpu);
    const hole = next(vcpu);
    if (hole.kind !== "MmioWrite") throw new Error(`unexpected ${hole.kind}`);
    vcpu.injectFault({ exit: hole, error: axErr("BadAddress", "hole") });
    expect(next(vcpu)).toMatchObject({ kind: "SysRegWrite" });
    const read = next(vcpu);
    expect(read).toEqual({ kind: "SysRegRead", addr: 0x32f804, reg: 12 });
    vcpu.setGpr(12, 5n);
    expect(next(vcpu)).toEqual({ kind: "Halt" });
    expect(vcpu.getGpr(12)).toBe(5n);
    expect(next(vcpu)).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
  });

  it("does not halt on WFI while an interrupt is pending", () => {
    const { vcpu } = machine();
    for (let i = 0; i < 4; i++) next(vcpu);
    const hole = next(vcpu);
    if (hole.kind !== "MmioWrite") throw new Error(`unexpected ${hole.kind}`);
    vcpu.injectFault({ exit: hole, error: axErr("BadAddress", "hole") });
    next(vcpu);
    next(vcpu);
    vcpu.setInterruptLevel(33, true);
    // The virtual IRQ stays masked (DAIF.I) in this guest; the WFI completes instead of halting.
    expect(next(vcpu)).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
  });

  it("keeps its state across unbind/bind, also when preempted in the middle of a slice", () => {
    const { cpu, vcpu, cpus } = machine([0x91000400, 0x17ffffff]); // add x0, x0, #1 ; b .-4
    const small = new ArmVCpu(
      1,
      0,
      { ...vcpu.createConfig, sliceInstructions: 1001 },
      createTestHost({ ramBase: RAM_BASE, ramSize: 4096 }),
    );
    vcpu.unbind();
    small.setEntry(gpa(ENTRY));
    small.setEptRoot(hpa(Number(vcpu.readSys(SysReg.VTTBR_EL2) & 0xffff_ffff_ffffn)));
    small.setGpr(0, 0n);
    small.bind();
    expect(small.run()).toEqual({ kind: "Nothing" });
    small.unbind(); // preempts the guest between instructions
    expect(cpu.el).toBe(2);
    cpu.setX(0, 0xdeadn); // another vCPU would use the registers now
    expect(cpus.current.cpu.readSysReg(SysReg.VTTBR_EL2)).toBe(0n);
    small.bind();
    expect(small.getGpr(0)).toBe(501n);
    small.run();
    expect(small.getGpr(0)).toBe(1001n);
  });

  it("yields on WFE without halting: an event, not an interrupt, ends the wait", () => {
    // wfe ; mov w0, #0x84000000 ; movk w0, #8 ; hvc #0   (PSCI SYSTEM_OFF)
    const { vcpu } = machine([0xd503205f, 0x52b08000, 0x72800100, 0xd4000002]);
    expect(vcpu.run()).toEqual({ kind: "Nothing" });
    expect(vcpu.getPc()).toBe(BigInt(ENTRY + 4));
    expect(vcpu.run()).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
  });

  it("turns trapped SGI register writes into SendIPI with the target vCPUs resolved", () => {
    // x1 = INTID 3, TargetList {Aff0 1}; msr icc_sgi1r_el1, x1 ; msr icc_sgi0r_el1, x1 ;
    // msr icc_asgi1r_el1, x1 ; PSCI SYSTEM_OFF
    const code = [
      0xd2800041, 0xf2a06001, 0xd518cba1, 0xd518cbe1, 0xd518cbc1, 0x52b08000, 0x72800100,
      0xd4000002,
    ];
    const seen: number[] = [];
    const { vcpu } = machine(code, {
      read: () => 0n,
      write: (_id, enc) => {
        seen.push(enc);
        return true;
      },
    });
    const sgi = {
      kind: "SendIPI",
      targetCpu: 0n,
      targetCpuAux: 2n,
      sendToAll: false,
      sendToSelf: false,
      vector: 3,
      targetVcpus: [1],
    };
    expect(vcpu.run()).toEqual(sgi);
    expect(vcpu.run()).toEqual(sgi); // group 0 alike
    // ASGI1R is a no-op with one Security state; nothing reached the physical GIC.
    expect(vcpu.run()).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
    expect(seen).toEqual([]);
  });
});
