/**
 * The vCPU backend on the real emulated hart: host-trap mode, a G-stage Sv39x4 table written
 * by @axvisor/page-table into the hart's own RAM, and a small guest running in VS-mode.
 */

import { err, ok } from "@axvisor/axerrno";
import type { ExitReason } from "@axvisor/axvcpu";
import { createTestHost } from "@axvisor/axvisor-api/testing";
import { Hart } from "@axvisor/cpu-riscv64";
import { AccessWidth, gpa, hpa, MappingFlags } from "@axvisor/memory-addr";
import { PageTable64 } from "@axvisor/page-table";
import { describe, expect, it } from "vitest";
import { Csr } from "./csr.js";
import { RiscvHostCpus, RiscvPhysCpu } from "./host-cpus.js";
import { RiscvVCpu } from "./vcpu.js";
import { RiscvVmContext } from "./vm-context.js";

// Assembled with riscv64-unknown-elf-as (-march=rv64imac_zicsr, no RVC) and linked at 0x8020_0000:
//   la t0, trap; csrw stvec, t0
//   li a7, 1; li a0, 'H'; ecall                # legacy putchar
//   li t0, 0x10000000; li t1, 0x5a; sb t1, 0(t0)  # MMIO store
//   lw t2, 4(t0); addi t3, t2, 1               # MMIO load (sign-extended), then use it
//   li a7, 0x10; li a6, 0; ecall; mv s2, a1    # BASE get_spec_version
//   li t0, 0x20000000; sw zero, 0(t0)          # store to a hole
//   li a7, 0x53525354; li a6, 0; li a0, 0; li a1, 0; ecall   # SRST shutdown
//   1: j 1b
// trap (0x8020_0060): csrr s3, scause; csrr s4, stval; csrr t6, sepc; addi t6, t6, 4; csrw sepc, t6; sret
const GUEST = [
  0x00000297, 0x06028293, 0x10529073, 0x00100893, 0x04800513, 0x00000073, 0x100002b7, 0x05a00313,
  0x00628023, 0x0042a383, 0x00138e13, 0x01000893, 0x00000813, 0x00000073, 0x00058913, 0x200002b7,
  0x0002a023, 0x535258b7, 0x3548889b, 0x00000813, 0x00000513, 0x00000593, 0x00000073, 0x0000006f,
  0x142029f3, 0x14302a73, 0x14102ff3, 0x004f8f93, 0x141f9073, 0x10200073,
];
const ENTRY = 0x8020_0000;

function machine(
  code: readonly number[] = GUEST,
  options: { sstc?: boolean; slice?: number; pauseEndsSlice?: boolean } = {},
) {
  const host = createTestHost({ ramSize: 8 * 1024 * 1024 });
  const hart = new Hart({
    hartId: 0,
    bus: { ram: host.ram, ramBase: 0x8000_0000, load: () => null, store: () => false },
    time: { now: () => host.time.currentTicks() },
    resetPc: 0x1000,
  });
  const cpus = new RiscvHostCpus([new RiscvPhysCpu(0, hart)]);
  cpus.current.hardwareEnable();
  // 64 KiB of guest RAM at GPA 0x8020_0000, backed by host frames, mapped RWX+U in Sv39x4.
  const backing = host.memory.allocContiguousFrames(16, 0x1000);
  if (backing === null) throw new Error("no host memory");
  const bytes = new Uint8Array(Uint32Array.from(code).buffer);
  host.memory.hostBuffer(backing, bytes.length).set(bytes);
  const table = PageTable64.create("sv39x4", host.memory);
  const rwxu = MappingFlags.READ | MappingFlags.WRITE | MappingFlags.EXECUTE | MappingFlags.USER;
  table.mapRegion(ENTRY, backing, 0x10000, rwxu, false);
  const output: number[] = [];
  const vm = new RiscvVmContext(
    1,
    1,
    { write: (b) => output.push(...b), read: () => new Uint8Array(0) },
    {
      read: (g, len) => {
        const m = table.query(g);
        return m ? ok(host.memory.hostBuffer(hpa(m.paddr), len).slice()) : err("BadAddress");
      },
      write: () => err("Unsupported"),
    },
  );
  vm.addHart(0, 0, true);
  const vcpu = new RiscvVCpu(
    1,
    0,
    {
      hartId: 0,
      dtbAddr: gpa(0x8220_0000),
      vm,
      cpus,
      ...(options.sstc ? { sstc: true } : {}),
      ...(options.slice !== undefined ? { sliceInstructions: options.slice } : {}),
      ...(options.pauseEndsSlice ? { pauseEndsSlice: true } : {}),
    },
    host,
  );
  vcpu.setEntry(gpa(ENTRY));
  vcpu.setEptRoot(table.root);
  vcpu.setup();
  vcpu.bind();
  return { host, hart, vcpu, output, table };
}

