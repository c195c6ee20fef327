import { describe, expect, it } from "vitest";
import { CSR } from "./csr-numbers.js";
import * as a from "./testing/asm.js";
import { enterMode } from "./testing/modes.js";
import { PageTables, PTE } from "./testing/page-tables.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const { V, R, W, X, U, A, D } = PTE;
const CODE = RAM_BASE + 0x1000;
const MTVEC = RAM_BASE + 0x8000;
const POOL = RAM_BASE + 0x40000;
const DATA_VA = 0x4000_0000;
const DATA_PA = RAM_BASE + 0x20000;

/** S-mode hart under Sv39 (or Sv48) with RAM identity-mapped by a gigapage. */
function sv(levels: 3 | 4, prog: number[], priv: 0 | 1 = 1) {
  const m = makeHart();
  m.bus.writeWords(CODE, prog);
  m.bus.writeWords(MTVEC, new Array(16).fill(a.NOP));
  m.hart.writeCsr(CSR.mtvec, BigInt(MTVEC));
  const pt = new PageTables(m.bus, POOL, levels);
  pt.map(RAM_BASE, RAM_BASE, V | R | W | X | A | D | (priv === 0 ? U : 0), 2);
  m.hart.writeCsr(CSR.satp, pt.atp());
  enterMode(m.hart, m.bus, priv, CODE);
  return { ...m, pt };
}

function expectTrap(hart: ReturnType<typeof makeHart>["hart"], cause: bigint, tval: bigint) {
  expect(hart.priv).toBe(3);
  expect(hart.readCsr(CSR.mcause)).toBe(cause);
  expect(hart.readCsr(CSR.mtval)).toBe(tval);
}

