import { describe, expect, it } from "vitest";
import { CSR } from "./csr-numbers.js";
import * as a from "./testing/asm.js";
import { enterMode } from "./testing/modes.js";
import { PageTables, PTE } from "./testing/page-tables.js";
import { makeHart, RAM_BASE } from "./testing/test-machine.js";

const { V, R, W, X, U, A, D } = PTE;
const IRQ = 1n << 63n;
const CODE = RAM_BASE + 0x1000; // guest code: GVA = GPA = HPA
const MTVEC = RAM_BASE + 0x8000;
const STVEC = RAM_BASE + 0x9000;
const VSTVEC = RAM_BASE + 0xa000;
const VS_POOL = RAM_BASE + 0x80000; // VS-stage tables (GPA = HPA)
const G_POOL = RAM_BASE + 0x100000; // G-stage tables (16 KiB aligned root)
const DATA_HPA = RAM_BASE + 0x20000;
const GPA_DATA = 0x4000_0000;
const GVA_DATA = 0x1000_0000;
const HSTATUS_GVA = 1n << 6n;
const HSTATUS_SPV = 1n << 7n;
const HSTATUS_SPVP = 1n << 8n;

/**
 * A hart with Sv39x4 G-stage (RAM identity-mapped by a gigapage, GPA_DATA -> DATA_HPA) and
 * Sv39 VS-stage (RAM identity gigapage, GVA_DATA -> GPA_DATA), entered in VS-mode at CODE.
 */
function guest(prog: number[], opts: { vsBare?: boolean; vu?: boolean; levels?: 3 | 4 } = {}) {
  const m = makeHart();
  m.bus.writeWords(CODE, prog);
  for (const v of [MTVEC, STVEC, VSTVEC]) m.bus.writeWords(v, new Array(16).fill(a.NOP));
  const h = m.hart;
  h.writeCsr(CSR.mtvec, BigInt(MTVEC));
  h.writeCsr(CSR.stvec, BigInt(STVEC));
  h.writeCsr(CSR.vstvec, BigInt(VSTVEC));
  const levels = opts.levels ?? 3;
  const g = new PageTables(m.bus, G_POOL, levels, true);
  g.map(RAM_BASE, RAM_BASE, V | R | W | X | U | A | D, 2);
  const gData = g.map(GPA_DATA, DATA_HPA, V | R | W | U);
  h.writeCsr(CSR.hgatp, g.atp(5));
  const vs = new PageTables(m.bus, VS_POOL, levels);
  vs.map(RAM_BASE, RAM_BASE, V | R | W | X | A | D | (opts.vu ? U : 0), 2);
  const vsData = vs.map(GVA_DATA, GPA_DATA, V | R | W | (opts.vu ? U : 0));
  if (!opts.vsBare) h.writeCsr(CSR.vsatp, vs.atp());
  enterMode(h, m.bus, opts.vu ? 0 : 1, CODE, true);
  return { ...m, g, vs, gData, vsData };
}

/** Sends guest-page faults, virtual-instruction and VS ecalls to HS. */
function delegateToHs(h: ReturnType<typeof makeHart>["hart"]) {
  h.writeCsr(CSR.medeleg, (1n << 20n) | (1n << 21n) | (1n << 22n) | (1n << 23n) | (1n << 10n));
}