function runUntil(vcpu: RiscvVCpu, kinds: ExitReason["kind"][]): ExitReason {
  for (let i = 0; i < 100; i++) {
    const exit = vcpu.run();
    if (kinds.includes(exit.kind)) return exit;
    if (exit.kind !== "Nothing") throw new Error(`unexpected exit ${exit.kind}`);
  }
  throw new Error("the guest never exited");
}

describe("RiscvVCpu on the emulated hart", () => {
  it("enters the guest with a0 = hart id, a1 = DTB, and answers SBI console calls inside run()", () => {
    const { vcpu, output } = machine();
    const exit = runUntil(vcpu, ["MmioWrite"]);
    expect(String.fromCharCode(...output)).toBe("H");
    expect(exit).toEqual({
      kind: "MmioWrite",
      addr: 0x1000_0000,
      width: AccessWidth.Byte,
      data: 0x5an,
    });
  });

  it("decodes an MMIO load, and the value the VMM writes back reaches the guest", () => {
    const { vcpu } = machine();
    runUntil(vcpu, ["MmioWrite"]);
    const read = runUntil(vcpu, ["MmioRead"]);
    expect(read).toEqual({
      kind: "MmioRead",
      addr: 0x1000_0004,
      width: AccessWidth.Dword,
      reg: 7,
      regWidth: AccessWidth.Qword,
      signExtend: true,
    });
    vcpu.setGpr(7, 0xffff_ffff_ffff_fff0n);
    const fault = runUntil(vcpu, ["MmioWrite"]);
    expect(fault).toMatchObject({ kind: "MmioWrite", addr: 0x2000_0000, width: AccessWidth.Dword });
    expect(vcpu.getGpr(28)).toBe(0xffff_ffff_ffff_fff1n); // t3 = t2 + 1
    expect(vcpu.getGpr(18)).toBe(0x0200_0000n); // s2 = SBI spec version 2.0
  });

  it("delivers a store access fault to the guest's own handler when the VMM cannot serve it", () => {
    const { vcpu } = machine();
    runUntil(vcpu, ["MmioWrite"]);
    runUntil(vcpu, ["MmioRead"]);
    const hole = runUntil(vcpu, ["MmioWrite"]);
    if (hole.kind !== "MmioWrite") throw new Error("expected the store to the hole");
    vcpu.injectFault({ exit: hole, error: new (class extends Error {})("no device") as never });
    const down = runUntil(vcpu, ["SystemDown"]);
    expect(down).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
    expect(vcpu.getGpr(19)).toBe(7n); // s3 = scause: store access fault
    expect(vcpu.getGpr(20)).toBe(0x2000_0000n); // s4 = stval: the faulting address
  });

  it("makes an access above the G-stage width the guest's access fault, never a host error", () => {
    // la t0, trap; csrw stvec, t0; li s3, 0
    // li t0, -8; ld t1, 0(t0)          # vsatp bare: a 64-bit GPA
    // li t0, -16; sd t1, 0(t0)
    // li t0, 1; slli t0, t0, 41; ld t1, 0(t0)   # just above Sv39x4
    // SRST shutdown; 1: j 1b
    // trap: s3 = s3 << 8 | scause; s4 = stval; sepc += 4; sret
    const prog = [
      0x00000297, 0x04828293, 0x10529073, 0x00000993, 0xff800293, 0x0002b303, 0xff000293,
      0x0062b023, 0x00100293, 0x02929293, 0x0002b303, 0x535258b7, 0x3548889b, 0x00000813,
      0x00000513, 0x00000593, 0x00000073, 0x0000006f, 0x14202ff3, 0x00899993, 0x01f9e9b3,
      0x14302a73, 0x14102ff3, 0x004f8f93, 0x141f9073, 0x10200073,
    ];
    const { vcpu } = machine(prog);
    expect(runUntil(vcpu, ["SystemDown"])).toEqual({
      kind: "SystemDown",
      resetType: "shutdown",
      reason: 0,
    });
    expect(vcpu.getGpr(19)).toBe(0x05_07_05n); // load, store, load access faults in order
    expect(vcpu.getGpr(20)).toBe(1n << 41n); // stval of the last: the guest's address
  });

  it("gives the hart back after a slice even when the guest's traps retire nothing", () => {
    // li a7, 0x10; li a6, 0; la t0, 1f; csrw stvec, t0
    // 1: ecall              # SBI call answered inside run(), returns to the next word
    //    .word 0            # illegal: the guest's own handler is the ecall again
    const { vcpu } = machine(
      [0x01000893, 0x00000813, 0x00000297, 0x00c28293, 0x10529073, 0x00000073, 0x00000000],
      { slice: 2000 },
    );
    for (let i = 0; i < 3; i++) expect(vcpu.run()).toEqual({ kind: "Nothing" });
  });

  it("ends the slice at the guest's PAUSE when asked to (vCPUs sharing a host thread)", () => {
    // 1: addi t0, t0, 1; pause; j 1b   (the spin-wait of Linux's cpu_relax())
    const spin = [0x00128293, 0x0100000f, 0xff9ff06f];
    const spinning = machine(spin, { slice: 30_000 });
    let before = spinning.hart.instret;
    expect(spinning.vcpu.run()).toEqual({ kind: "Nothing" });
    expect(spinning.hart.instret - before).toBe(30_000);
    const yielding = machine(spin, { slice: 30_000, pauseEndsSlice: true });
    before = yielding.hart.instret;
    expect(yielding.vcpu.run()).toEqual({ kind: "Nothing" });
    expect(yielding.hart.instret - before).toBe(2);
    expect(yielding.vcpu.getGpr(5)).toBe(1n);
    // The next slice resumes after the PAUSE and yields at the next one.
    expect(yielding.vcpu.run()).toEqual({ kind: "Nothing" });
    expect(yielding.vcpu.getGpr(5)).toBe(2n);
  });

  it("keeps guest registers across unbind and bind", () => {
    const { vcpu } = machine();
    runUntil(vcpu, ["MmioWrite"]);
    vcpu.unbind();
    expect(vcpu.getGpr(6)).toBe(0x5an); // t1, read from the saved state
    vcpu.bind();
    expect(runUntil(vcpu, ["MmioRead"])).toMatchObject({ kind: "MmioRead", reg: 7 });
  });
});