describe("Sv39", () => {
  it("translates 4 KiB pages and sets A on loads, A and D on stores", () => {
    const m = sv(3, [a.ld(2, 1, 8), a.sd(2, 1, 16), a.ld(3, 1, 16)]);
    const pte = m.pt.map(DATA_VA, DATA_PA, V | R | W);
    m.bus.write64(DATA_PA + 8, 0x1122_3344_5566_7788n);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.run(1);
    expect(m.hart.getX(2)).toBe(0x1122_3344_5566_7788n);
    expect(m.bus.read64(pte) & BigInt(A | D)).toBe(BigInt(A));
    m.hart.run(2);
    expect(m.bus.read64(DATA_PA + 16)).toBe(0x1122_3344_5566_7788n);
    expect(m.hart.getX(3)).toBe(0x1122_3344_5566_7788n);
    expect(m.bus.read64(pte) & BigInt(A | D)).toBe(BigInt(A | D));
  });

  it("load/store/fetch page faults report the virtual address (13/15/12)", () => {
    const m = sv(3, [a.ld(2, 1, 0)]);
    m.hart.setX(1, BigInt(DATA_VA + 0x123));
    m.hart.run(1);
    expectTrap(m.hart, 13n, BigInt(DATA_VA + 0x123));
    expect(m.hart.readCsr(CSR.mepc)).toBe(BigInt(CODE));

    const s = sv(3, [a.sw(2, 1, 4)]);
    s.pt.map(DATA_VA, DATA_PA, V | R | A);
    s.hart.setX(1, BigInt(DATA_VA));
    s.hart.run(1);
    expectTrap(s.hart, 15n, BigInt(DATA_VA + 4));

    const f = sv(3, [a.jalr(0, 1, 0)]);
    f.pt.map(DATA_VA, DATA_PA, V | R | W | A | D);
    f.hart.setX(1, BigInt(DATA_VA + 8));
    f.hart.run(2);
    expectTrap(f.hart, 12n, BigInt(DATA_VA + 8));
    expect(f.hart.readCsr(CSR.mepc)).toBe(BigInt(DATA_VA + 8));
  });

  it("W without R and reserved high bits make the PTE invalid", () => {
    const m = sv(3, [a.ld(2, 1, 0)]);
    m.pt.map(DATA_VA, DATA_PA, V | W | A | D);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.run(1);
    expectTrap(m.hart, 13n, BigInt(DATA_VA));

    const n = sv(3, [a.ld(2, 1, 0)]);
    const pte = n.pt.map(DATA_VA, DATA_PA, V | R | A);
    n.bus.write64(pte, n.bus.read64(pte) | (1n << 63n)); // Svnapot N bit: not implemented
    n.hart.setX(1, BigInt(DATA_VA));
    n.hart.run(1);
    expectTrap(n.hart, 13n, BigInt(DATA_VA));
  });

  it("U pages: S needs SUM for loads, never fetches; U cannot touch S pages", () => {
    const m = sv(3, [a.ld(2, 1, 0), a.csrrs(0, CSR.sstatus, 5), a.ld(2, 1, 0)]);
    m.pt.map(DATA_VA, DATA_PA, V | R | W | U | A | D);
    m.bus.write64(DATA_PA, 42n);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.setX(5, 1n << 18n);
    m.hart.run(1);
    expectTrap(m.hart, 13n, BigInt(DATA_VA));
    enterMode(m.hart, m.bus, 1, CODE + 4);
    m.hart.run(2);
    expect(m.hart.getX(2)).toBe(42n);
    expect(m.hart.priv).toBe(1);

    const f = sv(3, [a.jalr(0, 1, 0)]);
    f.pt.map(DATA_VA, DATA_PA, V | R | X | U | A);
    f.hart.writeCsr(CSR.sstatus, 1n << 18n);
    f.hart.setX(1, BigInt(DATA_VA));
    f.hart.run(2);
    expectTrap(f.hart, 12n, BigInt(DATA_VA));

    const u = sv(3, [a.ld(2, 1, 0)], 0);
    u.pt.map(DATA_VA, DATA_PA, V | R | W | A | D);
    u.hart.setX(1, BigInt(DATA_VA));
    u.hart.run(1);
    expectTrap(u.hart, 13n, BigInt(DATA_VA));
  });

  it("MXR makes execute-only pages readable", () => {
    const m = sv(3, [a.ld(2, 1, 0)]);
    m.pt.map(DATA_VA, DATA_PA, V | X | A);
    m.bus.write64(DATA_PA, 7n);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.run(1);
    expectTrap(m.hart, 13n, BigInt(DATA_VA));
    m.hart.writeCsr(CSR.mstatus, m.hart.readCsr(CSR.mstatus) | (1n << 19n));
    enterMode(m.hart, m.bus, 1, CODE);
    m.hart.run(1);
    expect(m.hart.getX(2)).toBe(7n);
  });

  it("2 MiB megapages translate; a misaligned megapage PPN faults", () => {
    const m = sv(3, [a.ld(2, 1, 0)]);
    m.pt.map(DATA_VA, RAM_BASE + 0x20_0000, V | R | A, 1);
    m.bus.write64(RAM_BASE + 0x20_0000 + 0x1_2340, 99n);
    m.hart.setX(1, BigInt(DATA_VA + 0x1_2340));
    m.hart.run(1);
    expect(m.hart.getX(2)).toBe(99n);

    const b = sv(3, [a.ld(2, 1, 0)]);
    b.pt.map(DATA_VA, RAM_BASE + 0x20_1000, V | R | A, 1);
    b.hart.setX(1, BigInt(DATA_VA));
    b.hart.run(1);
    expectTrap(b.hart, 13n, BigInt(DATA_VA));
  });

  it("non-canonical addresses fault", () => {
    const m = sv(3, [a.ld(2, 1, 0)]);
    m.hart.setX(1, 0x0000_0040_0000_0000n); // bit 38 set, bits 63:39 clear
    m.hart.run(1);
    expectTrap(m.hart, 13n, 0x0000_0040_0000_0000n);
  });

  it("SFENCE.VMA makes a changed PTE visible", () => {
    const m = sv(3, [a.ld(2, 1, 0), a.sfenceVma(0, 0), a.ld(3, 1, 0)]);
    const pte = m.pt.map(DATA_VA, DATA_PA, V | R | A);
    m.bus.write64(DATA_PA, 1n);
    m.bus.write64(DATA_PA + 0x1000, 2n);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.run(1);
    m.bus.write64(pte, (BigInt((DATA_PA + 0x1000) / 4096) << 10n) | BigInt(V | R | A));
    m.hart.run(2);
    expect(m.hart.getX(2)).toBe(1n);
    expect(m.hart.getX(3)).toBe(2n);
  });

  it("MPRV: M-mode loads and stores translate with MPP's privilege", () => {
    const m = makeHart();
    const pt = new PageTables(m.bus, POOL, 3);
    pt.map(DATA_VA, DATA_PA, V | R | W | A | D);
    m.bus.write64(DATA_PA, 5n);
    m.hart.writeCsr(CSR.satp, pt.atp());
    m.hart.writeCsr(CSR.mstatus, (1n << 17n) | (1n << 11n));
    m.bus.writeWords(RAM_BASE, [a.ld(2, 1, 0), a.jal(0, 0)]);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.run(2);
    expect(m.hart.getX(2)).toBe(5n); // fetch stayed untranslated, the load was translated
  });
});

