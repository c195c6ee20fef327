/**
 * ArmVCpu snapshot state on the real emulated CPU: what a guest left in its registers comes
 * back on a vCPU of another machine, guest time continues through CNTVOFF_EL2 whatever the
 * new host clock reads, a round trip reproduces the record, and a record that does not fit is
 * refused naming its field. Then the debugger mode: BRK stops the vCPU for the VMM only while
 * a debugger is attached, and a single step retires one instruction.
 */
import { err, ok } from "@axvisor/axerrno";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { Aarch64Cpu, SysReg } from "@axvisor/cpu-aarch64";
import { gpa, hpa, MappingFlags } from "@axvisor/memory-addr";
import { PageTable64 } from "@axvisor/page-table";
import { describe, expect, it } from "vitest";
import { ArmHostCpus, ArmPhysCpu } from "./host-cpus.js";
import { ArmVCpu } from "./vcpu.js";
import { ArmVmContext } from "./vm-context.js";

const RAM_BASE = 0x4000_0000;
/** movz x1, #0x1234; msr tpidr_el0, x1; wfi; b . */
const GUEST = [0xd2824681, 0xd51bd041, 0xd503207f, 0x14000000];
/** movz x1, #0x1234; brk #0; movz x2, #7; wfi */
const BRK_GUEST = [0xd2824681, 0xd4200000, 0xd28000e2, 0xd503207f];

function machine(code: readonly number[] = GUEST) {
  const host = createTestHost({ ramBase: RAM_BASE, ramSize: 4 << 20 });
  const cpu = new Aarch64Cpu({
    cpuId: 0,
    mpidr: 0,
    bus: { ram: host.ram, ramBase: RAM_BASE, load: () => null, store: () => false },
    time: { now: () => host.time.currentTicks() },
    model: "cortex-a57",
    el2: true,
  });
  const cpus = new ArmHostCpus([new ArmPhysCpu(0, cpu)]);
  cpus.current.hardwareEnable();
  const frames = host.memory.allocContiguousFrames(16, 0x1000);
  if (frames === null) throw new Error("no host memory");
  host.memory.hostBuffer(frames, 16).set(new Uint8Array(Uint32Array.from(code).buffer));
  const table = PageTable64.create("arm-s2-l3", host.memory);
  table.mapRegion(RAM_BASE, frames, 0x1_0000, MappingFlags.READ | MappingFlags.EXECUTE, false);
  const vm = new ArmVmContext(1, 2, 0n, {
    read: (g, len) => {
      const m = table.query(g);
      return m ? ok(host.memory.hostBuffer(hpa(m.paddr), len).slice()) : err("BadAddress");
    },
    write: () => err("Unsupported"),
  });
  vm.defineCpu(0, 0, true);
  const vcpu = new ArmVCpu(1, 0, { mpidr: 0, dtbAddr: gpa(0x4800_0000), vm, cpus }, host);
  vcpu.setEntry(gpa(RAM_BASE));
  vcpu.setEptRoot(table.root);
  return { vcpu, vm, table };
}