describe("preemption", () => {
  it("unbinds a vCPU in the middle of a slice and resumes it exactly where it was", () => {
    const m = machine();
    const { vcpu } = m;
    // A slice of 3 instructions ends inside the guest's first instructions (no trap yet).
    const small = new RiscvVCpu(1, 0, { ...vcpu.createConfig, sliceInstructions: 3 }, m.host);
    vcpu.unbind();
    small.setEntry(gpa(ENTRY));
    small.setEptRoot(m.table.root);
    small.bind();
    expect(small.run()).toEqual({ kind: "Nothing" });
    expect(m.hart.virt).toBe(true);
    small.unbind();
    expect(m.hart.virt).toBe(false);
    small.bind();
    let exit: ExitReason = { kind: "Nothing" };
    for (let i = 0; i < 50 && exit.kind === "Nothing"; i++) exit = small.run();
    expect(exit).toMatchObject({ kind: "MmioWrite", addr: 0x1000_0000, data: 0x5an });
    expect(m.output).toEqual([0x48]); // the putchar ran exactly once across the preemption
  });
});

// Assembled like GUEST above:
//   la t0, trap; csrw stvec, t0; li s3, 0; li t0, 0x20; csrs sie, t0
//   csrr t1, time; addi t1, t1, 100; csrw stimecmp, t1; csrsi sstatus, 2
//   1: beqz s3, 1b;  SRST shutdown;  j .
// trap (0x8020_0050): csrr s3, scause; bgez s3, 3f; li t2, -1; csrw stimecmp, t2; sret
//   3: csrr t6, sepc; addi t6, t6, 4; csrw sepc, t6; sret
const SSTC_GUEST = [
  0x00000297, 0x05028293, 0x10529073, 0x00000993, 0x02000293, 0x1042a073, 0xc0102373, 0x06430313,
  0x14d31073, 0x10016073, 0x00098063, 0x535258b7, 0x3548889b, 0x00000813, 0x00000513, 0x00000593,
  0x00000073, 0x0000006f, 0x00000013, 0x00000013, 0x142029f3, 0x0009d863, 0xfff00393, 0x14d39073,
  0x10200073, 0x14102ff3, 0x004f8f93, 0x141f9073, 0x10200073,
];

