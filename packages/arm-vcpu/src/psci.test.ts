/** PSCI over HVC/SMC on the real CPU, from a guest program (see the comments per word). */

import { axErr } from "@axvisor/axerrno";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { Aarch64Cpu, SysReg } from "@axvisor/cpu-aarch64";
import { gpa, MappingFlags } from "@axvisor/memory-addr";
import { PageTable64 } from "@axvisor/page-table";
import { describe, expect, it } from "vitest";
import { ArmHostCpus, ArmPhysCpu } from "./host-cpus.js";
import { AffinityState } from "./psci.js";
import { ArmVCpu } from "./vcpu.js";
import { ArmVmContext } from "./vm-context.js";

// aarch64-linux-gnu-as:
//   CPU_ON(x1 = 1, x2 = 0x4000_1000, x3 = 0x77) -> x10; again -> x11; AFFINITY_INFO(1, 0) -> x12;
//   CPU_ON(5) -> x13; PSCI_FEATURES(SMCCC_VERSION) -> x14; SMCCC_VERSION -> x15;
//   MIGRATE_INFO_TYPE over SMC -> x16; CPU_OFF; then a branch to 0x8000_0000 (unmapped).
const PROGRAM = [
  0x52b88000,
  0x72800060,
  0xd2800021,
  0xd2a80002,
  0xf2820002,
  0xd2800ee3,
  0xd4000002,
  0xaa0003ea,
  0x52b88000,
  0x72800060,
  0xd4000002,
  0xaa0003eb,
  0x52b88000,
  0x72800080,
  0xd2800002,
  0xd4000002,
  0xaa0003ec,
  0x52b88000,
  0x72800060,
  0xd28000a1,
  0xd4000002,
  0xaa0003ed,
  0x52b08000,
  0x72800140,
  0x52b00001,
  0xd4000002,
  0xaa0003ee,
  0x52b00000,
  0xd4000002,
  0xaa0003ef,
  0x52b08000,
  0x728000c0,
  0xd4000003,
  0xaa0003f0,
  0x52b08000,
  0x72800040,
  0xd4000002,
  0xd2b00001, // mov x1, #0x80000000
  0xd61f0020, // br x1
];
const ENTRY = 0x4000_0000;

function setup() {
  const host = createTestHost({ ramBase: ENTRY, ramSize: 4 * 1024 * 1024 });
  const cpu = new Aarch64Cpu({
    cpuId: 0,
    mpidr: 0,
    bus: { ram: host.ram, ramBase: ENTRY, load: () => null, store: () => false },
    time: { now: () => host.time.currentTicks() },
    model: "cortex-a57",
    el2: true,
  });
  const cpus = new ArmHostCpus([new ArmPhysCpu(0, cpu)]);
  cpus.current.hardwareEnable();
  const backing = host.memory.allocContiguousFrames(16, 0x1000);
  if (backing === null) throw new Error("no host memory");
  host.memory
    .hostBuffer(backing, PROGRAM.length * 4)
    .set(new Uint8Array(Uint32Array.from(PROGRAM).buffer));
  const table = PageTable64.create("arm-s2-l4", host.memory);
  table.mapRegion(
    ENTRY,
    backing,
    0x10000,
    MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE,
    false,
  );
  const vm = new ArmVmContext(1, 9);
  vm.defineCpu(0, 0, true);
  vm.defineCpu(1, 1, false);
  const mk = (id: number) =>
    new ArmVCpu(1, id, { mpidr: id, dtbAddr: gpa(0x4400_0000), vm, cpus, stage2Levels: 4 }, host);
  const boot = mk(0);
  boot.setEntry(gpa(ENTRY));
  boot.setEptRoot(table.root);
  boot.bind();
  return { boot, vm, mk, table };
}

describe("PSCI 1.1 and SMCCC 1.1 for the guest", () => {
  it("starts a secondary with CPU_ON, tracks its state, and checks the target", () => {
    const { boot, vm, mk, table } = setup();
    expect(boot.run()).toEqual({
      kind: "CpuUp",
      targetCpu: 1n,
      entryPoint: 0x4000_1000,
      arg: 0x77n,
    });
    expect(vm.state(1)).toBe(AffinityState.OnPending);
    const down = boot.run();
    expect(down).toEqual({ kind: "CpuDown", state: 0x8000_0000n }); // x1 as the guest left it
    expect(boot.getGpr(10)).toBe(0n); // SUCCESS
    expect(boot.getGpr(11)).toBe(BigInt.asUintN(64, -5n)); // ON_PENDING
    expect(boot.getGpr(12)).toBe(2n); // AFFINITY_INFO: ON_PENDING
    expect(boot.getGpr(13)).toBe(BigInt.asUintN(64, -2n)); // INVALID_PARAMETERS
    expect(boot.getGpr(14)).toBe(0n); // SMCCC_VERSION is implemented
    expect(boot.getGpr(15)).toBe(0x1_0001n); // SMCCC 1.1
    expect(boot.getGpr(16)).toBe(2n); // MIGRATE_INFO_TYPE: nothing to migrate
    expect(vm.state(0)).toBe(AffinityState.Off);
    // The VMM starts the secondary: it enters with x0 = the context id.
    boot.unbind();
    const second = mk(1);
    second.setEntry(gpa(0x4000_1000));
    second.setStartArgs(1n, 0x77n);
    second.setEptRoot(table.root);
    expect(vm.state(1)).toBe(AffinityState.On);
    second.bind();
    expect(second.getGpr(0)).toBe(0x77n);
    expect(second.readSys(SysReg.VMPIDR_EL2)).toBe(0x8000_0001n); // RES1 | Aff0 = 1
  });

  it("reports a fetch from an unmapped IPA and injects an instruction abort when the VMM faults it", () => {
    const { boot } = setup();
    boot.run();
    boot.run();
    const exit = boot.run();
    expect(exit).toEqual({
      kind: "NestedPageFault",
      addr: 0x8000_0000,
      accessFlags: MappingFlags.EXECUTE,
    });
    if (exit.kind !== "NestedPageFault") throw new Error("unreachable");
    boot.injectFault({ exit, error: axErr("BadAddress", "hole") });
    // Instruction abort from the same EL (0x21), external abort; ELR_EL1 = the target.
    expect(boot.readSys(SysReg.ESR_EL1)).toBe((0x21n << 26n) | (1n << 25n) | 0x10n);
    expect(boot.readSys(SysReg.ELR_EL1)).toBe(0x8000_0000n);
    expect(boot.getPc()).toBe(0x200n); // VBAR_EL1 (0) + current EL with SPx
  });
});