describe("ArmVCpu saveState / loadState", () => {
  it("brings registers, pc and guest time back on another machine; a round trip is identical", () => {
    const a = machine();
    a.vcpu.bind();
    let exit = a.vcpu.run();
    for (let i = 0; i < 10 && exit.kind === "Nothing"; i++) exit = a.vcpu.run();
    expect(exit.kind).toBe("Halt");
    a.vcpu.unbind();
    a.vcpu.setVreg(
      3,
      Uint8Array.from({ length: 16 }, (_, i) => i + 1),
    );
    a.vcpu.setFpStatus(0x10, 0x0200_0000);
    a.vcpu.dispose();
    const saved = a.vcpu.saveState({ hostTicks: 1_000_000 });
    expect(saved.guestNow).toBe("0xf4240");
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);

    const b = machine();
    // The new host's clock is behind the saved guest time: CNTVOFF wraps below zero.
    b.vcpu.loadState(saved, { hostTicks: 250 });
    expect(b.vcpu.getGpr(1)).toBe(0x1234n);
    expect(b.vcpu.readSys(SysReg.TPIDR_EL0)).toBe(0x1234n);
    expect(b.vcpu.getPc()).toBe(BigInt(RAM_BASE + 12));
    expect(b.vcpu.getVreg(3)).toEqual(Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    expect(b.vcpu.getFpStatus()).toEqual({ fpsr: 0x10, fpcr: 0x0200_0000 });
    expect(b.vcpu.readSys(SysReg.CNTVOFF_EL2)).toBe(BigInt.asUintN(64, 250n - 1_000_000n));
    // The stage-2 root and VMID stay the restoring VM's own.
    expect(b.vcpu.readSys(SysReg.VTTBR_EL2)).toBe((2n << 48n) | BigInt(b.table.root));
    expect(b.vcpu.saveState({ hostTicks: 250 })).toEqual(saved);
    b.vcpu.dispose();
  });

  it("refuses a record that does not fit, naming the field, and changes nothing", () => {
    const a = machine();
    const saved = a.vcpu.saveState({ hostTicks: 0 });
    const b = machine();
    b.vcpu.setGpr(5, 55n);
    expect(() => b.vcpu.loadState({ ...saved, gpr: [1, 2, 3] }, { hostTicks: 0 })).toThrow(
      'vCPU 0: saved state field "gpr" is not an array of 62 integers',
    );
    const sys = { ...(saved.sys as Record<string, string>) };
    delete sys[`0x${SysReg.SCTLR_EL1.toString(16)}`];
    expect(() => b.vcpu.loadState({ ...saved, sys }, { hostTicks: 0 })).toThrow(
      `vCPU 0.sys: saved state field "0x${SysReg.SCTLR_EL1.toString(16)}" is not a 64-bit hex value`,
    );
    expect(b.vcpu.getGpr(5)).toBe(55n);
  });

  it("saves and restores PSCI power states by MPIDR", () => {
    const a = machine();
    a.vm.defineCpu(1, 1, false);
    a.vm.setState(1, 2);
    const b = machine();
    b.vm.defineCpu(1, 1, false);
    b.vm.loadState(a.vm.saveState());
    expect(b.vm.state(1)).toBe(2);
    const c = machine();
    c.vm.defineCpu(5, 1, false);
    expect(() => c.vm.loadState(a.vm.saveState())).toThrow(/vCPU 1 at MPIDR 0x1, this VM does not/);
  });
});

describe("ArmVCpu debugger mode", () => {
  it("stops at BRK for the debugger (MDCR_EL2.TDE), steps one instruction, and lets BRK reach the guest when detached", () => {
    const { vcpu } = machine(BRK_GUEST);
    vcpu.setDebugTrap(true);
    vcpu.bind();
    expect(vcpu.run()).toEqual({ kind: "Nothing" });
    expect(vcpu.takeDebugStop()).toBe("breakpoint");
    expect(vcpu.getPc()).toBe(BigInt(RAM_BASE + 4));
    expect(vcpu.getGpr(1)).toBe(0x1234n);
    // The debugger moves past the BRK and steps: exactly one instruction runs.
    vcpu.unbind();
    vcpu.setPc(BigInt(RAM_BASE + 8));
    vcpu.setSingleStep(true);
    vcpu.bind();
    vcpu.run();
    expect(vcpu.takeDebugStop()).toBe("step");
    vcpu.unbind();
    expect(vcpu.getGpr(2)).toBe(7n);
    expect(vcpu.getPc()).toBe(BigInt(RAM_BASE + 12));
    vcpu.setSingleStep(false);
    // Detached: the BRK is the guest's own debug exception (EC 0x3c at its EL1 vector).
    vcpu.setDebugTrap(false);
    vcpu.setPc(BigInt(RAM_BASE + 4));
    vcpu.bind();
    vcpu.run();
    vcpu.unbind();
    expect(vcpu.takeDebugStop()).toBe(null);
    expect(Number(vcpu.readSys(SysReg.ESR_EL1) >> 26n)).toBe(0x3c);
    expect(vcpu.readSys(SysReg.ELR_EL1)).toBe(BigInt(RAM_BASE + 4));
    vcpu.dispose();
  });
});