describe("Sstc for guests", () => {
  function runWithClock(m: ReturnType<typeof machine>): ExitReason {
    for (let i = 0; i < 200; i++) {
      const exit = m.vcpu.run();
      if (exit.kind !== "Nothing") return exit;
      m.host.advance(20_000); // 200 ticks of the 10 MHz timer per slice
    }
    throw new Error("the guest never exited");
  }

  it("lets the guest program its timer through stimecmp, with no SBI call", () => {
    const m = machine(SSTC_GUEST, { sstc: true });
    expect(runWithClock(m)).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
    expect(m.vcpu.getGpr(19)).toBe((1n << 63n) | 5n); // s3 = supervisor timer interrupt
    expect(m.host.timers.size).toBe(0); // no host timer was needed for it
  });

  // csrr t1, time; addi t1, t1, 100; csrw stimecmp, t1; csrw sie, s1; 1: wfi; j 1b
  const WFI_AFTER_TIMER = [0xc0102373, 0x06430313, 0x14d31073, 0x10449073, 0x10500073, 0xffdff06f];

  it("wakes a vCPU halted in WFI at its stimecmp deadline, but only while the guest enables the timer interrupt", () => {
    const enabled = machine(WFI_AFTER_TIMER, { sstc: true });
    enabled.vcpu.setGpr(9, 0x20n); // sie.STIE
    expect(enabled.vcpu.run()).toEqual({ kind: "Halt" });
    expect(enabled.host.timers.size).toBe(1);
    expect(enabled.host.timerExpirations).toEqual([]);
    enabled.host.advance(10_000); // 100 ticks of the 10 MHz timer: the deadline
    expect(enabled.host.timerExpirations).toEqual([{ vmId: 1, vcpuId: 0 }]);
    // Masked (Linux clears STIE in its timer interrupt and keeps the expired stimecmp while
    // the CPU idles tickless), the timer cannot end the WFI: nothing is armed, where a wake
    // at the expired deadline would fire again at every WFI.
    const masked = machine(WFI_AFTER_TIMER, { sstc: true });
    expect(masked.vcpu.run()).toEqual({ kind: "Halt" });
    expect(masked.host.timers.size).toBe(0);
  });

  it("makes stimecmp an illegal instruction for a guest without Sstc", () => {
    const m = machine(SSTC_GUEST);
    expect(runWithClock(m)).toEqual({ kind: "SystemDown", resetType: "shutdown", reason: 0 });
    expect(m.vcpu.getGpr(19)).toBe(2n); // s3 = illegal instruction, delivered to the guest
  });
});

