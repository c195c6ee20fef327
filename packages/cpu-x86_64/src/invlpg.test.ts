import { allocateRam, type PhysBus } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { X86Cpu } from "./cpu.js";
import { CS } from "./regs.js";

const PML4 = 0x10000;
const PDPT = 0x11000;
const PD = 0x12000;
const PT = 0x13000;
const CODE = 0x1000;

/**
 * Long mode, CPL 0: 0-2 MiB identity-mapped by a 2 MiB page (code, tables), 2-4 MiB by a
 * 2 MiB page whose frame the test moves, 4-6 MiB by 4 KiB pages of one page table.
 */
function machine(jit: boolean): { cpu: X86Cpu; dv: DataView } {
  const ram = allocateRam(8 << 20);
  const bus: PhysBus = { ram, ramBase: 0, load: () => null, store: () => false };
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus,
    io: { in: () => 0xffffffff, out: () => {} },
    time: { now: () => 0 },
    jit,
  });
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  dv.setUint32(PML4, PDPT | 3, true);
  dv.setUint32(PDPT, PD | 3, true);
  dv.setUint32(PD, 0x83, true);
  dv.setUint32(PD + 8, 0x200083, true);
  dv.setUint32(PD + 16, PT | 3, true);
  for (let k = 0; k < 512; k++) dv.setUint32(PT + k * 8, (0x400000 + k * 0x1000) | 3, true);
  cpu.setReg("cr4", 0x20n);
  cpu.setReg("cr3", BigInt(PML4));
  cpu.setReg("efer", 0x500n);
  cpu.setReg("cr0", 0x80000011n);
  cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xa09b });
  return { cpu, dv };
}

/** Runs `code` (ending in HLT) from CODE; the TLB keeps what earlier runs cached. */
function run(cpu: X86Cpu, dv: DataView, code: number[]): void {
  code.forEach((b, k) => {
    dv.setUint8(CODE + k, b);
  });
  cpu.setReg("rip", BigInt(CODE));
  cpu.halted = false;
  for (let k = 0; k < 100 && cpu.run(1000) === "budget"; k++);
}

/** MOV r32, [abs32] and INVLPG [abs32]. */
const readAt = (addr: number, reg: number) => [0x8b, 0x04 | (reg << 3), 0x25, ...le32(addr)];
const invlpg = (addr: number) => [0x0f, 0x01, 0x3c, 0x25, ...le32(addr)];
const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

describe("INVLPG", () => {
  for (const jit of [true, false]) {
    it(`drops every 4 KiB piece of a large page, whichever piece it names (jit ${jit})`, () => {
      const { cpu, dv } = machine(jit);
      dv.setUint32(0x3ff000, 0x11111111, true);
      dv.setUint32(0x5ff000, 0x22222222, true);
      run(cpu, dv, [...readAt(0x3ff000, 0), 0xf4]);
      expect(cpu.getReg("rax")).toBe(0x11111111n);
      // Move the 2 MiB page at 2 MiB to the frame at 4 MiB; INVLPG names another piece of it.
      dv.setUint32(PD + 8, 0x400083, true);
      run(cpu, dv, [...invlpg(0x200000), ...readAt(0x3ff000, 1), 0xf4]);
      expect(cpu.getReg("rcx")).toBe(0x22222222n);
    });

    it(`drops a 4 KiB translation and keeps reading through the others (jit ${jit})`, () => {
      const { cpu, dv } = machine(jit);
      dv.setUint32(0x405000, 0x33333333, true);
      dv.setUint32(0x406000, 0x44444444, true);
      run(cpu, dv, [...readAt(0x405000, 0), ...readAt(0x406000, 2), 0xf4]);
      expect(cpu.getReg("rax")).toBe(0x33333333n);
      // Point 0x405000 at the frame of 0x406000.
      dv.setUint32(PT + 5 * 8, 0x406003, true);
      run(cpu, dv, [...invlpg(0x405000), ...readAt(0x405000, 1), ...readAt(0x406000, 3), 0xf4]);
      expect(cpu.getReg("rcx")).toBe(0x44444444n);
      expect(cpu.getReg("rbx")).toBe(0x44444444n);
    });
  }
});

/** MOV EAX, PML4; MOV CR3, RAX: the same address space, every non-global entry dropped. */
const reloadCr3 = [0xb8, ...le32(PML4), 0x0f, 0x22, 0xd8];

describe("MOV to CR3", () => {
  for (const jit of [true, false]) {
    it(`forgets a non-global translation, also one refilled after an earlier CR3 write (jit ${jit})`, () => {
      const { cpu, dv } = machine(jit);
      dv.setUint32(0x405000, 0x33333333, true);
      dv.setUint32(0x406000, 0x44444444, true);
      run(cpu, dv, [...readAt(0x405000, 0), ...reloadCr3, ...readAt(0x405000, 1), 0xf4]);
      expect(cpu.getReg("rcx")).toBe(0x33333333n);
      dv.setUint32(PT + 5 * 8, 0x406003, true);
      run(cpu, dv, [...reloadCr3, ...readAt(0x405000, 2), 0xf4]);
      expect(cpu.getReg("rdx")).toBe(0x44444444n);
    });

    it(`forgets a non-global translation after more fills than the TLB has slots (jit ${jit})`, () => {
      const { cpu, dv } = machine(jit);
      dv.setUint32(0x405000, 0x33333333, true);
      dv.setUint32(0x406000, 0x44444444, true);
      // 7000 times: INVLPG [rbx]; MOV eax, [rbx]; the next page of 4-6 MiB (each one a fill).
      const loop = [
        ...[0xb9, ...le32(7000), 0xbb, ...le32(0x400000)],
        ...[0x0f, 0x01, 0x3b, 0x8b, 0x03],
        ...[0x81, 0xc3, ...le32(0x1000), 0x81, 0xe3, ...le32(0x1fffff)],
        ...[0x81, 0xcb, ...le32(0x400000), 0xff, 0xc9, 0x75, 0xe5],
      ];
      run(cpu, dv, [...loop, ...readAt(0x405000, 0), 0xf4]);
      expect(cpu.getReg("rcx")).toBe(0n);
      expect(cpu.getReg("rax")).toBe(0x33333333n);
      dv.setUint32(PT + 5 * 8, 0x406003, true);
      run(cpu, dv, [...reloadCr3, ...readAt(0x405000, 2), 0xf4]);
      expect(cpu.getReg("rdx")).toBe(0x44444444n);
    });
  }
});
