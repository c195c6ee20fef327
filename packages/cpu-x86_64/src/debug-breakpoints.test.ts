import { allocateRam } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { X86Cpu } from "./cpu.js";
import { CS } from "./regs.js";

const CODE = 0x1000;

/** Long mode, RAM at 0 identity-mapped by one 1 GiB page, and a counting loop at CODE. */
function machine(jit: boolean): { cpu: X86Cpu; ram: Uint8Array } {
  const ram = allocateRam(4 << 20);
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus: { ram, ramBase: 0, load: () => null, store: () => false },
    io: { in: () => 0xffffffff, out: () => {} },
    time: { now: () => 0 },
    jit,
  });
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  dv.setUint32(0x10000, 0x11003, true);
  dv.setUint32(0x11000, 0x83, true);
  cpu.setReg("cr4", 0x20n);
  cpu.setReg("cr3", 0x10000n);
  cpu.setReg("efer", 0x500n);
  cpu.setReg("cr0", 0x80000011n);
  cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xa09b });
  // inc rax ; cmp rax, rcx ; jne CODE ; int3 ; hlt
  ram.set([0x48, 0xff, 0xc0, 0x48, 0x39, 0xc8, 0x75, 0xf8, 0xcc, 0xf4], CODE);
  cpu.setReg("rip", BigInt(CODE));
  cpu.debugBreakpoints = true;
  return { cpu, ram };
}

describe.each([false, true])("debugger breakpoints and steps (JIT %s)", (jit) => {
  it("stops at an INT3 without executing or counting it", () => {
    const { cpu } = machine(jit);
    cpu.setReg("rcx", 1000n);
    expect(cpu.run(100_000)).toBe("budget");
    expect(cpu.debugBreakHit).toBe(true);
    expect(cpu.getReg("rip")).toBe(BigInt(CODE + 8));
    expect(cpu.getReg("rax")).toBe(1000n);
    expect(cpu.icount).toBe(3000);
    // Still there on the next run: the debugger decides what happens to it.
    cpu.debugBreakHit = false;
    expect(cpu.run(10)).toBe("budget");
    expect(cpu.debugBreakHit).toBe(true);
    expect(cpu.icount).toBe(3000);
  });

  it("run(1) executes exactly one instruction, also inside hot (compiled) code", () => {
    const { cpu } = machine(jit);
    cpu.setReg("rcx", 1_000_000n);
    expect(cpu.run(30_000)).toBe("budget");
    expect(cpu.icount).toBe(30_000);
    expect(cpu.getReg("rip")).toBe(BigInt(CODE));
    const rips: bigint[] = [];
    for (let i = 0; i < 6; i++) {
      cpu.run(1);
      rips.push(cpu.getReg("rip"));
    }
    expect(cpu.icount).toBe(30_006);
    expect(rips.map(Number)).toEqual([0x1003, 0x1006, 0x1000, 0x1003, 0x1006, 0x1000]);
    expect(cpu.getReg("rax")).toBe(10_002n);
  });

  it("a breakpoint written into hot code stops the CPU there; restored, the code runs on", () => {
    const { cpu, ram } = machine(jit);
    cpu.setReg("rcx", 1_000_000n);
    cpu.run(30_000);
    const saved = ram[CODE + 3]!;
    ram[CODE + 3] = 0xcc;
    cpu.notifyExternalWrite(CODE + 3, 1);
    cpu.run(30_000);
    expect(cpu.debugBreakHit).toBe(true);
    expect(cpu.getReg("rip")).toBe(BigInt(CODE + 3));
    expect(cpu.icount).toBe(30_001);
    ram[CODE + 3] = saved;
    cpu.notifyExternalWrite(CODE + 3, 1);
    cpu.debugBreakHit = false;
    cpu.run(1);
    expect(cpu.getReg("rip")).toBe(BigInt(CODE + 6));
    cpu.run(3000);
    expect(cpu.debugBreakHit).toBe(false);
    expect(cpu.getReg("rax")).toBe(11_001n);
  });
});
