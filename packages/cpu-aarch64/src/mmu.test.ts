import { describe, expect, it } from "vitest";
import { Aarch64Cpu } from "./cpu.js";
import { SysReg } from "./sysreg-encoding.js";
import { RAM_BASE, TestMachine } from "./testing/index.js";

/*
 * EL1 with stage 1 on, 39-bit VA, 4 KiB granule: L1 at TABLES, L2 at TABLES + 0x1000, L3 at
 * TABLES + 0x2000. VA 0x4000_0000..0x401f_ffff is mapped page by page (identity), so tests can
 * rewrite single L3 entries.
 */
const TABLES = RAM_BASE + 0x10_0000;
const L3 = TABLES + 0x2000;
const PAGE = 0x707; // page, AttrIndx 1 (normal), inner shareable, AF

function el1WithMmu(words: readonly number[], model: "cortex-a57" | "max" = "max"): TestMachine {
  const m = new TestMachine({ model });
  m.writeWords(RAM_BASE, words);
  m.writeWords(TABLES + 8, [TABLES + 0x1000 + 3, 0]);
  m.writeWords(TABLES + 0x1000, [L3 + 3, 0]);
  for (let i = 0; i < 512; i++) m.writeWords(L3 + 8 * i, [RAM_BASE + i * 4096 + PAGE, 0]);
  const c = m.cpu;
  c.powerOn(RAM_BASE, 0n, 1);
  c.writeSysReg(SysReg.MAIR_EL1, 0xff00n);
  c.writeSysReg(SysReg.TCR_EL1, 25n | (2n << 32n) | (1n << 23n));
  c.writeSysReg(SysReg.TTBR0_EL1, BigInt(TABLES));
  c.writeSysReg(SysReg.VBAR_EL1, BigInt(RAM_BASE + 0x800));
  c.writeSysReg(SysReg.SCTLR_EL1, 0x30d00801n);
  return m;
}

/** Rewrites the L3 entry of VA page `va` (0x4000_0000..0x401f_ffff). */
function setPage(m: TestMachine, va: number, desc: number): void {
  m.writeWords(L3 + ((va - RAM_BASE) >>> 12) * 8, [desc, 0]);
}

describe("stage 1 at EL1", () => {
  it("faults privileged data accesses to EL0 pages under PAN, but not LDTR", () => {
    const m = el1WithMmu([
      0xd500419f, // msr pan, #1
      0xf9400041, // ldr x1, [x2]   -> permission fault, level 3
      0xf8400843, // ldtr x3, [x2]  (at the vector's return: not reached in this test)
    ]);
    const c = m.cpu;
    const data = RAM_BASE + 0x5000;
    setPage(m, data, data + PAGE + (1 << 6)); // AP = 01: EL0 read/write
    m.writeWords(data, [0x1234, 0]);
    c.setX(2, BigInt(data));
    c.run(2);
    expect(c.readSysReg(SysReg.ESR_EL1)).toBe(0x9600000fn); // DABT same EL, permission fault level 3
    expect(c.readSysReg(SysReg.FAR_EL1)).toBe(BigInt(data));
    // Back at the LDTR with PAN still set: unprivileged accesses are not PAN-checked.
    c.pstate = 0x3c5 | (1 << 22);
    c.setPc(BigInt(RAM_BASE + 8));
    c.run(1);
    expect(c.getX(3)).toBe(0x1234n);
  });

  it("keeps a cached translation until TLBI by VA, and keeps other address spaces' entries", () => {
    const m = el1WithMmu([
      0xf9400041, // ldr x1, [x2]
      0xf9400041, // ldr x1, [x2]   (descriptor rewritten, no TLBI: still the old page)
      0xd5088724, // tlbi vae1, x4
      0xf9400041, // ldr x1, [x2]   (the new page)
    ]);
    const c = m.cpu;
    const va = RAM_BASE + 0x6000;
    const other = RAM_BASE + 0x7000;
    m.writeWords(va, [111, 0]);
    m.writeWords(other, [222, 0]);
    c.setX(2, BigInt(va));
    c.setX(4, BigInt(va / 4096));
    c.run(1);
    expect(c.getX(1)).toBe(111n);
    setPage(m, va, other + PAGE);
    c.run(1);
    expect(c.getX(1)).toBe(111n);
    // Switching ASID and back does not drop the entry either.
    c.writeSysReg(SysReg.TTBR0_EL1, BigInt(TABLES) | (7n << 48n));
    c.writeSysReg(SysReg.TTBR0_EL1, BigInt(TABLES));
    c.setPc(BigInt(RAM_BASE + 4));
    c.run(1);
    expect(c.getX(1)).toBe(111n);
    c.run(2);
    expect(c.getX(1)).toBe(222n);
  });

  it("translates TTBR1 addresses and reports a translation fault at level 0 outside both ranges", () => {
    const m = el1WithMmu([0xf9400041, 0xf9400041]);
    const c = m.cpu;
    // TTBR1: a 1 GiB block at the top of the 39-bit upper range maps RAM.
    const t1 = TABLES + 0x3000;
    m.writeWords(t1 + 511 * 8, [RAM_BASE + 0x705, 0]);
    c.writeSysReg(SysReg.TCR_EL1, 25n | (25n << 16n) | (2n << 30n) | (2n << 32n));
    c.writeSysReg(SysReg.TTBR1_EL1, BigInt(t1));
    m.writeWords(RAM_BASE + 0x8000, [0xabcd, 0]);
    c.setX(2, 0xffff_ffff_c000_8000n);
    c.run(1);
    expect(c.getX(1)).toBe(0xabcdn);
    c.setX(2, 0x0000_8000_0000_0000n);
    c.run(1);
    expect(c.readSysReg(SysReg.ESR_EL1)).toBe(0x96000004n);
  });
});