describe("H extension: two-stage translation", () => {
  it("a VS load/store goes GVA -> GPA -> HPA and sets A/D in both stages", () => {
    const m = guest([a.ld(2, 1, 8), a.sd(2, 1, 16)]);
    m.bus.write64(DATA_HPA + 8, 0xabcdn);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(2);
    expect(m.hart.getX(2)).toBe(0xabcdn);
    expect(m.bus.read64(DATA_HPA + 16)).toBe(0xabcdn);
    expect(m.bus.read64(m.vsData) & BigInt(A | D)).toBe(BigInt(A | D));
    expect(m.bus.read64(m.gData) & BigInt(A | D)).toBe(BigInt(A | D));
    expect(m.hart.virt).toBe(true);
  });

  it("Sv48 and Sv48x4 walk too", () => {
    const m = guest([a.ld(2, 1, 0)], { levels: 4 });
    m.bus.write64(DATA_HPA, 77n);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    expect(m.hart.getX(2)).toBe(77n);
  });

  it("guest-page fault on a load: scause 21, stval=GVA, htval=GPA>>2, htinst=transformed load, GVA/SPV/SPVP", () => {
    const insn = a.ld(2, 1, 8);
    const m = guest([insn]);
    m.vs.map(GVA_DATA, GPA_DATA + 0x1000, V | R | W | A | D); // GPA not mapped by the G-stage
    delegateToHs(m.hart);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    const h = m.hart;
    expect(h.priv).toBe(1);
    expect(h.virt).toBe(false);
    expect(h.readCsr(CSR.scause)).toBe(21n);
    expect(h.readCsr(CSR.stval)).toBe(BigInt(GVA_DATA + 8));
    expect(h.readCsr(CSR.htval)).toBe(BigInt((GPA_DATA + 0x1008) / 4));
    // transformed: opcode, rd, funct3 kept; offset and rs1 zero (spec "transformed instruction")
    expect(h.readCsr(CSR.htinst)).toBe(0x0000_3103n);
    expect(h.readCsr(CSR.sepc)).toBe(BigInt(CODE));
    const hs = h.readCsr(CSR.hstatus);
    expect(hs & (HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP)).toBe(
      HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP,
    );
    expect((h.readCsr(CSR.sstatus) >> 8n) & 1n).toBe(1n); // SPP = S (VS)
    expect(h.getPc()).toBe(BigInt(STVEC));
  });

  it("guest-page fault on a compressed store reports the expanded store with bit 1 clear", () => {
    // c.sd s1, 8(a0) = 0xe504 ; followed by c.nop
    const m = guest([0x0001_e504]);
    m.g.map(GPA_DATA, DATA_HPA, V | R | U | A); // read-only for the guest
    delegateToHs(m.hart);
    m.hart.setX(10, BigInt(GVA_DATA));
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(23n);
    expect(m.hart.readCsr(CSR.stval)).toBe(BigInt(GVA_DATA + 8));
    expect(m.hart.readCsr(CSR.htval)).toBe(BigInt((GPA_DATA + 8) / 4));
    // sd x9, 0(x0) = 0x00903023, compressed origin: bit 1 cleared
    expect(m.hart.readCsr(CSR.htinst)).toBe(0x0090_3021n);
  });

  it("a misaligned load split across pages reports the faulting byte and its offset in htinst", () => {
    const m = guest([a.ld(2, 1, 0)]);
    m.vs.map(GVA_DATA + 0x1000, GPA_DATA + 0x1000, V | R | W | A | D); // GPA unmapped in G
    delegateToHs(m.hart);
    m.hart.setX(1, BigInt(GVA_DATA + 0xffc));
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(21n);
    expect(m.hart.readCsr(CSR.stval)).toBe(BigInt(GVA_DATA + 0x1000));
    expect(m.hart.readCsr(CSR.htval)).toBe(BigInt((GPA_DATA + 0x1000) / 4));
    expect(m.hart.readCsr(CSR.htinst)).toBe(0x3103n | (4n << 15n));
  });

  it("a G-stage leaf without U faults; GPAs beyond 41 bits fault", () => {
    const m = guest([a.ld(2, 1, 0)]);
    m.g.map(GPA_DATA, DATA_HPA, V | R | W | A | D);
    delegateToHs(m.hart);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(21n);

    const b = guest([a.ld(2, 1, 0)], { vsBare: true });
    delegateToHs(b.hart);
    b.hart.setX(1, 1n << 41n);
    b.hart.run(1);
    expect(b.hart.readCsr(CSR.scause)).toBe(21n);
    expect(b.hart.readCsr(CSR.stval)).toBe(1n << 41n);
    expect(b.hart.readCsr(CSR.htval)).toBe(1n << 39n);
  });

  it("with vsatp bare a negative address is a 64-bit GPA: guest-page fault, htval = GPA >> 2 unsigned", () => {
    for (const [insn, cause] of [
      [a.ld(2, 1, 0), 21n],
      [a.sd(2, 1, 0), 23n],
    ] as const) {
      const m = guest([insn], { vsBare: true });
      delegateToHs(m.hart);
      m.hart.setX(1, 0xffff_ffff_ffff_fff8n);
      m.hart.run(1);
      expect(m.hart.readCsr(CSR.scause)).toBe(cause);
      expect(m.hart.readCsr(CSR.stval)).toBe(0xffff_ffff_ffff_fff8n);
      expect(m.hart.readCsr(CSR.htval)).toBe(0x3fff_ffff_ffff_fffen);
    }
  });

  it("implicit VS-stage PTE read that faults in the G-stage: htinst = 0x3000, htval = PTE GPA >> 2", () => {
    const m = guest([a.ld(2, 1, 0)]);
    // VS root moved to a GPA the G-stage does not map
    const root = 0x4000_8000;
    m.hart.writeCsr(CSR.vsatp, (8n << 60n) | BigInt(root / 4096));
    delegateToHs(m.hart);
    m.hart.writeCsr(CSR.hgatp, m.g.atp(5)); // (re)flush
    m.hart.setX(1, BigInt(GVA_DATA));
    // The fetch is the first access: it walks the VS root for CODE's GVA.
    m.hart.run(1);
    const vpn2 = Math.floor(CODE / 2 ** 30) & 511;
    expect(m.hart.readCsr(CSR.scause)).toBe(20n); // the original access was a fetch
    expect(m.hart.readCsr(CSR.stval)).toBe(BigInt(CODE));
    expect(m.hart.readCsr(CSR.htval)).toBe(BigInt((root + vpn2 * 8) / 4));
    expect(m.hart.readCsr(CSR.htinst)).toBe(0x3000n);
    expect(m.hart.readCsr(CSR.hstatus) & HSTATUS_GVA).toBe(HSTATUS_GVA);
  });

  it("implicit VS-stage A/D update on a read-only G-stage page: htinst = 0x3020", () => {
    const m = guest([a.ld(2, 1, 0)]);
    // the VS leaf for GVA_DATA has A=0; make the page holding it read-only in the G-stage
    const leafPage = m.vsData - (m.vsData % 4096);
    const gpaWindow = 0x4001_0000;
    m.g.map(gpaWindow, leafPage, V | R | U | A);
    // re-point the VS level-1 table entry at the window: the leaf table is now seen at gpaWindow
    const l1 = m.vs.pteAddr(GVA_DATA, 1);
    m.bus.write64(l1, (BigInt(gpaWindow / 4096) << 10n) | 1n);
    delegateToHs(m.hart);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    const idx = Math.floor(GVA_DATA / 4096) & 511;
    expect(m.hart.readCsr(CSR.scause)).toBe(21n);
    expect(m.hart.readCsr(CSR.htinst)).toBe(0x3020n);
    expect(m.hart.readCsr(CSR.htval)).toBe(BigInt((gpaWindow + idx * 8) / 4));
    expect(m.hart.readCsr(CSR.stval)).toBe(BigInt(GVA_DATA));
  });

  it("VS-stage page faults delegated by hedeleg reach VS-mode with vscause/vstval/vsepc", () => {
    const m = guest([a.ld(2, 1, 0)]);
    m.hart.writeCsr(CSR.medeleg, 1n << 13n);
    m.hart.writeCsr(CSR.hedeleg, 1n << 13n);
    m.hart.setX(1, BigInt(GVA_DATA + 0x5000)); // unmapped in the VS stage
    m.hart.run(1);
    const h = m.hart;
    expect(h.virt).toBe(true);
    expect(h.priv).toBe(1);
    expect(h.readCsr(CSR.vscause)).toBe(13n);
    expect(h.readCsr(CSR.vstval)).toBe(BigInt(GVA_DATA + 0x5000));
    expect(h.readCsr(CSR.vsepc)).toBe(BigInt(CODE));
    expect((h.readCsr(CSR.vsstatus) >> 8n) & 1n).toBe(1n);
    expect(h.getPc()).toBe(BigInt(VSTVEC));
    expect(h.readCsr(CSR.scause)).toBe(0n);
  });

  it("a trap from V=1 to M sets MPV, GVA, mtval2 and mtinst", () => {
    const m = guest([a.ld(2, 1, 0)]);
    m.vs.map(GVA_DATA, GPA_DATA + 0x1000, V | R | W | A | D);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    const ms = m.hart.readCsr(CSR.mstatus);
    expect(m.hart.readCsr(CSR.mcause)).toBe(21n);
    expect((ms >> 39n) & 1n).toBe(1n);
    expect((ms >> 38n) & 1n).toBe(1n);
    expect((ms >> 11n) & 3n).toBe(1n);
    expect(m.hart.readCsr(CSR.mtval2)).toBe(BigInt((GPA_DATA + 0x1000) / 4));
    expect(m.hart.readCsr(CSR.mtinst)).toBe(0x3103n);
  });
});