describe("Sv48", () => {
  it("walks four levels, including upper-half (sign-extended) addresses", () => {
    const m = sv(4, [a.ld(2, 1, 0), a.ld(3, 4, 8)]);
    const hiVa = -0x8000_0000_0000; // 0xffff_8000_0000_0000
    m.pt.map(DATA_VA, DATA_PA, V | R | A);
    m.pt.map(hiVa, DATA_PA + 0x1000, V | R | A);
    m.bus.write64(DATA_PA, 11n);
    m.bus.write64(DATA_PA + 0x1008, 22n);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.setX(4, 0xffff_8000_0000_0000n);
    m.hart.run(2);
    expect(m.hart.getX(2)).toBe(11n);
    expect(m.hart.getX(3)).toBe(22n);
  });

  it("addresses that are canonical for Sv48 but not for Sv39 translate", () => {
    const m = sv(4, [a.ld(2, 1, 0)]);
    const va = 0x0000_4000_0000_0000; // bit 46
    m.pt.map(va, DATA_PA, V | R | A);
    m.bus.write64(DATA_PA, 3n);
    m.hart.setX(1, BigInt(va));
    m.hart.run(1);
    expect(m.hart.getX(2)).toBe(3n);
  });
});

describe("SFENCE.VMA with an address", () => {
  it("drops every cached piece of a superpage containing the address", () => {
    // A 2 MiB superpage at DATA_VA; the guest reads at +0x5000, the OS remaps the superpage
    // and fences another address inside it; the next read at +0x5000 sees the new mapping.
    const m = sv(3, [a.ld(5, 1, 0), a.sfenceVma(2, 0), a.ld(6, 1, 0)]);
    const PA1 = RAM_BASE + 0x20_0000;
    const PA2 = RAM_BASE; // +0x5000 there is free
    const pte = m.pt.map(DATA_VA, PA1, V | R | A, 1);
    m.bus.write64(PA1 + 0x5000, 1n);
    m.bus.write64(PA2 + 0x5000, 2n);
    m.hart.setX(1, BigInt(DATA_VA + 0x5000));
    m.hart.setX(2, BigInt(DATA_VA + 0x1000));
    m.hart.run(1);
    expect(m.hart.getX(5)).toBe(1n);
    m.bus.write64(pte, (BigInt(PA2 / 4096) << 10n) | BigInt(V | R | A));
    m.hart.run(2);
    expect(m.hart.getX(6)).toBe(2n);
  });

  it("drops the 4 KiB page it names", () => {
    const m = sv(3, [a.ld(5, 1, 0), a.sfenceVma(1, 0), a.ld(6, 1, 0)]);
    const pte = m.pt.map(DATA_VA, DATA_PA, V | R | A);
    m.bus.write64(DATA_PA, 1n);
    m.bus.write64(DATA_PA + 0x1000, 2n);
    m.hart.setX(1, BigInt(DATA_VA));
    m.hart.run(1);
    m.bus.write64(pte, (BigInt((DATA_PA + 0x1000) / 4096) << 10n) | BigInt(V | R | A));
    m.hart.run(2);
    expect(m.hart.getX(5)).toBe(1n);
    expect(m.hart.getX(6)).toBe(2n);
  });
});