describe("RiscvVCpu snapshot (saveState / loadState)", () => {
  it("restores registers, pc and CSRs; its SBI timer keeps its guest deadline on another host clock", () => {
    const a = machine();
    runUntil(a.vcpu, ["MmioWrite"]);
    a.host.advance(5_000_000); // guest time 5 ms (50 000 ticks at 10 MHz)
    a.vcpu.setTimer(80_000n); // due at guest tick 80 000: 3 ms from now
    a.vcpu.unbind();
    const saved = a.vcpu.saveState({ hostTicks: a.host.time.currentTicks() });
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);

    // Another host whose clock reads 1 s: guest time continues at 5 ms.
    const b = machine();
    b.vcpu.unbind();
    b.host.advance(1_000_000_000);
    b.vcpu.loadState(saved, { hostTicks: b.host.time.currentTicks() });
    expect(b.vcpu.getPc()).toBe(a.vcpu.getPc());
    for (let r = 1; r < 32; r++) expect(b.vcpu.getGpr(r)).toBe(a.vcpu.getGpr(r));
    expect(b.vcpu.getGuestCsr(Csr.stvec)).toBe(a.vcpu.getGuestCsr(Csr.stvec));
    // Saved again at once, it is the same state.
    expect(b.vcpu.saveState({ hostTicks: b.host.time.currentTicks() })).toEqual(saved);

    // Neither fired early (no burst of stale timers) nor lost: exactly once, after 3 ms.
    b.host.advance(2_999_900);
    expect(b.host.injections).toHaveLength(0);
    b.host.advance(100);
    expect(b.host.injections).toEqual([expect.objectContaining({ vmId: 1, vcpuId: 0, vector: 5 })]);
    b.host.advance(10_000_000);
    expect(b.host.injections).toHaveLength(1);

    // The guest runs on from where it was saved: its next exit is the MMIO load.
    b.vcpu.bind();
    expect(runUntil(b.vcpu, ["MmioRead"])).toMatchObject({ kind: "MmioRead", addr: 0x1000_0004 });
  });

  it("keeps a timer that was due but not yet fired when saved, even on a host clock younger than its lateness", () => {
    const a = machine();
    runUntil(a.vcpu, ["MmioWrite"]);
    a.host.advance(5_000_000); // guest time 5 ms (50 000 ticks)
    a.vcpu.setTimer(80_000n); // due at guest tick 80 000
    a.vcpu.unbind();
    // Saved at host tick 90 000 (the VMM's loop was busy): due 1 ms ago, not fired yet.
    const saved = a.vcpu.saveState({ hostTicks: 90_000 });

    // A fresh host whose clock reads 0: the deadline lies before its time 0.
    const b = machine();
    b.vcpu.unbind();
    b.vcpu.loadState(saved, { hostTicks: 0 });
    expect(b.vcpu.saveState({ hostTicks: 0 })).toEqual(saved);
    b.host.advance(100); // the VMM's next round: it fires once, at once
    expect(b.host.injections).toEqual([expect.objectContaining({ vmId: 1, vcpuId: 0, vector: 5 })]);
    b.host.advance(10_000_000);
    expect(b.host.injections).toHaveLength(1);
  });

  it("refuses state that does not fit, naming the field", () => {
    const a = machine();
    a.vcpu.unbind();
    const saved = a.vcpu.saveState({ hostTicks: 0 });
    expect(() => a.vcpu.loadState({ ...saved, pc: "pc" }, { hostTicks: 0 })).toThrow(
      'vCPU 0: saved state field "pc" is not a 64-bit hex value',
    );
    expect(() => a.vcpu.loadState({ ...saved, gpr: [1, 2] }, { hostTicks: 0 })).toThrow(
      'vCPU 0: saved state field "gpr" is not an array of 64 integers',
    );
    const b = machine(GUEST, { sstc: true });
    b.vcpu.unbind();
    expect(() => b.vcpu.loadState(saved, { hostTicks: 0 })).toThrow(
      "vCPU 0: the snapshot was taken without Sstc, this host runs guests with it",
    );
  });
});

// Hand-assembled (no RVC), linked at 0x8020_0000:
//   li t0, 0x20; csrs sie, t0                 # STIE: the timer may wake the hart (SIE stays 0)
//   li a7, 0x48534D; li a6, 3; li a0, 0; ecall   # HSM hart_suspend(default retentive)
//   mv s2, a0                                  # its error code
//   li a7, 0x53525354; li a6, 0; li a0, 0; li a1, 0; ecall   # SRST shutdown
//   1: j 1b
const SUSPEND_GUEST = [
  0x02000293, 0x1042a073, 0x004858b7, 0x34d8889b, 0x00300813, 0x00000513, 0x00000073, 0x00050913,
  0x535258b7, 0x3548889b, 0x00000813, 0x00000513, 0x00000593, 0x00000073, 0x0000006f,
];

describe("SBI hart_suspend", () => {
  it("halts the vCPU when no enabled interrupt is pending", () => {
    const m = machine(SUSPEND_GUEST);
    expect(runUntil(m.vcpu, ["Halt"]).kind).toBe("Halt");
  });

  it("returns at once when the wake-up interrupt is already pending (its timer came due before the call)", () => {
    const m = machine(SUSPEND_GUEST);
    m.vcpu.injectInterrupt(5); // the guest's timer interrupt, pending before it suspends
    expect(runUntil(m.vcpu, ["Halt", "SystemDown"])).toEqual({
      kind: "SystemDown",
      resetType: "shutdown",
      reason: 0,
    });
    expect(m.vcpu.getGpr(18)).toBe(0n); // s2 = SUCCESS
  });
});