describe("H extension: CSR redirection and virtual-instruction exceptions", () => {
  it("S CSRs accessed with V=1 are the VS CSRs", () => {
    const m = guest([a.csrw(CSR.sscratch, 1), a.csrr(2, CSR.sstatus), a.csrw(CSR.sepc, 1)]);
    m.hart.writeCsr(CSR.vsstatus, 0x20n);
    m.hart.setX(1, 0x1234n);
    m.hart.run(3);
    expect(m.hart.readCsr(CSR.vsscratch)).toBe(0x1234n);
    expect(m.hart.readCsr(CSR.sscratch)).toBe(0n);
    expect(m.hart.getX(2)).toBe(0x2_0000_0020n);
    expect(m.hart.readCsr(CSR.vsepc)).toBe(0x1234n);
  });

  const viCases: [string, number[], (h: ReturnType<typeof makeHart>["hart"]) => void, boolean][] = [
    ["VS reads hstatus", [a.csrr(1, CSR.hstatus)], () => {}, false],
    ["VS reads vsstatus by number", [a.csrr(1, CSR.vsstatus)], () => {}, false],
    ["VS WFI with VTW", [a.WFI], (h) => h.writeCsr(CSR.hstatus, 1n << 21n), false],
    [
      "VS SFENCE.VMA with VTVM",
      [a.sfenceVma(0, 0)],
      (h) => h.writeCsr(CSR.hstatus, 1n << 20n),
      false,
    ],
    ["VS satp with VTVM", [a.csrr(1, CSR.satp)], (h) => h.writeCsr(CSR.hstatus, 1n << 20n), false],
    ["VS SRET with VTSR", [a.SRET], (h) => h.writeCsr(CSR.hstatus, 1n << 22n), false],
    ["VS HLV.D", [a.hlvD(1, 2)], () => {}, false],
    ["VS HFENCE.VVMA", [a.hfenceVvma(0, 0)], () => {}, false],
    ["VS HFENCE.GVMA", [a.hfenceGvma(0, 0)], () => {}, false],
    [
      "VS time with hcounteren.TM=0",
      [a.csrr(1, CSR.time)],
      (h) => h.writeCsr(CSR.mcounteren, 2n),
      false,
    ],
    ["VU reads sstatus", [a.csrr(1, CSR.sstatus)], () => {}, true],
    ["VU WFI", [a.WFI], () => {}, true],
    ["VU SRET", [a.SRET], () => {}, true],
    ["VU SFENCE.VMA", [a.sfenceVma(0, 0)], () => {}, true],
  ];
  it.each(viCases)(
    "%s raises a virtual-instruction exception (22, stval = insn)",
    (_n, prog, prep, vu) => {
      const m = guest(prog, { vu });
      prep(m.hart);
      delegateToHs(m.hart);
      m.hart.run(1);
      expect(m.hart.readCsr(CSR.scause)).toBe(22n);
      expect(m.hart.readCsr(CSR.stval)).toBe(BigInt(prog[0]!));
      expect(m.hart.readCsr(CSR.hstatus) & HSTATUS_SPV).toBe(HSTATUS_SPV);
    },
  );

  it("M-mode CSRs, MRET and the time CSR without mcounteren stay illegal-instruction in VS", () => {
    for (const insn of [a.csrr(1, CSR.mstatus), a.MRET, a.csrr(1, CSR.time)]) {
      const m = guest([insn]);
      delegateToHs(m.hart);
      m.hart.writeCsr(CSR.medeleg, m.hart.readCsr(CSR.medeleg) | 4n);
      m.hart.run(1);
      expect(m.hart.readCsr(CSR.scause)).toBe(2n);
      expect(m.hart.readCsr(CSR.stval)).toBe(BigInt(insn));
    }
  });

  it("VU WFI with mstatus.TW=1 and VU SFENCE.VMA with mstatus.TVM=1 are illegal, not virtual", () => {
    for (const [insn, bit] of [
      [a.WFI, 21n],
      [a.sfenceVma(0, 0), 20n],
    ] as const) {
      const m = guest([insn], { vu: true });
      delegateToHs(m.hart);
      m.hart.writeCsr(CSR.medeleg, m.hart.readCsr(CSR.medeleg) | 4n);
      m.hart.writeCsr(CSR.mstatus, m.hart.readCsr(CSR.mstatus) | (1n << bit));
      m.hart.run(1);
      expect(m.hart.readCsr(CSR.scause)).toBe(2n);
    }
  });

  it("ECALL from VS is cause 10; ECALL from VU delegated by hedeleg reaches VS as cause 8", () => {
    const m = guest([a.ECALL]);
    delegateToHs(m.hart);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(10n);
    const u = guest([a.ECALL], { vu: true });
    u.hart.writeCsr(CSR.medeleg, 1n << 8n);
    u.hart.writeCsr(CSR.hedeleg, 1n << 8n);
    u.hart.run(1);
    expect(u.hart.readCsr(CSR.vscause)).toBe(8n);
    expect(u.hart.virt).toBe(true);
    expect(u.hart.priv).toBe(1);
  });
});