describe("TLB maintenance across CPUs", () => {
  it("broadcasts TLBI VAE1IS to the other CPUs on the same RAM, not TLBI VAE1", () => {
    const m = el1WithMmu([0xf9400041, 0xf9400041, 0xf9400041]); // ldr x1, [x2] (x3)
    const a = m.cpu;
    const va = RAM_BASE + 0x6000;
    m.writeWords(va, [111, 0]);
    m.writeWords(RAM_BASE + 0x7000, [222, 0]);
    a.setX(2, BigInt(va));
    a.run(1);
    setPage(m, va, RAM_BASE + 0x7000 + PAGE);
    // Another CPU runs TLBI VAE1 (local) then TLBI VAE1IS (inner shareable).
    const b = new Aarch64Cpu({ cpuId: 1, mpidr: 1, bus: m, time: m.time });
    m.writeWords(RAM_BASE + 0x9000, [0xd5088724, 0xd5088324]);
    b.powerOn(RAM_BASE + 0x9000, 0n, 1);
    b.setX(4, BigInt(va / 4096));
    b.run(1);
    a.run(1);
    expect(a.getX(1)).toBe(111n);
    b.run(1);
    a.run(1);
    expect(a.getX(1)).toBe(222n);
  });
});

describe("virtual SError", () => {
  it("is taken once at EL1 (VBAR_EL1 + 0x380) and clears HCR_EL2.VSE", () => {
    const m = new TestMachine();
    m.writeWords(RAM_BASE, [0xd503201f, 0xd503201f]);
    const c = m.cpu;
    c.powerOn(RAM_BASE, 0n, 1);
    c.writeSysReg(SysReg.VBAR_EL1, BigInt(RAM_BASE + 0x800));
    m.writeWords(RAM_BASE + 0x800 + 0x380, [0xd503201f]);
    c.writeSysReg(SysReg.HCR_EL2, (1n << 31n) | (1n << 5n) | (1n << 8n)); // RW, AMO, VSE
    c.pstate = 0x205; // EL1h, A unmasked
    c.run(1);
    expect(c.getPc()).toBe(BigInt(RAM_BASE + 0x800 + 0x384));
    expect(c.readSysReg(SysReg.ESR_EL1) >> 26n).toBe(0x2fn);
    expect(c.readSysReg(SysReg.HCR_EL2) & (1n << 8n)).toBe(0n);
  });
});