describe("H extension: HLV/HLVX/HSV and HFENCE from HS", () => {
  /** Puts the hart in HS-mode at CODE with the same guest tables and SPVP as given. */
  function hs(prog: number[], spvp: 0 | 1, priv: 0 | 1 = 1) {
    const m = guest([]);
    // back to M via an ecall from VS, then into HS (or U)
    m.bus.writeWords(CODE, [a.ECALL]);
    m.hart.run(1);
    m.bus.writeWords(CODE, prog);
    m.hart.writeCsr(CSR.hstatus, spvp ? HSTATUS_SPVP : 0n);
    enterMode(m.hart, m.bus, priv, CODE, false);
    return m;
  }

  it("HLV.D/HLV.WU/HSV.W access guest memory through both stages at SPVP privilege", () => {
    const m = hs([a.hlvD(2, 1), a.hlvWU(3, 1), a.hsvW(4, 5)], 1);
    m.bus.write64(DATA_HPA, 0x8000_0001_8000_0002n);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.setX(5, BigInt(GVA_DATA + 0x40));
    m.hart.setX(4, 0x55n);
    m.hart.run(3);
    expect(m.hart.getX(2)).toBe(0x8000_0001_8000_0002n);
    expect(m.hart.getX(3)).toBe(0x8000_0002n);
    expect(m.bus.read32(DATA_HPA + 0x40)).toBe(0x55);
    expect(m.hart.virt).toBe(false);
  });

  it("HLV with SPVP=0 is a VU access: S-only guest pages fault (13, GVA set)", () => {
    const m = hs([a.hlvB(2, 1)], 0);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(13n);
    expect(m.hart.readCsr(CSR.mtval)).toBe(BigInt(GVA_DATA));
    expect((m.hart.readCsr(CSR.mstatus) >> 38n) & 1n).toBe(1n);
  });

  it("HLVX.HU needs execute permission instead of read", () => {
    const m = hs([a.hlvxHU(2, 1), a.hlvxHU(3, 6)], 1);
    m.bus.writeWords(CODE + 0x100, [0xbeef]);
    m.hart.setX(6, BigInt(CODE + 0x100)); // executable guest page
    m.hart.setX(1, BigInt(GVA_DATA)); // read/write but not executable
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(13n);
    const k = hs([a.hlvxHU(3, 6)], 1);
    k.bus.writeWords(CODE + 0x100, [0xbeef]);
    k.hart.setX(6, BigInt(CODE + 0x100));
    k.hart.run(1);
    expect(k.hart.getX(3)).toBe(0xbeefn);
  });

  it("HLV from U-mode needs hstatus.HU", () => {
    const m = hs([a.hlvD(2, 1)], 1, 0);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.mcause)).toBe(2n);
    const k = hs([a.hlvD(2, 1)], 1, 0);
    k.hart.writeCsr(CSR.hstatus, HSTATUS_SPVP | (1n << 9n));
    k.bus.write64(DATA_HPA, 9n);
    k.hart.setX(1, BigInt(GVA_DATA));
    k.hart.run(1);
    expect(k.hart.getX(2)).toBe(9n);
  });

  it("HFENCE.GVMA makes a changed G-stage mapping visible", () => {
    const m = hs([a.hlvD(2, 1), a.hfenceGvma(0, 0), a.hlvD(3, 1)], 1);
    m.bus.write64(DATA_HPA, 1n);
    m.bus.write64(DATA_HPA + 0x1000, 2n);
    m.hart.setX(1, BigInt(GVA_DATA));
    m.hart.run(1);
    m.g.map(GPA_DATA, DATA_HPA + 0x1000, V | R | W | U | A | D);
    m.hart.run(2);
    expect(m.hart.getX(2)).toBe(1n);
    expect(m.hart.getX(3)).toBe(2n);
  });
});

describe("H extension: interrupts", () => {
  it("hvip.VSTIP delegated by hideleg reaches VS-mode as cause 5", () => {
    const m = guest([a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.hideleg, 1n << 6n);
    m.hart.writeCsr(CSR.vsie, 1n << 5n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    expect(m.hart.readCsr(CSR.mie)).toBe(1n << 6n);
    m.hart.writeCsr(CSR.hvip, 1n << 6n);
    expect(m.hart.readCsr(CSR.vsip)).toBe(1n << 5n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 5n);
    expect(m.hart.readCsr(CSR.vsepc)).toBe(BigInt(CODE));
    expect(m.hart.virt).toBe(true);
  });

  it("vectored vstvec uses the VS cause number; VSEI outranks VSSI and VSTI", () => {
    const m = guest([a.NOP, a.NOP]);
    m.bus.writeWords(VSTVEC, new Array(64).fill(a.NOP));
    m.hart.writeCsr(CSR.vstvec, BigInt(VSTVEC) | 1n);
    m.hart.writeCsr(CSR.hideleg, 0x444n);
    m.hart.writeCsr(CSR.vsie, 0x222n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    m.hart.writeCsr(CSR.hvip, 0x444n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 9n);
    expect(m.hart.getPc()).toBe(BigInt(VSTVEC + 4 * 9 + 4));
    m.hart.writeCsr(CSR.hvip, 0x44n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 1n);
    m.hart.writeCsr(CSR.hvip, 0x40n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 5n);
  });

  it("a VS interrupt not delegated by hideleg goes to HS with its own cause", () => {
    const m = guest([a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.mie, 1n << 10n);
    m.hart.writeCsr(CSR.hvip, 1n << 10n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(IRQ | 10n);
    expect(m.hart.virt).toBe(false);
  });

  it("VSEIP follows hgeip[VGEIN]; SGEIP needs hgeie and goes to HS (cause 12)", () => {
    const m = guest([a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.hstatus, 3n << 12n);
    m.hart.setGuestExternalLine(3, true);
    expect(m.hart.readCsr(CSR.hip) & (1n << 10n)).toBe(1n << 10n);
    expect(m.hart.readCsr(CSR.hip) & (1n << 12n)).toBe(0n);
    m.hart.writeCsr(CSR.hgeie, 1n << 3n);
    expect(m.hart.readCsr(CSR.hip) & (1n << 12n)).toBe(1n << 12n);
    m.hart.writeCsr(CSR.mie, 1n << 12n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(IRQ | 12n);
  });

  it("vstimecmp drives VSTIP with henvcfg.STCE, against time + htimedelta", () => {
    const m = guest([a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.menvcfg, 1n << 63n);
    m.hart.writeCsr(CSR.henvcfg, 1n << 63n);
    m.hart.writeCsr(CSR.stimecmp, (1n << 64n) - 1n);
    m.hart.writeCsr(CSR.vstimecmp, 1000n);
    m.hart.writeCsr(CSR.htimedelta, 900n);
    m.clock.ticks = 99;
    expect(m.hart.readCsr(CSR.hip) & (1n << 6n)).toBe(0n);
    m.clock.ticks = 100;
    expect(m.hart.readCsr(CSR.hip) & (1n << 6n)).toBe(1n << 6n);
    m.hart.writeCsr(CSR.hideleg, 1n << 6n);
    m.hart.writeCsr(CSR.vsie, 1n << 5n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 5n);
  });

  it("a disarmed vstimecmp never fires; a due one masked in vsie fires once enabled", () => {
    const m = guest([a.NOP, a.NOP, a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.menvcfg, 1n << 63n);
    m.hart.writeCsr(CSR.henvcfg, 1n << 63n);
    m.hart.writeCsr(CSR.stimecmp, (1n << 64n) - 1n);
    m.hart.writeCsr(CSR.hideleg, 1n << 6n);
    m.hart.writeCsr(CSR.vsstatus, 2n);
    m.hart.writeCsr(CSR.vsie, 1n << 5n);
    // Disarmed (all ones) stays quiet even with the largest positive htimedelta.
    m.hart.writeCsr(CSR.vstimecmp, (1n << 64n) - 1n);
    m.hart.writeCsr(CSR.htimedelta, (1n << 63n) - 1n);
    m.clock.ticks = 2 ** 40;
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.hip) & (1n << 6n)).toBe(0n);
    expect(m.hart.readCsr(CSR.vscause)).toBe(0n);
    // Due but masked: pending in hip, not taken, until vsie.STIE is set.
    m.hart.writeCsr(CSR.htimedelta, 0n);
    m.hart.writeCsr(CSR.vstimecmp, 5n);
    m.hart.writeCsr(CSR.vsie, 0n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.hip) & (1n << 6n)).toBe(1n << 6n);
    expect(m.hart.readCsr(CSR.vscause)).toBe(0n);
    m.hart.writeCsr(CSR.vsie, 1n << 5n);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.vscause)).toBe(IRQ | 5n);
  });

  it("HS interrupts are taken while V=1 even with sstatus.SIE=0", () => {
    const m = guest([a.NOP, a.NOP]);
    m.hart.writeCsr(CSR.mideleg, 1n << 9n);
    m.hart.writeCsr(CSR.mie, 1n << 9n);
    m.hart.setInterruptLine(9, true);
    m.hart.run(1);
    expect(m.hart.readCsr(CSR.scause)).toBe(IRQ | 9n);
    expect(m.hart.readCsr(CSR.hstatus) & HSTATUS_SPV).toBe(HSTATUS_SPV);
  });
});
